package dev.podkit.adapter.collectors;

import dev.podkit.adapter.collect.PgSession;
import dev.podkit.adapter.model.MetricDesc;
import dev.podkit.adapter.model.MetricSink;
import java.sql.ResultSet;
import java.sql.SQLException;

/** postgres_exporter's {@code replication} collector: is this a replica, and how far behind. */
public final class ReplicationCollector extends FixedQueryCollector {
    static final MetricDesc LAG = MetricDesc.gauge("pg_replication_lag_seconds", "Replication lag behind master in seconds");
    static final MetricDesc IS_REPLICA = MetricDesc.gauge("pg_replication_is_replica", "Indicates if the server is a replica");
    static final MetricDesc LAST_REPLAY = MetricDesc.gauge("pg_replication_last_replay_seconds", "Age of last replay in seconds");

    static final String SQL = """
            SELECT
              CASE WHEN NOT pg_is_in_recovery() THEN 0
                   WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
                   ELSE GREATEST(0, EXTRACT(EPOCH FROM (now() - pg_last_xact_replay_timestamp())))
              END AS lag,
              CASE WHEN pg_is_in_recovery() THEN 1 ELSE 0 END AS is_replica,
              GREATEST(0, EXTRACT(EPOCH FROM (now() - pg_last_xact_replay_timestamp()))) AS last_replay""";

    public ReplicationCollector() {
        super("replication", Scope.CLUSTER, SQL);
    }

    @Override
    public void row(ResultSet rs, PgSession session, MetricSink out) throws SQLException {
        out.add(LAG, PgSession.number(rs, "lag", 0));
        out.add(IS_REPLICA, PgSession.number(rs, "is_replica", 0));
        // NULL on a primary, which has replayed nothing.
        double lastReplay = PgSession.number(rs, "last_replay", Double.NaN);
        if (!Double.isNaN(lastReplay)) {
            out.add(LAST_REPLAY, lastReplay);
        }
    }
}
