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
 */
final class Collection {
    private final DataSource source;
    private final List<PgCollector> planned;
    private final long started = System.nanoTime();
    private final FamilySet families = new FamilySet();
    private final Map<String, Outcome> outcomes = new LinkedHashMap<>();
    private boolean up;
    private boolean serverError;
    private TargetResult sealed;

    Collection(DataSource source, List<PgCollector> planned) {
        this.source = source;
        this.planned = planned;
    }

    synchronized boolean isSealed() {
        return sealed != null;
    }

    synchronized void connected() {
        up = true;
    }

    synchronized void finished(PgCollector collector, FamilySet samples, double seconds, boolean success) {
        if (sealed != null) {
            return;
        }
        if (success || !collector.reported()) {
            families.addAll(samples);
        }
        if (!success && !collector.reported()) {
            serverError = true;
        }
        if (collector.reported()) {
            outcomes.merge(collector.name(), new Outcome(collector.name(), seconds, success), Outcome::and);
        }
    }

    synchronized void serverFamilies(FamilySet samples) {
        if (sealed == null) {
            families.addAll(samples);
        }
    }

    /** Ends the collection: what finished stays, what did not counts as failed. Later calls return the same result. */
    synchronized TargetResult seal(boolean timedOut) {
        if (sealed == null) {
            double elapsed = (System.nanoTime() - started) / 1e9;
            List<Outcome> all = new ArrayList<>();
            for (PgCollector c : planned) {
                if (c.reported()) {
                    Outcome o = outcomes.get(c.name());
                    all.add(o != null ? o : new Outcome(c.name(), elapsed, false));
                }
            }
            boolean unfinishedServerWork = timedOut && planned.stream().anyMatch(c -> !c.reported());
            sealed = new TargetResult(source, up, families, List.copyOf(all), serverError || (up && unfinishedServerWork),
                    timedOut);
        }
        return sealed;
    }
}
