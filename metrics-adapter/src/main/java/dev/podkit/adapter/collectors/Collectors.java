package dev.podkit.adapter.collectors;

import dev.podkit.adapter.collect.PgCollector;
import java.util.List;
import java.util.Set;

/** Every collector, in the order they run. */
public final class Collectors {
    private Collectors() {
    }

    /** postgres_exporter's default collectors, then its built-in metric maps. */
    public static List<PgCollector> all(Set<String> excludedDatabases) {
        return List.of(
                new DatabaseCollector(excludedDatabases),
                new LocksCollector(),
                new ReplicationCollector(),
                new ReplicationSlotCollector(),
                new RolesCollector(),
                new StatBgwriterCollector(),
                new StatCheckpointerCollector(),
                new StatDatabaseCollector(),
                new StatProgressVacuumCollector(),
                new StatUserTablesCollector(),
                new StatioUserTablesCollector(),
                new WalCollector(),
                new SettingsCollector(),
                new StatActivityCollector(),
                new StatArchiverCollector(),
                new StatDatabaseConflictsCollector(),
                new StatReplicationCollector(),
                new ReplicationSlotsCollector());
    }

    /** The built-in maps that PG_EXPORTER_DISABLE_DEFAULT_METRICS leaves out. */
    public static final Set<String> DEFAULT_METRICS = Set.of("settings", "stat_activity", "stat_archiver",
            "stat_database_conflicts", "stat_replication", "replication_slots");

    public static List<String> names() {
        return all(Set.of()).stream().map(PgCollector::name).toList();
    }
}
