package dev.podkit.adapter.collectors;

import dev.podkit.adapter.collect.PgSession;
import dev.podkit.adapter.model.MetricDesc;
import dev.podkit.adapter.model.MetricSink;
import dev.podkit.adapter.model.MetricType;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** postgres_exporter's {@code stat_user_tables} collector: per table of the connected database. */
public final class StatUserTablesCollector extends FixedQueryCollector {
    /** Column to metric; the metric name is the column's unless the column is renamed. */
    static final Map<String, MetricDesc> COLUMNS = new LinkedHashMap<>();
    private static final List<String> TIMESTAMPS = List.of("last_vacuum", "last_autovacuum", "last_analyze", "last_autoanalyze");

    static {
        put("seq_scan", "seq_scan", MetricType.COUNTER, "Number of sequential scans initiated on this table");
        put("seq_tup_read", "seq_tup_read", MetricType.COUNTER, "Number of live rows fetched by sequential scans");
        put("idx_scan", "idx_scan", MetricType.COUNTER, "Number of index scans initiated on this table");
        put("idx_tup_fetch", "idx_tup_fetch", MetricType.COUNTER, "Number of live rows fetched by index scans");
        put("n_tup_ins", "n_tup_ins", MetricType.COUNTER, "Number of rows inserted");
        put("n_tup_upd", "n_tup_upd", MetricType.COUNTER, "Number of rows updated");
        put("n_tup_del", "n_tup_del", MetricType.COUNTER, "Number of rows deleted");
        put("n_tup_hot_upd", "n_tup_hot_upd", MetricType.COUNTER, "Number of rows HOT updated (i.e., with no separate index update required)");
        put("n_live_tup", "n_live_tup", MetricType.GAUGE, "Estimated number of live rows");
        put("n_dead_tup", "n_dead_tup", MetricType.GAUGE, "Estimated number of dead rows");
        put("n_mod_since_analyze", "n_mod_since_analyze", MetricType.GAUGE, "Estimated number of rows changed since last analyze");
        put("last_vacuum", "last_vacuum", MetricType.GAUGE, "Last time at which this table was manually vacuumed (not counting VACUUM FULL)");
        put("last_autovacuum", "last_autovacuum", MetricType.GAUGE, "Last time at which this table was vacuumed by the autovacuum daemon");
        put("last_analyze", "last_analyze", MetricType.GAUGE, "Last time at which this table was manually analyzed");
        put("last_autoanalyze", "last_autoanalyze", MetricType.GAUGE, "Last time at which this table was analyzed by the autovacuum daemon");
        put("vacuum_count", "vacuum_count", MetricType.COUNTER, "Number of times this table has been manually vacuumed (not counting VACUUM FULL)");
        put("autovacuum_count", "autovacuum_count", MetricType.COUNTER, "Number of times this table has been vacuumed by the autovacuum daemon");
        put("analyze_count", "analyze_count", MetricType.COUNTER, "Number of times this table has been manually analyzed");
        put("autoanalyze_count", "autoanalyze_count", MetricType.COUNTER, "Number of times this table has been analyzed by the autovacuum daemon");
        put("indexes_size", "index_size_bytes", MetricType.GAUGE, "Total disk space used by this index, in bytes");
        put("table_size", "table_size_bytes", MetricType.GAUGE, "Total disk space used by this table, in bytes");
    }

    private static void put(String column, String metric, MetricType type, String help) {
        COLUMNS.put(column, new MetricDesc("pg_stat_user_tables_" + metric, help, type, List.of("datname", "schemaname", "relname")));
    }

    static final String SQL = """
            SELECT current_database() datname, schemaname, relname, seq_scan, seq_tup_read, idx_scan, idx_tup_fetch,
              n_tup_ins, n_tup_upd, n_tup_del, n_tup_hot_upd, n_live_tup, n_dead_tup, n_mod_since_analyze,
              last_vacuum, last_autovacuum, last_analyze, last_autoanalyze,
              vacuum_count, autovacuum_count, analyze_count, autoanalyze_count,
              pg_indexes_size(relid) AS indexes_size, pg_table_size(relid) AS table_size
            FROM pg_stat_user_tables""";

    public StatUserTablesCollector() {
        super("stat_user_tables", Scope.PER_DATABASE, SQL);
    }

    @Override
    public void row(ResultSet rs, PgSession session, MetricSink out) throws SQLException {
        String datname = PgSession.text(rs, "datname", "unknown");
        String schema = PgSession.text(rs, "schemaname", "unknown");
        String table = PgSession.text(rs, "relname", "unknown");
        for (Map.Entry<String, MetricDesc> c : COLUMNS.entrySet()) {
            double value = TIMESTAMPS.contains(c.getKey()) ? PgSession.epochSeconds(rs, c.getKey(), 0)
                    : PgSession.number(rs, c.getKey(), 0);
            out.add(c.getValue(), value, datname, schema, table);
        }
    }
}
