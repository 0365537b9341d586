package dev.podkit.logsidecar.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** The tailer's meters: per-file ones ({@link FileMeters}) and totals. */
public final class TailMetrics implements MeterBinder {
    private MeterRegistry registry;
    private final Map<String, FileMeters> files = new ConcurrentHashMap<>();
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger tracked = new AtomicInteger();
    private Counter checkpointWrites;
    private Counter checkpointErrors;
    private Counter skippedBinary;
    private Counter skippedUnreadable;

    @Override
    public void bindTo(MeterRegistry registry) {
        this.registry = registry;
        Gauge.builder("podkit.logsidecar.files.open", open, AtomicInteger::get)
                .strongReference(true).description("Files held open (live files and rotated ones not finished yet)").register(registry);
        Gauge.builder("podkit.logsidecar.files.tracked", tracked, AtomicInteger::get)
                .strongReference(true).description("Files known: matched by LOG_PATHS or their rotated generations still on disk").register(registry);
        checkpointWrites = Counter.builder("podkit.logsidecar.checkpoint.writes")
                .description("State file replacements").register(registry);
        checkpointErrors = Counter.builder("podkit.logsidecar.checkpoint.errors")
                .description("State file writes that failed").register(registry);
        skippedBinary = Counter.builder("podkit.logsidecar.files.skipped").tag("reason", "binary")
                .description("Files not read: binary (NUL bytes or gzip) or unreadable (permission denied)").register(registry);
        skippedUnreadable = Counter.builder("podkit.logsidecar.files.skipped").tag("reason", "unreadable")
                .description("Files not read: binary (NUL bytes or gzip) or unreadable (permission denied)").register(registry);
    }

    public FileMeters file(String origin) {
        return files.computeIfAbsent(origin, o -> new FileMeters(registry, o));
    }

    public void open(int count) {
        open.set(count);
    }

    public void tracked(int count) {
        tracked.set(count);
    }

    public void checkpointWritten() {
        checkpointWrites.increment();
    }

    public void checkpointFailed() {
        checkpointErrors.increment();
    }

    public void skippedBinary() {
        skippedBinary.increment();
    }

    public void skippedUnreadable() {
        skippedUnreadable.increment();
    }
}
