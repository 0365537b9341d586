package dev.podkit.it.adapter;

import dev.podkit.it.TestImages;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import org.testcontainers.containers.Network;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * The PostgreSQL the adapter ITs run against: {@code postgres:15}, or the compatible image named
 * by {@code -Dpodkit.test.postgres.image} (this project's CI uses a local stand-in). One shared
 * server for the read-only checks, started once per test JVM; tests that restart or stall a
 * server start their own.
 */
final class Postgres {
    static final String ALIAS = "db";
    static final String PASSWORD = "pg-S3cret-pw";
    static final String MONITOR_PASSWORD = "mon-S3cret-pw";

    private static PostgreSQLContainer shared;
    private static Network network;

    private Postgres() {
    }

    static PostgreSQLContainer create(Network net, String alias) {
        return new PostgreSQLContainer(TestImages.postgres())
                .withNetwork(net)
                .withNetworkAliases(alias)
                .withUsername("postgres")
                .withPassword(PASSWORD)
                .withDatabaseName("postgres");
    }

    /** The shared server: a few tables, a second database, a pg_monitor role and a replication slot. */
    static synchronized PostgreSQLContainer shared() {
        if (shared == null) {
            network = Network.newNetwork();
            PostgreSQLContainer pg = create(network, ALIAS);
            pg.start();
            sql(pg, "postgres",
                    "CREATE TABLE public.orders (id serial PRIMARY KEY, note text)",
                    "INSERT INTO public.orders (note) SELECT 'o' || g FROM generate_series(1, 50) g",
                    "CREATE SCHEMA shop",
                    "CREATE TABLE shop.items (id int)",
                    "CREATE ROLE monitor LOGIN PASSWORD '" + MONITOR_PASSWORD + "'",
                    "GRANT pg_monitor TO monitor",
                    "SELECT pg_create_physical_replication_slot('podkit_slot', true)",
                    // A bounded slot reports safe_wal_size (unbounded ones report NULL, and no sample).
                    "ALTER SYSTEM SET max_slot_wal_keep_size = '1GB'",
                    "SELECT pg_reload_conf()",
                    "CREATE DATABASE second");
            sql(pg, "second", "CREATE TABLE public.inventory (id int)", "INSERT INTO public.inventory VALUES (1), (2)");
            shared = pg;
        }
        return shared;
    }

    static Network network() {
        shared();
        return network;
    }

    static Connection connect(PostgreSQLContainer pg, String database) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://" + pg.getHost() + ":" + pg.getMappedPort(5432) + "/" + database,
                pg.getUsername(), pg.getPassword());
    }

    static void sql(PostgreSQLContainer pg, String database, String... statements) {
        try (Connection c = connect(pg, database); Statement st = c.createStatement()) {
            for (String s : statements) {
                st.execute(s);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Connections the adapter holds open, as the server sees them. */
    static int adapterConnections(PostgreSQLContainer pg) {
        try (Connection c = connect(pg, "postgres"); Statement st = c.createStatement();
                var rs = st.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'podkit-metrics-adapter'")) {
            rs.next();
            return rs.getInt(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
