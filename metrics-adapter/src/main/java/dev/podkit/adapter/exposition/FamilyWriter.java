package dev.podkit.adapter.exposition;

import dev.podkit.adapter.model.Family;
import dev.podkit.adapter.model.MetricDesc;
import dev.podkit.adapter.model.MetricType;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

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

    /**
     * What a family writes the same way every scrape, as bytes once: its HELP and TYPE lines, the
     * sample name and the label names. Families are the same few hundred scrape after scrape (their
     * descs are constants, or kept by their collectors), so a scrape mostly copies bytes.
     */
    private record Header(byte[] lines, byte[] name, byte[][] labelPrefixes) {
    }

    private static final Map<MetricDesc, Header> TEXT_HEADERS = new ConcurrentHashMap<>();
    private static final Map<MetricDesc, Header> OPENMETRICS_HEADERS = new ConcurrentHashMap<>();
    /** Descs made at run time (custom queries' columns) could be many; the cache starts over beyond this. */
    private static final int MAX_HEADERS = 10_000;

    public static void write(ExpositionBuffer out, Collection<Family> families, boolean openMetrics) {
        Map<MetricDesc, Header> headers = openMetrics ? OPENMETRICS_HEADERS : TEXT_HEADERS;
        for (Family f : families) {
            if (f.samples().isEmpty()) {
                continue;
            }
            Header h = headers.get(f.desc());
            if (h == null) {
                if (headers.size() >= MAX_HEADERS) {
                    headers.clear();
                }
                h = header(f.desc(), openMetrics);
                headers.put(f.desc(), h);
            }
            out.append(h.lines());
            samples(out, h, f);
        }
    }

    private static Header header(MetricDesc desc, boolean openMetrics) {
        String name = desc.name();
        boolean counter = desc.type() == MetricType.COUNTER;
        ExpositionBuffer lines = new ExpositionBuffer(128 + desc.help().length());
        String sampleName;
        if (openMetrics) {
            String family = counter && name.endsWith("_total") ? name.substring(0, name.length() - 6) : name;
            sampleName = counter ? family + "_total" : name;
            lines.append("# TYPE ").append(family).append(' ').append(desc.type().openMetrics()).append('\n');
            lines.append("# HELP ").append(family).append(' ').appendEscaped(desc.help(), true).append('\n');
        } else {
            sampleName = name;
            lines.append("# HELP ").append(name).append(' ').appendEscaped(desc.help(), false).append('\n');
            lines.append("# TYPE ").append(name).append(' ').append(desc.type().text()).append('\n');
        }
        List<String> labels = desc.labelNames();
        byte[][] prefixes = new byte[labels.size()][];
        for (int i = 0; i < labels.size(); i++) {
            prefixes[i] = ((i == 0 ? "{" : ",") + labels.get(i) + "=\"").getBytes(StandardCharsets.UTF_8);
        }
        return new Header(lines.toByteArray(), sampleName.getBytes(StandardCharsets.UTF_8), prefixes);
    }

    private static void samples(ExpositionBuffer out, Header h, Family f) {
        byte[][] prefixes = h.labelPrefixes();
        for (Family.Sample s : f.samples()) {
            out.append(h.name());
            if (prefixes.length > 0) {
                List<String> values = s.labelValues();
                for (int i = 0; i < prefixes.length; i++) {
                    out.append(prefixes[i]).appendEscaped(values.get(i), true).append('"');
                }
                out.append('}');
            }
            out.append(' ').appendValue(s.value()).append('\n');
        }
    }
}
