package dev.podkit.adapter.collect;

import java.util.List;
import java.util.function.Predicate;

/**
 * What a collection runs: the enabled collectors, and whether (and which) databases are
 * discovered for the per-database ones.
 *
 * @param collectors enabled collectors of every scope, in the order they run
 * @param discoverDatabases run the {@code PER_DATABASE} and {@code CUSTOM} collectors on every database of the first server
 * @param databaseFilter which discovered databases to include (include/exclude lists)
 */
public record Plan(List<PgCollector> collectors, boolean discoverDatabases, Predicate<String> databaseFilter) {
    public Plan {
        collectors = List.copyOf(collectors);
    }

    /** The collectors that run on a data source's own connection. */
    public List<PgCollector> forSource(boolean first) {
        return collectors.stream()
                .filter(c -> first || c.scope() == PgCollector.Scope.SERVER || c.scope() == PgCollector.Scope.CUSTOM)
                .toList();
    }

    /** The collectors that run again on each discovered database. */
    public List<PgCollector> perDatabase() {
        return collectors.stream()
                .filter(c -> c.scope() == PgCollector.Scope.PER_DATABASE || c.scope() == PgCollector.Scope.CUSTOM)
                .toList();
    }
}
