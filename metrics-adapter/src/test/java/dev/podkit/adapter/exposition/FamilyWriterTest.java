package dev.podkit.adapter.exposition;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podkit.adapter.model.FamilySet;
import dev.podkit.adapter.model.MetricDesc;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class FamilyWriterTest {

    private static FamilySet sample() {
        FamilySet set = new FamilySet();
        set.add(MetricDesc.counter("pg_stat_database_xact_commit", "Number of transactions", "datid", "datname"), 42, "5", "app");
        set.add(MetricDesc.counter("pg_stat_bgwriter_buffers_alloc_total", "Number of buffers allocated"), 7);
        set.add(MetricDesc.gauge("pg_up", "Whether up"), 1);
        set.add(MetricDesc.untyped("pg_static", "Version string", "version"), 1, "PostgreSQL \"15\"\\x\ny");
        set.add(MetricDesc.gauge("pg_stat_archiver_last_archive_age", "Age"), Double.NaN);
        set.add(MetricDesc.gauge("pg_small", "Help with \\ and\nnewline"), 1.5e-5);
        return set;
    }

    @Test
    void textFormatKeepsPostgresExportersExactCounterNames() {
        ExpositionBuffer out = new ExpositionBuffer(16);
        FamilyWriter.write(out, sample().families(), false);
        String text = out.toString();
        assertTrue(text.contains("# HELP pg_stat_database_xact_commit Number of transactions\n"
                + "# TYPE pg_stat_database_xact_commit counter\n"
                + "pg_stat_database_xact_commit{datid=\"5\",datname=\"app\"} 42\n"), text);
        assertTrue(text.contains("# TYPE pg_stat_bgwriter_buffers_alloc_total counter\npg_stat_bgwriter_buffers_alloc_total 7\n"), text);
        assertTrue(text.contains("# TYPE pg_static untyped\npg_static{version=\"PostgreSQL \\\"15\\\"\\\\x\\ny\"} 1\n"), text);
        assertTrue(text.contains("pg_stat_archiver_last_archive_age NaN\n"), text);
        assertTrue(text.contains("# HELP pg_small Help with \\\\ and\\nnewline\n"), text);
        assertTrue(text.contains("pg_small 1.5e-05\n") || text.contains("pg_small 1.5e-5\n"), text);
    }

    @Test
    void openMetricsNamesCounterFamiliesWithoutTotalAndSamplesWithIt() {
        ExpositionBuffer out = new ExpositionBuffer(16);
        FamilyWriter.write(out, sample().families(), true);
        String text = out.toString();
        assertTrue(text.contains("# TYPE pg_stat_database_xact_commit counter\n# HELP pg_stat_database_xact_commit Number of transactions\n"
                + "pg_stat_database_xact_commit_total{datid=\"5\",datname=\"app\"} 42\n"), text);
        assertTrue(text.contains("# TYPE pg_stat_bgwriter_buffers_alloc counter\n# HELP pg_stat_bgwriter_buffers_alloc Number of buffers allocated\n"
                + "pg_stat_bgwriter_buffers_alloc_total 7\n"), text);
        assertTrue(text.contains("# TYPE pg_static unknown\n"), text);
    }

    /** Each family's fixed lines are kept between scrapes: per format, and per desc (not per name). */
    @Test
    void eachScrapeWritesItsOwnFamiliesInEitherFormat() {
        for (int scrape = 0; scrape < 3; scrape++) {
            boolean openMetrics = scrape == 1;
            FamilySet set = new FamilySet();
            // The same name with another help or another label (a second server's version) is another desc.
            set.add(MetricDesc.counter("pg_x_total", "Help " + scrape, scrape == 2 ? new String[] {"db"} : new String[0]),
                    scrape, scrape == 2 ? new String[] {"d" + scrape} : new String[0]);
            ExpositionBuffer out = new ExpositionBuffer(16);
            FamilyWriter.write(out, set.families(), openMetrics);
            String expected = switch (scrape) {
                case 0 -> "# HELP pg_x_total Help 0\n# TYPE pg_x_total counter\npg_x_total 0\n";
                case 1 -> "# TYPE pg_x counter\n# HELP pg_x Help 1\npg_x_total 1\n";
                default -> "# HELP pg_x_total Help 2\n# TYPE pg_x_total counter\npg_x_total{db=\"d2\"} 2\n";
            };
            assertEquals(expected, out.toString());
        }
    }

    /** The trap this writer exists for: the Java client's text writer renames such counters. */
    @Test
    void theJavaClientsTextWriterWouldRenameTheCounter() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusTextFormatWriter.create().write(out, PostgresMultiCollector.snapshots(sample()));
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("pg_stat_database_xact_commit_total{"), text);
        assertTrue(!text.contains("pg_stat_database_xact_commit{"), text);
    }

    @Test
    void valuesAreWrittenAsPrometheusReadsThem() {
        ExpositionBuffer out = new ExpositionBuffer(16);
        out.appendValue(1.795347151e9);
        out.append(' ');
        out.appendValue(-1);
        out.append(' ');
        out.appendValue(Double.POSITIVE_INFINITY);
        out.append(' ');
        out.appendValue(0.25);
        assertEquals("1795347151 -1 +Inf 0.25", out.toString());
    }
}
