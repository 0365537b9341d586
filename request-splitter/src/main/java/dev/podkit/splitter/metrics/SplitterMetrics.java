package dev.podkit.splitter.metrics;

import dev.podkit.splitter.route.Route;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Per-variant meters for canary analysis (the queries Argo Rollouts and Flagger run): requests by
 * status class, latency histogram, bytes both ways, upstream errors, and how requests were routed.
 * Meters are created per variant on first use and cached, so a request costs no registry lookup.
 */
public final class SplitterMetrics implements MeterBinder {
    private static final Duration[] LATENCY_BUCKETS = {Duration.ofMillis(5), Duration.ofMillis(10),
            Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
            Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5),
            Duration.ofSeconds(10)};

    private volatile MeterRegistry registry;
    private final Map<String, Variant> variants = new ConcurrentHashMap<>();
    private final AtomicInteger activeConnections = new AtomicInteger();
    private final AtomicLong lastReloadSeconds = new AtomicLong();
    private Counter reloadOk;
    private Counter reloadFailed;
    private final Map<String, Counter> mirror = new ConcurrentHashMap<>();
    private final Map<String, Counter> rejected = new ConcurrentHashMap<>();

    /** The meters of one variant. */
    public final class Variant {
        private final Counter[] byClass = new Counter[6];
        private final Timer latency;
        private final Counter requestBytes;
        private final Counter responseBytes;
        private final Map<String, Counter> upstreamErrors = new ConcurrentHashMap<>();
        private final Counter[] byReason = new Counter[Route.Reason.values().length];
        private final String name;

        Variant(String name) {
            this.name = name;
            MeterRegistry r = registry;
            for (int c = 1; c <= 5; c++) {
                byClass[c] = Counter.builder("podkit.splitter.requests")
                        .description("Requests answered, by variant and status class")
                        .tag("variant", name).tag("code", c + "xx").register(r);
            }
            latency = Timer.builder("podkit.splitter.request.duration")
                    .description("Time from the request head to the last byte of the response, by variant")
                    .tag("variant", name)
                    .serviceLevelObjectives(LATENCY_BUCKETS)
                    .register(r);
            // Counters, not summaries: a rate of bytes is what dashboards need, and a counter
            // costs one add per request.
            requestBytes = Counter.builder("podkit.splitter.request.body")
                    .description("Request body bytes sent upstream, by variant").baseUnit("bytes")
                    .tag("variant", name).register(r);
            responseBytes = Counter.builder("podkit.splitter.response.body")
                    .description("Response body bytes sent to clients, by variant").baseUnit("bytes")
                    .tag("variant", name).register(r);
            for (Route.Reason reason : Route.Reason.values()) {
                byReason[reason.ordinal()] = Counter.builder("podkit.splitter.routed")
                        .description("Requests routed to a variant, by reason: rule, sticky or split")
                        .tag("variant", name).tag("reason", reason.name().toLowerCase())
                        .register(r);
            }
        }

        public void routed(Route.Reason reason) {
            byReason[reason.ordinal()].increment();
        }

        public void completed(int status, long nanos, long requestBodyBytes, long responseBodyBytes) {
            int c = status / 100;
            if (c >= 1 && c <= 5) {
                byClass[c].increment();
            }
            latency.record(nanos, TimeUnit.NANOSECONDS);
            if (requestBodyBytes > 0) {
                requestBytes.increment(requestBodyBytes);
            }
            if (responseBodyBytes > 0) {
                responseBytes.increment(responseBodyBytes);
            }
        }

        /** kind: connect, timeout, reset (closed or failed mid-exchange), invalid (a malformed response). */
        public void upstreamError(String kind) {
            upstreamErrors.computeIfAbsent(kind, k -> Counter.builder("podkit.splitter.upstream.errors")
                    .description("Failed upstream exchanges, by variant and kind: connect, timeout, reset, invalid")
                    .tag("variant", name).tag("kind", k).register(registry)).increment();
        }
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        this.registry = registry;
        Gauge.builder("podkit.splitter.client.connections", activeConnections, AtomicInteger::get)
                .description("Open client connections").strongReference(true).register(registry);
        reloadOk = Counter.builder("podkit.splitter.config.reloads").tag("result", "success")
                .description("Config file reloads, by result").register(registry);
        reloadFailed = Counter.builder("podkit.splitter.config.reloads").tag("result", "failure")
                .description("Config file reloads, by result").register(registry);
        Gauge.builder("podkit.splitter.config.last.reload.success.timestamp", lastReloadSeconds, AtomicLong::get)
                .description("Unix time of the last configuration that went live").baseUnit("seconds")
                .strongReference(true).register(registry);
    }

    /** The number of mirror copies under way, from whatever counts them. */
    public void mirrorInFlight(java.util.function.IntSupplier inFlight) {
        Gauge.builder("podkit.splitter.mirror.in.flight", inFlight, s -> s.getAsInt())
                .description("Mirror copies sent or being collected whose shadow response has not come back yet")
                .strongReference(true).register(registry);
    }

    public Variant variant(String name) {
        return variants.computeIfAbsent(name, Variant::new);
    }

    public void connectionOpened() {
        activeConnections.incrementAndGet();
    }

    public void connectionClosed() {
        activeConnections.decrementAndGet();
    }

    public int activeConnections() {
        return activeConnections.get();
    }

    public void configApplied() {
        lastReloadSeconds.set(System.currentTimeMillis() / 1000);
    }

    public void reload(boolean ok) {
        (ok ? reloadOk : reloadFailed).increment();
    }

    /** result: sent, completed, skipped, failed. */
    public void mirror(String result) {
        mirror.computeIfAbsent(result, k -> Counter.builder("podkit.splitter.mirror.requests")
                .description("Mirrored request copies, by result: sent, skipped (over a limit), failed")
                .tag("result", k).register(registry)).increment();
    }

    /** Requests answered by the splitter itself: reason bad_request, header_too_large, no_variants, ... */
    public void rejected(String reason) {
        rejected.computeIfAbsent(reason, k -> Counter.builder("podkit.splitter.rejected")
                .description("Requests the splitter answered itself without an upstream, by reason")
                .tag("reason", k).register(registry)).increment();
    }
}
