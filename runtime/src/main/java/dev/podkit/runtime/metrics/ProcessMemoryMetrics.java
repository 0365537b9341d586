package dev.podkit.runtime.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The process's resident and virtual memory from {@code /proc/self/status}, named as the
 * Prometheus client libraries name them, because a sidecar's footprint is what pod limits are
 * sized by and the JVM's own meters do not show it. Binds nothing where there is no procfs.
 */
public final class ProcessMemoryMetrics implements MeterBinder {
    private final Path status;

    public ProcessMemoryMetrics() {
        this(Path.of("/proc/self/status"));
    }

    ProcessMemoryMetrics(Path status) {
        this.status = status;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        if (!Files.isReadable(status)) {
            return;
        }
        // Strong references: Micrometer holds a gauge's state weakly, and nothing else holds this binder.
        Gauge.builder("process.resident.memory", this, m -> m.kilobytes("VmRSS:") * 1024)
                .strongReference(true)
                .description("Resident set size of the process")
                .baseUnit(BaseUnits.BYTES)
                .register(registry);
        Gauge.builder("process.virtual.memory", this, m -> m.kilobytes("VmSize:") * 1024)
                .strongReference(true)
                .description("Virtual memory size of the process")
                .baseUnit(BaseUnits.BYTES)
                .register(registry);
    }

    /** The value of a "Name:   1234 kB" line, or NaN when it cannot be read. */
    double kilobytes(String field) {
        try {
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith(field)) {
                    String[] parts = line.substring(field.length()).trim().split("\\s+");
                    return Double.parseDouble(parts[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
        return Double.NaN;
    }
}
