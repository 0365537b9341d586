package dev.podkit.adapter.collectors;

import dev.podkit.adapter.collect.PgSession;
import dev.podkit.adapter.model.MetricDesc;
import dev.podkit.adapter.model.MetricSink;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;

/** postgres_exporter's {@code statio_user_tables} collector: block I/O per table of the connected database. */
public final class StatioUserTablesCollector extends FixedQueryCollector {
    static final Map<String, MetricDesc> COLUMNS = new LinkedHashMap<>();

    static {
        put("heap_blks_read", "heap_blocks_read", "Number of disk blocks read from this table");
        put("heap_blks_hit", "heap_blocks_hit", "Number of buffer hits in this table");
        put("idx_blks_read", "idx_blocks_read", "Number of disk blocks read from all indexes on this table");
        put("idx_blks_hit", "idx_blocks_hit", "Number of buffer hits in all indexes on this table");
        put("toast_blks_read", "toast_blocks_read", "Number of disk blocks read from this table's TOAST table (if any)");
        put("toast_blks_hit", "toast_blocks_hit", "Number of buffer hits in this table's TOAST table (if any)");
        put("tidx_blks_read", "tidx_blocks_read", "Number of disk blocks read from this table's TOAST table indexes (if any)");
        put("tidx_blks_hit", "tidx_blocks_hit", "Number of buffer hits in this table's TOAST table indexes (if any)");
    }

    private static void put(String column, String metric, String help) {
        COLUMNS.put(column, MetricDesc.counter("pg_statio_user_tables_" + metric, help, "datname", "schemaname", "relname"));
    }

    static final String SQL = "SELECT current_database() datname, schemaname, relname, " + String.join(", ", COLUMNS.keySet())
            + " FROM pg_statio_user_tables";

    public StatioUserTablesCollector() {
        super("statio_user_tables", Scope.PER_DATABASE, SQL);
    }

    @Override
    public void row(ResultSet rs, PgSession session, MetricSink out) throws SQLException {
        String datname = PgSession.text(rs, "datname", "unknown");
        String schema = PgSession.text(rs, "schemaname", "unknown");
        String table = PgSession.text(rs, "relname", "unknown");
        for (Map.Entry<String, MetricDesc> c : COLUMNS.entrySet()) {
            out.add(c.getValue(), PgSession.number(rs, c.getKey(), 0), datname, schema, table);
        }
    }
}
