package dev.podkit.adapter.collectors;

import dev.podkit.adapter.collect.PgCollector;
import dev.podkit.adapter.collect.PgSession;
import dev.podkit.adapter.collect.PgVersion;
import dev.podkit.adapter.model.MetricDesc;
import dev.podkit.adapter.model.MetricSink;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** postgres_exporter's {@code stat_database} collector: one row of pg_stat_database per database. */
public final class StatDatabaseCollector implements PgCollector {
    static final Map<String, MetricDesc> COLUMNS = new LinkedHashMap<>();
    static final MetricDesc ACTIVE_TIME = MetricDesc.counter("pg_stat_database_active_time_seconds_total",
            "Time spent executing SQL statements in this database, in seconds", "datid", "datname");

    static {
        COLUMNS.put("numbackends", MetricDesc.gauge("pg_stat_database_numbackends",
                "Number of backends currently connected to this database. This is the only column in this view that returns a value reflecting current state; all other columns return the accumulated values since the last reset.",
                "datid", "datname"));
        counter("xact_commit", "Number of transactions in this database that have been committed");
        counter("xact_rollback", "Number of transactions in this database that have been rolled back");
        counter("blks_read", "Number of disk blocks read in this database");
        counter("blks_hit", "Number of times disk blocks were found already in the buffer cache, so that a read was not necessary (this only includes hits in the PostgreSQL buffer cache, not the operating system's file system cache)");
        counter("tup_returned", "Number of rows returned by queries in this database");
        counter("tup_fetched", "Number of rows fetched by queries in this database");
        counter("tup_inserted", "Number of rows inserted by queries in this database");
        counter("tup_updated", "Number of rows updated by queries in this database");
        counter("tup_deleted", "Number of rows deleted by queries in this database");
        counter("conflicts", "Number of queries canceled due to conflicts with recovery in this database. (Conflicts occur only on standby servers; see pg_stat_database_conflicts for details.)");
        counter("temp_files", "Number of temporary files created by queries in this database. All temporary files are counted, regardless of why the temporary file was created (e.g., sorting or hashing), and regardless of the log_temp_files setting.");
        counter("temp_bytes", "Total amount of data written to temporary files by queries in this database. All temporary files are counted, regardless of why the temporary file was created, and regardless of the log_temp_files setting.");
        counter("deadlocks", "Number of deadlocks detected in this database");
        counter("blk_read_time", "Time spent reading data file blocks by backends in this database, in milliseconds");
        counter("blk_write_time", "Time spent writing data file blocks by backends in this database, in milliseconds");
        counter("stats_reset", "Time at which these statistics were last reset");
    }

    /**
     * postgres_exporter 0.11 exposed the columns its map did not know as untyped families (NULL as
     * NaN); they are kept for dashboards built on it. Column to the version that added it.
     */
    static final Map<String, Integer> LEGACY_UNTYPED = new LinkedHashMap<>();

    static {
        LEGACY_UNTYPED.put("checksum_failures", 12);
        LEGACY_UNTYPED.put("checksum_last_failure", 12);
        LEGACY_UNTYPED.put("session_time", 14);
        LEGACY_UNTYPED.put("active_time", 14);
        LEGACY_UNTYPED.put("idle_in_transaction_time", 14);
        LEGACY_UNTYPED.put("sessions", 14);
        LEGACY_UNTYPED.put("sessions_abandoned", 14);
        LEGACY_UNTYPED.put("sessions_fatal", 14);
        LEGACY_UNTYPED.put("sessions_killed", 14);
    }

    private static MetricDesc legacy(String column) {
        return MetricDesc.untyped("pg_stat_database_" + column, "Unknown metric from pg_stat_database", "datid", "datname");
    }

    private static void counter(String column, String help) {
        COLUMNS.put(column, MetricDesc.counter("pg_stat_database_" + column, help, "datid", "datname"));
    }

    /** active_time exists from PostgreSQL 14 on. */
    static String sql(PgVersion version) {
        List<String> columns = new ArrayList<>(List.of("datid", "datname"));
        columns.addAll(COLUMNS.keySet());
        LEGACY_UNTYPED.forEach((column, since) -> {
            if (version.atLeast(since)) {
                columns.add(column);
            }
        });
        return "SELECT " + String.join(", ", columns) + " FROM pg_stat_database";
    }

    @Override
    public String name() {
        return "stat_database";
    }

    @Override
    public String query(PgVersion version) {
        return sql(version);
    }

    @Override
    public void row(ResultSet rs, PgSession session, MetricSink out) throws SQLException {
        PgVersion version = session.version();
        boolean activeTime = version.atLeast(14);
        String datid = rs.getString("datid");
        String datname = rs.getString("datname");
        // The row of shared objects has no database: postgres_exporter skips it too.
        if (datid == null || datname == null) {
            return;
        }
        for (Map.Entry<String, MetricDesc> c : COLUMNS.entrySet()) {
            double value = c.getKey().equals("stats_reset") ? PgSession.epochSeconds(rs, c.getKey(), 0)
                    : PgSession.number(rs, c.getKey(), 0);
            out.add(c.getValue(), value, datid, datname);
        }
        if (activeTime) {
            out.add(ACTIVE_TIME, PgSession.number(rs, "active_time", 0) / 1000.0, datid, datname);
        }
        for (Map.Entry<String, Integer> legacy : LEGACY_UNTYPED.entrySet()) {
            if (version.atLeast(legacy.getValue())) {
                String column = legacy.getKey();
                double value = column.equals("checksum_last_failure") ? PgSession.epochSeconds(rs, column, Double.NaN)
                        : PgSession.number(rs, column, Double.NaN);
                out.add(legacy(column), value, datid, datname);
            }
        }
    }
}
