package dev.podkit.adapter.collectors;

import dev.podkit.adapter.collect.PgCollector;
import dev.podkit.adapter.collect.PgSession;
import dev.podkit.adapter.collect.PgVersion;
import dev.podkit.adapter.model.MetricDesc;
import dev.podkit.adapter.model.MetricSink;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * postgres_exporter's {@code stat_bgwriter} collector. PostgreSQL 17 moved the checkpoint columns
 * to {@code pg_stat_checkpointer} ({@link StatCheckpointerCollector}); asking 17 for them is the
 * error that broke postgres_exporter there, so the query depends on the version.
 */
public final class StatBgwriterCollector implements PgCollector {
    static final Map<String, MetricDesc> COLUMNS = new LinkedHashMap<>();

    static {
        column("checkpoints_timed", "Number of scheduled checkpoints that have been performed");
        column("checkpoints_req", "Number of requested checkpoints that have been performed");
        column("checkpoint_write_time", "Total amount of time that has been spent in the portion of checkpoint processing where files are written to disk, in milliseconds");
        column("checkpoint_sync_time", "Total amount of time that has been spent in the portion of checkpoint processing where files are synchronized to disk, in milliseconds");
        column("buffers_checkpoint", "Number of buffers written during checkpoints");
        column("buffers_clean", "Number of buffers written by the background writer");
        column("maxwritten_clean", "Number of times the background writer stopped a cleaning scan because it had written too many buffers");
        column("buffers_backend", "Number of buffers written directly by a backend");
        column("buffers_backend_fsync", "Number of times a backend had to execute its own fsync call (normally the background writer handles those even when the backend does its own write)");
        column("buffers_alloc", "Number of buffers allocated");
        column("stats_reset", "Time at which these statistics were last reset");
    }

    private static void column(String column, String help) {
        COLUMNS.put(column, MetricDesc.counter("pg_stat_bgwriter_" + column + "_total", help));
    }

    /** The columns PostgreSQL {@code version} still has in pg_stat_bgwriter. */
    static List<String> columns(PgVersion version) {
        if (version.atLeast(17)) {
            return List.of("buffers_clean", "maxwritten_clean", "buffers_alloc", "stats_reset");
        }
        return List.copyOf(COLUMNS.keySet());
    }

    static String sql(PgVersion version) {
        return "SELECT " + String.join(", ", columns(version)) + " FROM pg_stat_bgwriter";
    }

    @Override
    public String name() {
        return "stat_bgwriter";
    }

    @Override
    public String query(PgVersion version) {
        return sql(version);
    }

    @Override
    public void row(ResultSet rs, PgSession session, MetricSink out) throws SQLException {
        List<String> columns = columns(session.version());
        for (String column : columns) {
            double value = column.equals("stats_reset") ? PgSession.epochSeconds(rs, column, 0) : PgSession.number(rs, column, 0);
            out.add(COLUMNS.get(column), value);
        }
    }
}
