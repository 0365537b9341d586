package dev.podkit.adapter.collect;

import dev.podkit.adapter.model.MetricSink;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * One of postgres_exporter's collectors: a few queries, the samples they give. It runs on a
 * collection thread, never on the admin event loop.
 */
public interface PgCollector {

    /** Where a collector runs. */
    enum Scope {
        /** Once per scrape, on the first data source; reported in {@code pg_scrape_collector_*}. */
        CLUSTER,
        /** Like CLUSTER, and again on every discovered database. */
        PER_DATABASE,
        /** postgres_exporter's built-in metric maps: on every data source, with a {@code server} label. */
        SERVER,
        /** Custom queries: on every data source and on every discovered database, with a {@code server} label. */
        CUSTOM
    }

    /** Whether it is reported in {@code pg_scrape_collector_*} (postgres_exporter's collector package). */
    default boolean reported() {
        return scope() == Scope.CLUSTER || scope() == Scope.PER_DATABASE;
    }

    /** The name of postgres_exporter's switch ({@code --collector.NAME}), used in {@code COLLECTORS_DISABLED}. */
    String name();

    default Scope scope() {
        return Scope.CLUSTER;
    }

    /**
     * The one query this collector sends to a server of this version, or null for none. A
     * collection sends the queries of several such collectors in one round trip.
     */
    default String query(PgVersion version) {
        return null;
    }

    /** Reads one row of {@link #query}'s result. */
    default void row(ResultSet rs, PgSession session, MetricSink out) throws SQLException {
        throw new UnsupportedOperationException(name() + " has no single query");
    }

    /** Collects on its own: {@link #query} row by row, unless a collector runs something else. */
    default void collect(PgSession session, MetricSink out) throws SQLException {
        String sql = query(session.version());
        if (sql != null) {
            session.query(sql, rs -> row(rs, session, out));
        }
    }

    /** Whether {@link #collect} is just {@link #query} and {@link #row}, so that it can share a round trip. */
    default boolean batchable() {
        return true;
    }

    /**
     * Whether it runs on the data source's second connection, concurrently with the other
     * collectors on the first (postgres_exporter, too, collects with two connections at once): for a
     * query that keeps the server busy long enough to be worth a connection of its own.
     */
    default boolean ownConnection() {
        return false;
    }
}
