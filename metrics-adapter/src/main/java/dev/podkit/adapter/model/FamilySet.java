package dev.podkit.adapter.model;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The families of one scrape, sorted by name. Where postgres_exporter fails the whole scrape with
 * HTTP 500 ("collected before with the same name and label values"), this keeps the first sample
 * and counts the conflict: a second sample with the same name and label values, or a family whose
 * type or label names differ from the one already there under that name.
 */
public final class FamilySet implements MetricSink {
    private static final Comparator<Family> BY_NAME = Comparator.comparing(f -> f.desc().name());

    /**
     * A family in this set and the label values it has. A family taken over whole from another
     * set ({@link #addAll}) is {@code shared} by both: whichever adds to it first copies it.
     */
    private static final class Entry {
        Family family;
        Set<List<String>> seen;
        boolean shared;

        Entry(Family family, Set<List<String>> seen, boolean shared) {
            this.family = family;
            this.seen = seen;
            this.shared = shared;
        }
    }

    private final Map<String, Entry> families = new HashMap<>();
    private int conflicts;
    private final List<String> conflictNames = new ArrayList<>();

    @Override
    public synchronized void add(MetricDesc desc, double value, String... labelValues) {
        if (labelValues.length != desc.labelNames().size()) {
            throw new IllegalArgumentException(desc.name() + " has " + desc.labelNames().size() + " labels, got "
                    + labelValues.length + " values");
        }
        String name = desc.name();
        Entry e = families.get(name);
        if (e == null) {
            e = new Entry(new Family(desc), new HashSet<>(), false);
            families.put(name, e);
        } else if (e.family.desc().type() != desc.type() || !e.family.desc().labelNames().equals(desc.labelNames())) {
            conflict(name);
            return;
        } else if (e.shared) {
            e.family = e.family.copy();
            e.seen = new HashSet<>(e.seen);
            e.shared = false;
        }
        String[] values = labelValues.clone();
        for (int i = 0; i < values.length; i++) {
            if (values[i] == null) {
                values[i] = "";
            }
        }
        List<String> key = List.of(values);
        if (!e.seen.add(key)) {
            conflict(name);
            return;
        }
        e.family.add(new Family.Sample(key, value));
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
        List<Entry> theirs;
        int theirConflicts;
        List<String> theirNames;
        synchronized (other) {
            theirs = new ArrayList<>(other.families.size());
            for (Entry e : other.families.values()) {
                e.shared = true;
                theirs.add(new Entry(e.family, e.seen, true));
            }
            theirConflicts = other.conflicts;
            theirNames = List.copyOf(other.conflictNames);
        }
        synchronized (this) {
            for (Entry t : theirs) {
                Family f = t.family;
                if (families.putIfAbsent(f.desc().name(), t) != null) {
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
        List<Family> sorted = new ArrayList<>(families.size());
        for (Entry e : families.values()) {
            sorted.add(e.family);
        }
        sorted.sort(BY_NAME);
        return sorted;
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
