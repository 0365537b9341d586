package dev.podkit.adapter.collectors;

import dev.podkit.adapter.collect.PgSession;
import dev.podkit.adapter.model.MetricDesc;
import dev.podkit.adapter.model.MetricSink;
import java.sql.ResultSet;
import java.sql.SQLException;

/** postgres_exporter's built-in {@code pg_stat_activity} map: connections per database and state. */
public final class StatActivityCollector extends FixedQueryCollector {
    static final MetricDesc COUNT = MetricDesc.gauge("pg_stat_activity_count", "number of connections in this state",
            "datname", "state", "server");
    static final MetricDesc MAX_TX_DURATION = MetricDesc.gauge("pg_stat_activity_max_tx_duration",
            "max duration in seconds any active transaction has been running", "datname", "state", "server");

    static final String SQL = """
            SELECT pg_database.datname, tmp.state, COALESCE(count, 0) AS count, COALESCE(max_tx_duration, 0) AS max_tx_duration
            FROM (VALUES ('active'), ('idle'), ('idle in transaction'), ('idle in transaction (aborted)'),
                         ('fastpath function call'), ('disabled')) AS tmp(state)
            CROSS JOIN pg_database
            LEFT JOIN (SELECT datname, state, count(*) AS count,
                              MAX(EXTRACT(EPOCH FROM now() - xact_start))::float AS max_tx_duration
                       FROM pg_stat_activity GROUP BY datname, state) AS tmp2
              ON tmp.state = tmp2.state AND pg_database.datname = tmp2.datname""";

    public StatActivityCollector() {
        super("stat_activity", Scope.SERVER, SQL);
    }

    @Override
    public void row(ResultSet rs, PgSession session, MetricSink out) throws SQLException {
        String datname = PgSession.text(rs, "datname", "");
        String state = PgSession.text(rs, "state", "");
        out.add(COUNT, PgSession.number(rs, "count", 0), datname, state, session.server());
        out.add(MAX_TX_DURATION, PgSession.number(rs, "max_tx_duration", 0), datname, state, session.server());
    }
}
