package dev.podkit.ambassador.metrics;

import dev.podkit.ambassador.proxy.EndReason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/** The meters of one route (listener): client connections accepted, open, and how they ended. */
public final class RouteMetrics implements MeterBinder {
    private final String route;
    private final AtomicInteger active = new AtomicInteger();
    private final Map<EndReason, Counter> ended = new EnumMap<>(EndReason.class);
    private Counter accepted;
    private Counter spliced;

    public RouteMetrics(String route) {
        this.route = route;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Gauge.builder("podkit.ambassador.connections.active", active, AtomicInteger::get)
                .strongReference(true)
                .description("Client connections open now")
                .tag("route", route)
                .register(registry);
        accepted = Counter.builder("podkit.ambassador.connections")
                .description("Client connections accepted")
                .tag("route", route)
                .register(registry);
        spliced = Counter.builder("podkit.ambassador.connections.spliced")
                .description("Connections whose bytes moved with splice(2), in the kernel")
                .tag("route", route)
                .register(registry);
        for (EndReason reason : EndReason.values()) {
            ended.put(reason, Counter.builder("podkit.ambassador.connections.ended")
                    .description("Client connections that ended, by how they ended")
                    .tag("route", route)
                    .tag("how", reason.label())
                    .register(registry));
        }
    }

    /** A client connection was accepted; returns the number open now. */
    public int opened() {
        accepted.increment();
        return active.incrementAndGet();
    }

    public void spliced() {
        spliced.increment();
    }

    public void ended(EndReason how) {
        active.decrementAndGet();
        ended.get(how).increment();
    }

    public int active() {
        return active.get();
    }
}
