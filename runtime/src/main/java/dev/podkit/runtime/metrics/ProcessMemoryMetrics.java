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

    /**
     * The value of a "Name:   1234 kB" line, or NaN when it cannot be read. The file is read as
     * bytes and scanned, not decoded into lines: it is read on every scrape.
     */
    double kilobytes(String field) {
        byte[] text;
        try {
            text = Files.readAllBytes(status);
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
        int at = lineStarting(text, field);
        if (at < 0) {
            return Double.NaN;
        }
        int i = at + field.length();
        while (i < text.length && (text[i] == ' ' || text[i] == '\t')) {
            i++;
        }
        long value = 0;
        int digits = 0;
        for (; i < text.length && text[i] >= '0' && text[i] <= '9' && digits < 18; i++, digits++) {
            value = value * 10 + (text[i] - '0');
        }
        return digits == 0 ? Double.NaN : value;
    }

    /** Where the line that begins with {@code field} starts, or -1. */
    private static int lineStarting(byte[] text, String field) {
        for (int start = 0; start < text.length; ) {
            if (startsWith(text, start, field)) {
                return start;
            }
            while (start < text.length && text[start] != '\n') {
                start++;
            }
            start++;
        }
        return -1;
    }

    private static boolean startsWith(byte[] text, int at, String field) {
        if (at + field.length() > text.length) {
            return false;
        }
        for (int k = 0; k < field.length(); k++) {
            if (text[at + k] != field.charAt(k)) {
                return false;
            }
        }
        return true;
    }
}
