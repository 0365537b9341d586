package dev.podkit.adapter.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** The samples of one metric family in one scrape. */
public final class Family {
    /** One sample: label values in the order of the family's label names. */
    public record Sample(List<String> labelValues, double value) {
    }

    private final MetricDesc desc;
    private final List<Sample> samples = new ArrayList<>();

    Family(MetricDesc desc) {
        this.desc = desc;
    }

    public MetricDesc desc() {
        return desc;
    }

    public List<Sample> samples() {
        return Collections.unmodifiableList(samples);
    }

    void add(Sample sample) {
        samples.add(sample);
    }

    Family copy() {
        Family f = new Family(desc);
        f.samples.addAll(samples);
        return f;
    }
}
