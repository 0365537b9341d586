package dev.podkit.logsidecar.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;

/**
 * The meters of one {@code LOG_PATHS} match, labelled {@code file}. Rotated generations count
 * towards the file they were rotated from, so the label set stays as small as the set of paths.
 */
public final class FileMeters {
    public final Counter lines;
    public final Counter bytes;
    public final Counter rotations;
    public final Counter truncations;
    public final Counter longLines;
    public final Counter partialFlushes;
    private volatile long lag;
    private final List<Meter> meters;
    private final String file;

    FileMeters(MeterRegistry registry, String file) {
        this.file = file;
        lines = Counter.builder("podkit.logsidecar.lines.read").tag("file", file)
                .description("Lines read from the file and its rotated generations").register(registry);
        bytes = Counter.builder("podkit.logsidecar.read").baseUnit("bytes").tag("file", file)
                .description("Bytes read from the file and its rotated generations").register(registry);
        rotations = Counter.builder("podkit.logsidecar.rotations").tag("file", file)
                .description("Times the path was found to name a new file (rename, delete and recreate, re-pointed symlink)")
                .register(registry);
        truncations = Counter.builder("podkit.logsidecar.truncations").tag("file", file)
                .description("Times the file was found truncated or rewritten (copytruncate)").register(registry);
        longLines = Counter.builder("podkit.logsidecar.long.lines").tag("file", file)
                .description("Lines longer than MAX_LINE_BYTES (split or truncated)").register(registry);
        partialFlushes = Counter.builder("podkit.logsidecar.partial.line.flushes").tag("file", file)
                .description("Lines emitted without their newline (PARTIAL_LINE_TIMEOUT, or a finished rotated file)")
                .register(registry);
        Gauge lagGauge = Gauge.builder("podkit.logsidecar.lag", this, m -> m.lag).baseUnit("bytes").tag("file", file)
                .description("Bytes on disk not yet read (size minus offset), over the file and its rotated generations")
                .strongReference(true).register(registry);
        meters = List.of(lines, bytes, rotations, truncations, longLines, partialFlushes, lagGauge);
    }

    /** The {@code file} label. */
    public String file() {
        return file;
    }

    public void lag(long bytes) {
        lag = bytes;
    }

    void remove(MeterRegistry registry) {
        meters.forEach(registry::remove);
    }
}
