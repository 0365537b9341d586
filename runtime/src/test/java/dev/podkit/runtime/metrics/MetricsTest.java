package dev.podkit.runtime.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.podkit.runtime.health.Health;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsTest {

    private static double sample(String text, String name) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + " (\\S+)$").matcher(text);
        assertTrue(m.find(), name + " in\n" + text);
        return Double.parseDouble(m.group(1));
    }

    @Test
    void gaugesSurviveGarbageCollection() throws Exception {
        assumeTrue(Files.isReadable(Path.of("/proc/self/status")), "needs procfs (Linux)");
        try (Metrics metrics = new Metrics("h", "v")) {
            new Health().bindTo(metrics.registry()); // nothing else keeps this Health
            for (int i = 0; i < 3; i++) {
                System.gc();
                Thread.sleep(50);
            }
            String text = new String(metrics.scrape(null).body(), StandardCharsets.UTF_8);
            assertTrue(sample(text, "process_resident_memory_bytes") > 1_000_000, text);
            assertTrue(sample(text, "process_virtual_memory_bytes") > 1_000_000, text);
            assertTrue(sample(text, "process_cpu_seconds_total") > 0, text);
            assertTrue(sample(text, "system_cpu_count") >= 1, text);
            assertEquals(0.0, sample(text, "podkit_ready"));
        }
    }

    @Test
    void processMemoryReadsTheStatusFile(@TempDir Path dir) throws Exception {
        Path status = dir.resolve("status");
        // A field name inside another line ("RssAnon:") is not the field.
        Files.writeString(status, "Name:\tjava VmRSS: 7\nVmSize:\t  204800 kB\nRssAnon:\t 1 kB\nVmRSS:\t   51200 kB\n"
                + "VmSwap:\t kB\nThreads:\t20");
        ProcessMemoryMetrics m = new ProcessMemoryMetrics(status);
        assertEquals(51200.0, m.kilobytes("VmRSS:"));
        assertEquals(204800.0, m.kilobytes("VmSize:"));
        assertEquals(20.0, m.kilobytes("Threads:"), "the last line, without a newline");
        assertTrue(Double.isNaN(m.kilobytes("VmSwap:")), "no number");
        assertTrue(Double.isNaN(m.kilobytes("VmPTE:")), "no such line");
        assertTrue(Double.isNaN(new ProcessMemoryMetrics(dir.resolve("missing")).kilobytes("VmRSS:")), "no file");
    }
}
