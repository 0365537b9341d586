package dev.podkit.adapter.model;

/** The metric types postgres_exporter produces. */
public enum MetricType {
    GAUGE("gauge", "gauge"),
    COUNTER("counter", "counter"),
    /** Go's "untyped" (postgres_exporter's pg_static and unknown columns); OpenMetrics calls it "unknown". */
    UNTYPED("untyped", "unknown");

    private final String text;
    private final String openMetrics;

    MetricType(String text, String openMetrics) {
        this.text = text;
        this.openMetrics = openMetrics;
    }

    /** The name in the Prometheus text format 0.0.4. */
    public String text() {
        return text;
    }

    /** The name in OpenMetrics 1.0. */
    public String openMetrics() {
        return openMetrics;
    }
}
