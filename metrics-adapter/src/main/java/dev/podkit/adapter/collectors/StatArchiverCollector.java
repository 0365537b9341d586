package dev.podkit.adapter.collectors;

import dev.podkit.adapter.collect.PgSession;
import dev.podkit.adapter.model.MetricDesc;
import dev.podkit.adapter.model.MetricSink;
import java.sql.ResultSet;
import java.sql.SQLException;

/** postgres_exporter's built-in {@code pg_stat_archiver} map. */
public final class StatArchiverCollector extends FixedQueryCollector {
    static final MetricDesc ARCHIVED = MetricDesc.counter("pg_stat_archiver_archived_count",
            "Number of WAL files that have been successfully archived", "server");
    static final MetricDesc FAILED = MetricDesc.counter("pg_stat_archiver_failed_count",
            "Number of failed attempts for archiving WAL files", "server");
    static final MetricDesc AGE = MetricDesc.gauge("pg_stat_archiver_last_archive_age",
            "Time in seconds since last WAL segment was successfully archived", "server");

    static final String SQL = "SELECT archived_count, failed_count,"
            + " extract(epoch from now() - last_archived_time) AS last_archive_age FROM pg_stat_archiver";

    public StatArchiverCollector() {
        super("stat_archiver", Scope.SERVER, SQL);
    }

    @Override
    public void row(ResultSet rs, PgSession session, MetricSink out) throws SQLException {
        out.add(ARCHIVED, PgSession.number(rs, "archived_count", Double.NaN), session.server());
        out.add(FAILED, PgSession.number(rs, "failed_count", Double.NaN), session.server());
        // NaN until the first WAL file is archived, as in postgres_exporter.
        out.add(AGE, PgSession.number(rs, "last_archive_age", Double.NaN), session.server());
    }
}
