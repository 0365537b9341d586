package dev.podkit.adapter.collectors;

import dev.podkit.adapter.collect.PgSession;
import dev.podkit.adapter.model.MetricDesc;
import dev.podkit.adapter.model.MetricSink;
import java.sql.ResultSet;
import java.sql.SQLException;

/** postgres_exporter's built-in {@code pg_stat_replication} map: one row per connected standby. */
public final class StatReplicationCollector extends FixedQueryCollector {
    static final MetricDesc WAL_LSN_BYTES = MetricDesc.gauge("pg_stat_replication_pg_current_wal_lsn_bytes",
            "WAL position in bytes", "application_name", "client_addr", "state", "slot_name", "server");
    static final MetricDesc WAL_LSN_DIFF = MetricDesc.gauge("pg_stat_replication_pg_wal_lsn_diff",
            "Lag in bytes between master and slave", "application_name", "client_addr", "state", "slot_name", "server");

    static final String SQL = """
            SELECT application_name, client_addr::text AS client_addr, state,
              (CASE pg_is_in_recovery() WHEN 't' THEN pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_lsn('0/0'))::float
                    ELSE pg_wal_lsn_diff(pg_current_wal_lsn(), pg_lsn('0/0'))::float END) AS pg_current_wal_lsn_bytes,
              (CASE pg_is_in_recovery() WHEN 't' THEN pg_wal_lsn_diff(pg_last_wal_receive_lsn(), replay_lsn)::float
                    ELSE pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::float END) AS pg_wal_lsn_diff
            FROM pg_stat_replication""";

    public StatReplicationCollector() {
        super("stat_replication", Scope.SERVER, SQL);
    }

    @Override
    public void row(ResultSet rs, PgSession session, MetricSink out) throws SQLException {
        String app = PgSession.text(rs, "application_name", "");
        String client = PgSession.text(rs, "client_addr", "");
        String state = PgSession.text(rs, "state", "");
        // pg_stat_replication has no slot_name column: postgres_exporter's label stays empty too.
        out.add(WAL_LSN_BYTES, PgSession.number(rs, "pg_current_wal_lsn_bytes", Double.NaN), app, client, state, "",
                session.server());
        out.add(WAL_LSN_DIFF, PgSession.number(rs, "pg_wal_lsn_diff", Double.NaN), app, client, state, "",
                session.server());
    }
}
