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

/**
 * postgres_exporter's {@code stat_checkpointer} collector: {@code pg_stat_checkpointer}, which
 * PostgreSQL 17 split off pg_stat_bgwriter. Before 17 it collects nothing (and succeeds), so it is
 * on by default here, while postgres_exporter leaves it off.
 */
public final class StatCheckpointerCollector implements PgCollector {
    static final Map<String, MetricDesc> COLUMNS = new LinkedHashMap<>();

    static {
        column("num_timed", "Number of scheduled checkpoints due to timeout");
        column("num_requested", "Number of requested checkpoints that have been performed");
        column("restartpoints_timed", "Number of scheduled restartpoints due to timeout or after a failed attempt to perform it");
        column("restartpoints_req", "Number of requested restartpoints");
        column("restartpoints_done", "Number of restartpoints that have been performed");
        column("write_time", "Total amount of time that has been spent in the portion of processing checkpoints and restartpoints where files are written to disk, in milliseconds");
        column("sync_time", "Total amount of time that has been spent in the portion of processing checkpoints and restartpoints where files are synchronized to disk, in milliseconds");
        column("buffers_written", "Number of buffers written during checkpoints and restartpoints");
        column("stats_reset", "Time at which these statistics were last reset");
    }

    private static void column(String column, String help) {
        COLUMNS.put(column, MetricDesc.counter("pg_stat_checkpointer_" + column + "_total", help));
    }

    /** The query, or null where the view does not exist (before 17). */
    static String sql(PgVersion version) {
        return version.atLeast(17) ? "SELECT " + String.join(", ", COLUMNS.keySet()) + " FROM pg_stat_checkpointer" : null;
    }

    @Override
    public String name() {
        return "stat_checkpointer";
    }

    @Override
    public String query(PgVersion version) {
        return sql(version);
    }

    @Override
    public void row(ResultSet rs, PgSession session, MetricSink out) throws SQLException {
        for (Map.Entry<String, MetricDesc> c : COLUMNS.entrySet()) {
            double value = c.getKey().equals("stats_reset") ? PgSession.epochSeconds(rs, c.getKey(), 0)
                    : PgSession.number(rs, c.getKey(), 0);
            out.add(c.getValue(), value);
        }
    }
}
