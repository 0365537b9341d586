package dev.podkit.adapter.model;

/** Where collectors put the samples of one scrape. */
public interface MetricSink {
    /** One sample; {@code labelValues} in the order of the desc's label names. */
    void add(MetricDesc desc, double value, String... labelValues);
}
