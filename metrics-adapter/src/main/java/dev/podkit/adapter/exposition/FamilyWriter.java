package dev.podkit.adapter.exposition;

import dev.podkit.adapter.model.Family;
import dev.podkit.adapter.model.MetricType;
import java.util.Collection;
import java.util.List;

/**
 * Renders postgres_exporter's families as its Go client does. The point of writing it here: the
 * Java client's Prometheus text writer appends {@code _total} to every counter, but
 * postgres_exporter has counters without it ({@code pg_stat_database_xact_commit}), whose names
 * dashboards query. In the text format 0.0.4 a counter keeps its exact name; in OpenMetrics, as in
 * the Go client, a counter's family drops {@code _total} and its samples carry it.
 */
public final class FamilyWriter {
    public static final String TEXT = "text/plain; version=0.0.4; charset=utf-8";
    public static final String OPENMETRICS = "application/openmetrics-text; version=1.0.0; charset=utf-8";

    private FamilyWriter() {
    }

    public static void write(ExpositionBuffer out, Collection<Family> families, boolean openMetrics) {
        for (Family f : families) {
            if (f.samples().isEmpty()) {
                continue;
            }
            String name = f.desc().name();
            boolean counter = f.desc().type() == MetricType.COUNTER;
            if (openMetrics) {
                String family = counter && name.endsWith("_total") ? name.substring(0, name.length() - 6) : name;
                String sampleName = counter ? family + "_total" : name;
                out.append("# TYPE ").append(family).append(' ').append(f.desc().type().openMetrics()).append('\n');
                out.append("# HELP ").append(family).append(' ').appendEscaped(f.desc().help(), true).append('\n');
                samples(out, sampleName, f);
            } else {
                out.append("# HELP ").append(name).append(' ').appendEscaped(f.desc().help(), false).append('\n');
                out.append("# TYPE ").append(name).append(' ').append(f.desc().type().text()).append('\n');
                samples(out, name, f);
            }
        }
    }

    private static void samples(ExpositionBuffer out, String name, Family f) {
        List<String> labels = f.desc().labelNames();
        // The part before the values is the same for every sample: name and label names, as bytes once.
        byte[][] prefixes = new byte[labels.size()][];
        for (int i = 0; i < labels.size(); i++) {
            prefixes[i] = ((i == 0 ? "{" : ",") + labels.get(i) + "=\"").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
        byte[] nameBytes = name.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        for (Family.Sample s : f.samples()) {
            out.append(nameBytes);
            if (prefixes.length > 0) {
                for (int i = 0; i < prefixes.length; i++) {
                    out.append(prefixes[i]).appendEscaped(s.labelValues().get(i), true).append('"');
                }
                out.append('}');
            }
            out.append(' ').appendValue(s.value()).append('\n');
        }
    }
}
