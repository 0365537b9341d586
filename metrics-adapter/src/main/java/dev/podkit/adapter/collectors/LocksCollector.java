package dev.podkit.adapter.collectors;

import dev.podkit.adapter.collect.PgSession;
import dev.podkit.adapter.model.MetricDesc;
import dev.podkit.adapter.model.MetricSink;
import java.sql.ResultSet;
import java.sql.SQLException;

/** postgres_exporter's {@code locks} collector: locks held per database and mode, zeros included. */
public final class LocksCollector extends FixedQueryCollector {
    static final MetricDesc COUNT = MetricDesc.gauge("pg_locks_count", "Number of locks", "datname", "mode");

    static final String SQL = """
            SELECT pg_database.datname AS datname, tmp.mode AS mode, COALESCE(count, 0) AS count
            FROM (VALUES ('accesssharelock'), ('rowsharelock'), ('rowexclusivelock'), ('shareupdateexclusivelock'),
                         ('sharelock'), ('sharerowexclusivelock'), ('exclusivelock'), ('accessexclusivelock'),
                         ('sireadlock')) AS tmp(mode)
            CROSS JOIN pg_database
            LEFT JOIN (SELECT database, lower(mode) AS mode, count(*) AS count
                       FROM pg_locks WHERE database IS NOT NULL
                       GROUP BY database, lower(mode)) AS tmp2
              ON tmp.mode = tmp2.mode AND pg_database.oid = tmp2.database
            ORDER BY 1""";

    public LocksCollector() {
        super("locks", Scope.CLUSTER, SQL);
    }

    @Override
    public void row(ResultSet rs, PgSession session, MetricSink out) throws SQLException {
        String datname = rs.getString("datname");
        String mode = rs.getString("mode");
        if (datname != null && mode != null) {
            out.add(COUNT, PgSession.number(rs, "count", 0), datname, mode);
        }
    }
}
