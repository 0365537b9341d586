package dev.podkit.adapter.model;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
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
    private final Map<String, Family> families = new HashMap<>();
    private final Map<String, Set<List<String>>> seen = new HashMap<>();
    /** Families taken over whole from another set by {@link #addAll}: copied before they change. */
    private final Set<String> borrowed = new HashSet<>();
    private int conflicts;
    private final List<String> conflictNames = new ArrayList<>();

    @Override
    public synchronized void add(MetricDesc desc, double value, String... labelValues) {
        if (labelValues.length != desc.labelNames().size()) {
            throw new IllegalArgumentException(desc.name() + " has " + desc.labelNames().size() + " labels, got "
                    + labelValues.length + " values");
        }
        String name = desc.name();
        Family family = families.get(name);
        if (family == null) {
            family = new Family(desc);
            families.put(name, family);
            seen.put(name, new HashSet<>());
        } else if (family.desc().type() != desc.type() || !family.desc().labelNames().equals(desc.labelNames())) {
            conflict(name);
            return;
        } else if (borrowed.remove(name)) {
            family = family.copy();
            families.put(name, family);
            seen.put(name, new HashSet<>(seen.get(name)));
        }
        String[] values = labelValues.clone();
        for (int i = 0; i < values.length; i++) {
            if (values[i] == null) {
                values[i] = "";
            }
        }
        List<String> key = List.of(values);
        if (!seen.get(name).add(key)) {
            conflict(name);
            return;
        }
        family.add(new Family.Sample(key, value));
    }

    /**
     * Adds every sample of another set (the first one wins, as everywhere). A family this set does
     * not have yet is taken over whole, without looking at its samples one by one; neither set
     * changes it afterwards without copying it first.
     */
    public void addAll(FamilySet other) {
        if (other == this) {
            return;
        }
        Map<String, Family> theirFamilies;
        Map<String, Set<List<String>>> theirSeen;
        int theirConflicts;
        List<String> theirNames;
        synchronized (other) {
            theirFamilies = new HashMap<>(other.families);
            theirSeen = new HashMap<>(other.seen);
            theirConflicts = other.conflicts;
            theirNames = List.copyOf(other.conflictNames);
            other.borrowed.addAll(other.families.keySet());
        }
        synchronized (this) {
            for (Map.Entry<String, Family> e : theirFamilies.entrySet()) {
                String name = e.getKey();
                Family f = e.getValue();
                if (!families.containsKey(name)) {
                    families.put(name, f);
                    seen.put(name, theirSeen.get(name));
                    borrowed.add(name);
                } else {
                    for (Family.Sample s : f.samples()) {
                        add(f.desc(), s.value(), s.labelValues().toArray(String[]::new));
                    }
                }
            }
            conflicts += theirConflicts;
            theirNames.forEach(this::rememberName);
        }
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

    /** The families, sorted by name. */
    public synchronized Collection<Family> families() {
        return List.copyOf(new TreeMap<>(families).values());
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
