package dev.podkit.adapter.collect;

import dev.podkit.adapter.dsn.DataSource;
import dev.podkit.adapter.model.FamilySet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One collection in progress. Collectors finish one by one; a collector's samples count only once
 * it has finished, so a collection that is sealed by the timeout shows whole collectors, never half
 * of one, and what finishes after the seal is dropped.
 *
 * <p>The samples are put together in the order the collectors run (the order of
 * {@link #finished} and {@link #reserve} calls), whatever order they finish in: a collector that
 * runs on the second connection reserves its place first and fills it when it is done, so the
 * result (and which of two equal samples wins) is the same as if all had run one after another.
 */
final class Collection {
    private final DataSource source;
    private final List<PgCollector> planned;
    private final long started = System.nanoTime();
    /** The server's own families ({@code pg_static}), first. */
    private FamilySet statics;
    private final List<Slot> slots = new ArrayList<>();
    private final Map<String, Outcome> outcomes = new LinkedHashMap<>();
    private boolean up;
    private boolean serverError;
    private TargetResult sealed;

    /** Where a collector's samples go when it finishes. */
    interface Place {
        void fill(FamilySet samples, double seconds, boolean success);
    }

    /** The place of one collector's samples in the result. */
    final class Slot implements Place {
        private final PgCollector collector;
        private FamilySet samples;

        private Slot(PgCollector collector) {
            this.collector = collector;
        }

        /** Records the collector's samples at the place reserved for them; once only. */
        @Override
        public void fill(FamilySet result, double seconds, boolean success) {
            synchronized (Collection.this) {
                if (sealed != null || samples != null) {
                    return;
                }
                samples = success || !collector.reported() ? result : new FamilySet();
                if (!success && !collector.reported()) {
                    serverError = true;
                }
                if (collector.reported()) {
                    outcomes.merge(collector.name(), new Outcome(collector.name(), seconds, success), Outcome::and);
                }
            }
        }
    }

    Collection(DataSource source, List<PgCollector> planned) {
        this.source = source;
        this.planned = planned;
    }

    synchronized boolean isSealed() {
        return sealed != null;
    }

    /** The first connection answered: {@code pg_up 1}, and the server's own families go first. */
    synchronized void connected(FamilySet serverFamilies) {
        if (sealed == null) {
            up = true;
            statics = serverFamilies;
        }
    }

    /** Reserves the next place for a collector that finishes later, elsewhere. */
    synchronized Slot reserve(PgCollector collector) {
        Slot slot = new Slot(collector);
        if (sealed == null) {
            slots.add(slot);
        }
        return slot;
    }

    void finished(PgCollector collector, FamilySet samples, double seconds, boolean success) {
        reserve(collector).fill(samples, seconds, success);
    }

    /**
     * Ends the collection: what finished stays, what did not counts as failed. Later calls return
     * the same result. Without a connection that answered, nothing counts: {@code pg_up 0} and
     * every collector failed, whatever the second connection got.
     */
    synchronized TargetResult seal(boolean timedOut) {
        if (sealed == null) {
            double elapsed = (System.nanoTime() - started) / 1e9;
            FamilySet families = new FamilySet();
            List<Outcome> all = new ArrayList<>();
            if (up) {
                if (statics != null) {
                    families.addAll(statics);
                }
                for (Slot slot : slots) {
                    if (slot.samples != null) {
                        families.addAll(slot.samples);
                    }
                }
            }
            for (PgCollector c : planned) {
                if (c.reported()) {
                    Outcome o = up ? outcomes.get(c.name()) : null;
                    all.add(o != null ? o : new Outcome(c.name(), elapsed, false));
                }
            }
            boolean unfinishedServerWork = timedOut && planned.stream().anyMatch(c -> !c.reported());
            sealed = new TargetResult(source, up, families, List.copyOf(all),
                    up && (serverError || unfinishedServerWork), timedOut);
        }
        return sealed;
    }
}
