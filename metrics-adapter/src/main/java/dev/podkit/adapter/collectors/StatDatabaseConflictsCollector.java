package dev.podkit.adapter.collectors;

import dev.podkit.adapter.collect.PgCollector;
import dev.podkit.adapter.collect.PgSession;
import dev.podkit.adapter.collect.PgVersion;
import dev.podkit.adapter.model.MetricDesc;
import dev.podkit.adapter.model.MetricSink;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;

/** postgres_exporter's built-in {@code pg_stat_database_conflicts} map. */
public final class StatDatabaseConflictsCollector implements PgCollector {
    static final Map<String, MetricDesc> COLUMNS = new LinkedHashMap<>();
    /** PostgreSQL 16's new column; postgres_exporter's map does not know it and exposes it untyped. */
    static final MetricDesc ACTIVE_LOGICALSLOT = MetricDesc.untyped("pg_stat_database_conflicts_confl_active_logicalslot",
            "Unknown metric from pg_stat_database_conflicts", "datid", "datname", "server");

    static {
        put("confl_tablespace", "Number of queries in this database that have been canceled due to dropped tablespaces");
        put("confl_lock", "Number of queries in this database that have been canceled due to lock timeouts");
        put("confl_snapshot", "Number of queries in this database that have been canceled due to old snapshots");
        put("confl_bufferpin", "Number of queries in this database that have been canceled due to pinned buffers");
        put("confl_deadlock", "Number of queries in this database that have been canceled due to deadlocks");
    }

    private static void put(String column, String help) {
        COLUMNS.put(column, MetricDesc.counter("pg_stat_database_conflicts_" + column, help, "datid", "datname", "server"));
    }

    static String sql(PgVersion version) {
        return "SELECT datid, datname, " + String.join(", ", COLUMNS.keySet())
                + (version.atLeast(16) ? ", confl_active_logicalslot" : "") + " FROM pg_stat_database_conflicts";
    }

    @Override
    public String name() {
        return "stat_database_conflicts";
    }

    @Override
    public Scope scope() {
        return Scope.SERVER;
    }

    @Override
    public String query(PgVersion version) {
        return sql(version);
    }

    @Override
    public void row(ResultSet rs, PgSession session, MetricSink out) throws SQLException {
        boolean pg16 = session.version().atLeast(16);
        String datid = PgSession.text(rs, "datid", "");
        String datname = PgSession.text(rs, "datname", "");
        for (Map.Entry<String, MetricDesc> c : COLUMNS.entrySet()) {
            out.add(c.getValue(), PgSession.number(rs, c.getKey(), Double.NaN), datid, datname, session.server());
        }
        if (pg16) {
            out.add(ACTIVE_LOGICALSLOT, PgSession.number(rs, "confl_active_logicalslot", Double.NaN), datid, datname,
                    session.server());
        }
    }
}
