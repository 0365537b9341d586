package dev.podkit.runtime.health;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * What {@code /healthz} and {@code /readyz} answer. Readiness is false while starting and again
 * once draining begins; a helper can add checks of its own (e.g. "no target reachable").
 */
public final class Health implements MeterBinder {

    /** Where the process is in its life. */
    public enum Phase { STARTING, READY, DRAINING }

    /** The result of a probe: 200 when {@code ok}, else 503 with the detail. */
    public record Status(boolean ok, String detail) {
    }

    private record Check(String name, Supplier<Optional<String>> problem) {
    }

    private volatile Phase phase = Phase.STARTING;
    private final List<Check> readinessChecks = new CopyOnWriteArrayList<>();
    private final List<Check> livenessChecks = new CopyOnWriteArrayList<>();

    /** A check that makes {@code /readyz} 503 while it reports a problem. */
    public void addReadinessCheck(String name, Supplier<Optional<String>> problem) {
        readinessChecks.add(new Check(Objects.requireNonNull(name), Objects.requireNonNull(problem)));
    }

    /** A check that makes {@code /healthz} 503 while it reports a problem (the kubelet then restarts the container). */
    public void addLivenessCheck(String name, Supplier<Optional<String>> problem) {
        livenessChecks.add(new Check(Objects.requireNonNull(name), Objects.requireNonNull(problem)));
    }

    public void markReady() {
        if (phase == Phase.STARTING) {
            phase = Phase.READY;
        }
    }

    public void markDraining() {
        phase = Phase.DRAINING;
    }

    public Phase phase() {
        return phase;
    }

    public Status readiness() {
        Phase now = phase;
        if (now != Phase.READY) {
            return new Status(false, now.name().toLowerCase());
        }
        return evaluate(readinessChecks, "ready");
    }

    public Status liveness() {
        return evaluate(livenessChecks, "ok");
    }

    private static Status evaluate(List<Check> checks, String okText) {
        String problems = checks.stream()
                .map(c -> c.problem().get().map(p -> c.name() + ": " + p).orElse(null))
                .filter(Objects::nonNull)
                .collect(Collectors.joining("; "));
        return problems.isEmpty() ? new Status(true, okText) : new Status(false, problems);
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Gauge.builder("podkit.ready", this, h -> h.readiness().ok() ? 1 : 0)
                .strongReference(true)
                .description("1 while /readyz answers 200, else 0")
                .register(registry);
    }
}
