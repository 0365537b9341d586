package dev.podkit.ambassador.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;

/**
 * The meters of one configured target of a route: connections to it, bytes each way, connect
 * errors and latency, and its health.
 */
public final class TargetMetrics implements MeterBinder {

    /** Why a connect to a target address failed; the {@code reason} label of the connect errors. */
    public enum ConnectError {
        REFUSED, TIMEOUT, UNREACHABLE, RESET, TLS, DNS, FD_LIMIT, OTHER;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final String route;
    private final String target;
    private final IntSupplier endpoints;
    private final IntSupplier endpointsUp;
    private final AtomicInteger active = new AtomicInteger();
    private final Map<ConnectError, Counter> connectErrors = new ConcurrentHashMap<>();
    private Counter established;
    private Counter upstreamBytes;
    private Counter downstreamBytes;
    private Timer connectTime;

    public TargetMetrics(String route, String target, IntSupplier endpoints, IntSupplier endpointsUp) {
        this.route = route;
        this.target = target;
        this.endpoints = endpoints;
        this.endpointsUp = endpointsUp;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Gauge.builder("podkit.ambassador.target.connections.active", active, AtomicInteger::get)
                .strongReference(true)
                .description("Connections to the target open now")
                .tags("route", route, "target", target)
                .register(registry);
        established = Counter.builder("podkit.ambassador.target.connections")
                .description("Connections established to the target")
                .tags("route", route, "target", target)
                .register(registry);
        upstreamBytes = Counter.builder("podkit.ambassador.upstream")
                .baseUnit("bytes")
                .description("Bytes received from clients and forwarded to the target")
                .tags("route", route, "target", target)
                .register(registry);
        downstreamBytes = Counter.builder("podkit.ambassador.downstream")
                .baseUnit("bytes")
                .description("Bytes received from the target and forwarded to clients")
                .tags("route", route, "target", target)
                .register(registry);
        for (ConnectError e : ConnectError.values()) {
            connectErrors.put(e, Counter.builder("podkit.ambassador.connect.errors")
                    .description("Failed connect attempts to the target, by reason")
                    .tags("route", route, "target", target, "reason", e.label())
                    .register(registry));
        }
        connectTime = Timer.builder("podkit.ambassador.connect")
                .description("Time to connect to the target (TCP, and TLS where spoken)")
                .tags("route", route, "target", target)
                .serviceLevelObjectives(Duration.ofNanos(500_000), Duration.ofMillis(1), Duration.ofMillis(2),
                        Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
                        Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
                        Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(10))
                .register(registry);
        Gauge.builder("podkit.ambassador.target.up", endpointsUp, s -> s.getAsInt() > 0 ? 1 : 0)
                .strongReference(true)
                .description("1 while at least one address of the target is resolved, healthy and not ejected")
                .tags("route", route, "target", target)
                .register(registry);
        Gauge.builder("podkit.ambassador.target.endpoints", endpoints, s -> s.getAsInt())
                .strongReference(true)
                .description("Addresses the target's name resolves to now")
                .tags("route", route, "target", target)
                .register(registry);
        Gauge.builder("podkit.ambassador.target.endpoints.up", endpointsUp, s -> s.getAsInt())
                .strongReference(true)
                .description("Addresses of the target that are healthy and not ejected")
                .tags("route", route, "target", target)
                .register(registry);
    }

    public void connected(long connectNanos) {
        established.increment();
        active.incrementAndGet();
        connectTime.record(connectNanos, TimeUnit.NANOSECONDS);
    }

    public void disconnected() {
        active.decrementAndGet();
    }

    public void connectFailed(ConnectError reason) {
        connectErrors.get(reason).increment();
    }

    public void upstream(long bytes) {
        upstreamBytes.increment(bytes);
    }

    public void downstream(long bytes) {
        downstreamBytes.increment(bytes);
    }

    public int active() {
        return active.get();
    }
}
