package dev.podkit.adapter.collectors;

import dev.podkit.adapter.collect.PgCollector;
import dev.podkit.adapter.collect.PgSession;
import dev.podkit.adapter.collect.PgVersion;
import dev.podkit.adapter.model.MetricDesc;
import dev.podkit.adapter.model.MetricSink;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

/** postgres_exporter's {@code stat_progress_vacuum} collector: vacuums running right now. */
public final class StatProgressVacuumCollector implements PgCollector {
    static final List<String> PHASES = List.of("initializing", "scanning heap", "vacuuming indexes", "vacuuming heap",
            "cleaning up indexes", "truncating heap", "performing final cleanup");

    static final MetricDesc PHASE = MetricDesc.gauge("pg_stat_progress_vacuum_phase",
            "Current vacuum phase (1 = active, 0 = inactive). Label 'phase' is human-readable.", "datname", "relname", "phase");
    static final MetricDesc HEAP_BLKS = MetricDesc.gauge("pg_stat_progress_vacuum_heap_blks",
            "Total number of heap blocks in the table being vacuumed.", "datname", "relname");
    static final MetricDesc HEAP_BLKS_SCANNED = MetricDesc.gauge("pg_stat_progress_vacuum_heap_blks_scanned",
            "Number of heap blocks scanned so far.", "datname", "relname");
    static final MetricDesc HEAP_BLKS_VACUUMED = MetricDesc.gauge("pg_stat_progress_vacuum_heap_blks_vacuumed",
            "Number of heap blocks vacuumed so far.", "datname", "relname");
    static final MetricDesc INDEX_VACUUMS = MetricDesc.gauge("pg_stat_progress_vacuum_index_vacuums",
            "Number of completed index vacuum cycles.", "datname", "relname");
    static final MetricDesc MAX_DEAD_TUPLES = MetricDesc.gauge("pg_stat_progress_vacuum_max_dead_tuples",
            "Number of dead tuples that we can store before needing to perform an index vacuum cycle.", "datname", "relname");
    static final MetricDesc NUM_DEAD_TUPLES = MetricDesc.gauge("pg_stat_progress_vacuum_num_dead_tuples",
            "Number of dead tuples collected since the last index vacuum cycle.", "datname", "relname");

    /** PostgreSQL 17 renamed the dead-tuple columns (and counts bytes and item ids instead). */
    static String sql(PgVersion version) {
        String dead = version.atLeast(17)
                ? "s.max_dead_tuple_bytes AS max_dead_tuples, s.num_dead_item_ids AS num_dead_tuples"
                : "s.max_dead_tuples, s.num_dead_tuples";
        return "SELECT d.datname, s.relid::regclass::text AS relname, s.phase, s.heap_blks_total, s.heap_blks_scanned,"
                + " s.heap_blks_vacuumed, s.index_vacuum_count, " + dead
                + " FROM pg_stat_progress_vacuum s JOIN pg_database d ON s.datid = d.oid";
    }

    @Override
    public String name() {
        return "stat_progress_vacuum";
    }

    @Override
    public String query(PgVersion version) {
        return sql(version);
    }

    @Override
    public void row(ResultSet rs, PgSession session, MetricSink out) throws SQLException {
        String datname = PgSession.text(rs, "datname", "unknown");
        String relname = PgSession.text(rs, "relname", "unknown");
        String phase = PgSession.text(rs, "phase", "unknown");
        for (String p : PHASES) {
            out.add(PHASE, p.equals(phase) ? 1 : 0, datname, relname, p);
        }
        out.add(HEAP_BLKS, PgSession.number(rs, "heap_blks_total", 0), datname, relname);
        out.add(HEAP_BLKS_SCANNED, PgSession.number(rs, "heap_blks_scanned", 0), datname, relname);
        out.add(HEAP_BLKS_VACUUMED, PgSession.number(rs, "heap_blks_vacuumed", 0), datname, relname);
        out.add(INDEX_VACUUMS, PgSession.number(rs, "index_vacuum_count", 0), datname, relname);
        out.add(MAX_DEAD_TUPLES, PgSession.number(rs, "max_dead_tuples", 0), datname, relname);
        out.add(NUM_DEAD_TUPLES, PgSession.number(rs, "num_dead_tuples", 0), datname, relname);
    }
}
