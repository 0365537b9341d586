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

    public static void write(StringBuilder out, Collection<Family> families, boolean openMetrics) {
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
                out.append("# HELP ").append(family).append(' ');
                escape(out, f.desc().help(), true);
                out.append('\n');
                samples(out, sampleName, f);
            } else {
                out.append("# HELP ").append(name).append(' ');
                escape(out, f.desc().help(), false);
                out.append('\n');
                out.append("# TYPE ").append(name).append(' ').append(f.desc().type().text()).append('\n');
                samples(out, name, f);
            }
        }
    }

    private static void samples(StringBuilder out, String name, Family f) {
        List<String> labels = f.desc().labelNames();
        for (Family.Sample s : f.samples()) {
            out.append(name);
            if (!labels.isEmpty()) {
                out.append('{');
                for (int i = 0; i < labels.size(); i++) {
                    if (i > 0) {
                        out.append(',');
                    }
                    out.append(labels.get(i)).append("=\"");
                    escape(out, s.labelValues().get(i), true);
                    out.append('"');
                }
                out.append('}');
            }
            out.append(' ');
            value(out, s.value());
            out.append('\n');
        }
    }

    /** Backslash and newline always; the double quote in label values and OpenMetrics help. */
    private static void escape(StringBuilder out, String text, boolean quotes) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '"' -> out.append(quotes ? "\\\"" : "\"");
                default -> out.append(c);
            }
        }
    }

    static void value(StringBuilder out, double v) {
        if (Double.isNaN(v)) {
            out.append("NaN");
        } else if (Double.isInfinite(v)) {
            out.append(v > 0 ? "+Inf" : "-Inf");
        } else if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            out.append((long) v);
        } else {
            // Go's spelling of exponents (1.5e-05 reads the same as Java's 1.5E-5 everywhere).
            out.append(Double.toString(v).replace('E', 'e'));
        }
    }
}
