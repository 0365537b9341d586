package dev.podkit.adapter.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The families of one scrape, sorted by name. Where postgres_exporter fails the whole scrape with
 * HTTP 500 ("collected before with the same name and label values"), this keeps the first sample
 * and counts the conflict: a second sample with the same name and label values, or a family whose
 * type or label names differ from the one already there under that name.
 */
public final class FamilySet implements MetricSink {
    private final Map<String, Family> families = new TreeMap<>();
    private final Map<String, Set<List<String>>> seen = new TreeMap<>();
    private int conflicts;
    private final List<String> conflictNames = new ArrayList<>();

    @Override
    public synchronized void add(MetricDesc desc, double value, String... labelValues) {
        if (labelValues.length != desc.labelNames().size()) {
            throw new IllegalArgumentException(desc.name() + " has " + desc.labelNames().size() + " labels, got "
                    + labelValues.length + " values");
        }
        Family family = families.get(desc.name());
        if (family == null) {
            family = new Family(desc);
            families.put(desc.name(), family);
        } else if (family.desc().type() != desc.type() || !family.desc().labelNames().equals(desc.labelNames())) {
            conflict(desc.name());
            return;
        }
        List<String> values = Arrays.asList(labelValues.clone());
        for (int i = 0; i < labelValues.length; i++) {
            if (values.get(i) == null) {
                values.set(i, "");
            }
        }
        if (!seen.computeIfAbsent(desc.name(), n -> new HashSet<>()).add(values)) {
            conflict(desc.name());
            return;
        }
        family.add(new Family.Sample(List.copyOf(values), value));
    }

    /** Adds every sample of another set (the first one wins, as everywhere). */
    public synchronized void addAll(FamilySet other) {
        for (Family f : other.families()) {
            for (Family.Sample s : f.samples()) {
                add(f.desc(), s.value(), s.labelValues().toArray(String[]::new));
            }
        }
        conflicts += other.conflicts();
        other.conflictNames().forEach(this::rememberName);
    }

    private void conflict(String name) {
        conflicts++;
        rememberName(name);
    }

    private void rememberName(String name) {
        if (conflictNames.size() < 10 && !conflictNames.contains(name)) {
            conflictNames.add(name);
        }
    }

    public synchronized Collection<Family> families() {
        return List.copyOf(families.values());
    }

    public synchronized boolean contains(String name) {
        return families.containsKey(name);
    }

    /** Samples dropped as duplicates or as conflicting families. */
    public synchronized int conflicts() {
        return conflicts;
    }

    /** Up to ten names of families that had conflicts, for the log line. */
    public synchronized List<String> conflictNames() {
        return List.copyOf(conflictNames);
    }
}
