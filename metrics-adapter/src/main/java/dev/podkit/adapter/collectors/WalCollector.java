package dev.podkit.adapter.collectors;

import dev.podkit.adapter.collect.PgSession;
import dev.podkit.adapter.model.MetricDesc;
import dev.podkit.adapter.model.MetricSink;
import java.sql.ResultSet;
import java.sql.SQLException;

/** postgres_exporter's {@code wal} collector: WAL segments on disk (needs pg_monitor or superuser). */
public final class WalCollector extends FixedQueryCollector {
    static final MetricDesc SEGMENTS = MetricDesc.gauge("pg_wal_segments", "Number of WAL segments");
    static final MetricDesc SIZE = MetricDesc.gauge("pg_wal_size_bytes", "Total size of WAL segments");

    static final String SQL = "SELECT COUNT(*) AS segments, SUM(size) AS size FROM pg_ls_waldir() WHERE name ~ '^[0-9A-F]{24}$'";

    public WalCollector() {
        super("wal", Scope.CLUSTER, SQL);
    }

    @Override
    public void row(ResultSet rs, PgSession session, MetricSink out) throws SQLException {
        out.add(SEGMENTS, PgSession.number(rs, "segments", 0));
        out.add(SIZE, PgSession.number(rs, "size", 0));
    }
}
