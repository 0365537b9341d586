package dev.podkit.adapter.collectors;

import dev.podkit.adapter.collect.PgSession;
import dev.podkit.adapter.model.MetricDesc;
import dev.podkit.adapter.model.MetricSink;
import java.sql.ResultSet;
import java.sql.SQLException;

/** postgres_exporter's built-in {@code pg_replication_slots} map (0.11's slot metrics, still in use by dashboards). */
public final class ReplicationSlotsCollector extends FixedQueryCollector {
    static final MetricDesc ACTIVE = MetricDesc.gauge("pg_replication_slots_active", "Flag indicating if the slot is active",
            "slot_name", "database", "server");
    static final MetricDesc LSN_DIFF = MetricDesc.gauge("pg_replication_slots_pg_wal_lsn_diff", "Replication lag in bytes",
            "slot_name", "database", "server");

    static final String SQL = """
            SELECT slot_name, database, active,
              (CASE pg_is_in_recovery() WHEN 't' THEN pg_wal_lsn_diff(pg_last_wal_receive_lsn(), restart_lsn)
                    ELSE pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn) END) AS pg_wal_lsn_diff
            FROM pg_replication_slots""";

    public ReplicationSlotsCollector() {
        super("replication_slots", Scope.SERVER, SQL);
    }

    @Override
    public void row(ResultSet rs, PgSession session, MetricSink out) throws SQLException {
        String slot = PgSession.text(rs, "slot_name", "");
        String database = PgSession.text(rs, "database", "");
        boolean active = rs.getBoolean("active");
        out.add(ACTIVE, active ? 1 : 0, slot, database, session.server());
        out.add(LSN_DIFF, PgSession.number(rs, "pg_wal_lsn_diff", Double.NaN), slot, database, session.server());
    }
}
