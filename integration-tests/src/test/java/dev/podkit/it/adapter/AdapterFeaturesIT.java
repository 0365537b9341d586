package dev.podkit.it.adapter;

import static dev.podkit.it.adapter.Scrapes.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podkit.it.PrometheusText;
import dev.podkit.testcontainers.MetricsAdapterContainer;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.testcontainers.postgresql.PostgreSQLContainer;

/** Custom queries, database discovery, a pg_monitor user and /probe with auth modules. */
class AdapterFeaturesIT {
    private static final String SERVER = Postgres.ALIAS + ":5432";

    private static final String QUERIES = """
            app_orders:
              query: "SELECT current_database() AS datname, count(*) AS total, 'ok' AS state FROM public.orders"
              master: true
              metrics:
                - datname: {usage: LABEL, description: "Database"}
                - total: {usage: GAUGE, description: "Orders in the table"}
                - state:
                    usage: MAPPEDMETRIC
                    description: "Order processing state"
                    metric_mapping: {ok: 1, stuck: 0}
            app_broken:
              query: "SELECT x FROM no_such_table"
              metrics:
                - x: {usage: GAUGE, description: "never"}
            app_slow:
              query: "SELECT pg_sleep(5) AS slept"
              timeout: 300ms
              metrics:
                - slept: {usage: GAUGE, description: "never"}
            app_future:
              query: "SELECT 1 AS one"
              runonserver: ">=99.0.0"
              metrics:
                - one: {usage: GAUGE, description: "never"}
            app_each_database:
              query: "SELECT current_database() AS datname, 1 AS one"
              metrics:
                - datname: {usage: LABEL, description: "Database"}
                - one: {usage: COUNTER, description: "One per database"}
            pg_locks:
              query: "SELECT 'x' AS datname, 'y' AS mode, 1 AS count"
              master: true
              metrics:
                - datname: {usage: LABEL, description: "clashes with the locks collector"}
                - mode: {usage: LABEL, description: "clashes with the locks collector"}
                - count: {usage: GAUGE, description: "clashes with the locks collector"}
            """;

    @Test
    void customQueriesRunAndOneFailingQueryLeavesTheOthersAlone() throws Exception {
        PostgreSQLContainer pg = Postgres.shared();
        try (MetricsAdapterContainer adapter = new MetricsAdapterContainer().withDataSource(pg).withQueries(QUERIES)
                .withCollectionTimeout(Duration.ofSeconds(3))) {
            adapter.start();
            Scrapes.scrape(adapter.getMetricsUrl());
            PrometheusText text = Scrapes.scrape(adapter.getMetricsUrl());
            assertEquals("gauge", text.types.get("app_orders_total"));
            assertEquals(50.0, value(text, "app_orders_total", Map.of("datname", "postgres", "server", SERVER)));
            assertEquals(1.0, value(text, "app_orders_state", Map.of("datname", "postgres", "server", SERVER)));
            assertEquals("counter", text.types.get("app_each_database_one"));
            assertEquals(1.0, value(text, "app_each_database_one", Map.of("datname", "postgres", "server", SERVER)));
            assertFalse(text.types.containsKey("app_broken_x"), "the failing query has no samples");
            assertFalse(text.types.containsKey("app_slow_slept"), "the slow query was cut off by its own timeout");
            assertFalse(text.types.containsKey("app_future_one"), "not for this server version");
            assertEquals(1.0, value(text, "pg_exporter_last_scrape_error"), "a query failed");
            assertEquals(1.0, value(text, "pg_up"));
            assertEquals(1.0, value(text, "pg_scrape_collector_success", Map.of("collector", "stat_database")));
            // The clashing custom pg_locks_count (other labels) is dropped and counted, not an HTTP 500.
            assertTrue(text.value("pg_locks_count", Map.of("datname", "postgres", "mode", "accesssharelock")).isPresent());
            assertTrue(value(text, "podkit_adapter_duplicate_series_total") > 0);
            PrometheusText.Sample status = text.samples.stream()
                    .filter(s -> s.name().equals("pg_exporter_user_queries_load_error")).findFirst().orElseThrow();
            assertEquals(0.0, status.value());
            assertEquals(MetricsAdapterContainer.QUERIES_PATH, status.labels().get("filename"));
            assertTrue(status.labels().get("hashsum").matches("[0-9a-f]{64}"), status.labels().toString());
        }
    }

    @Test
    void discoveredDatabasesGetTableStatisticsWithTheirDatname() throws Exception {
        PostgreSQLContainer pg = Postgres.shared();
        Postgres.sql(pg, "postgres", "CREATE DATABASE skipme", "CREATE DATABASE third");
        Postgres.sql(pg, "skipme", "CREATE TABLE hidden (id int)");
        Postgres.sql(pg, "third", "CREATE TABLE ephemeral (id int)");
        try (MetricsAdapterContainer adapter = new MetricsAdapterContainer().withDataSource(pg)
                .withDatabaseDiscovery("skipme").withQueries(QUERIES)) {
            adapter.start();
            PrometheusText text = Scrapes.scrape(adapter.getMetricsUrl());
            for (String db : List.of("postgres", "second", "third")) {
                assertEquals(1.0, value(text, "app_each_database_one", Map.of("datname", db, "server", SERVER)), db);
            }
            assertTrue(text.value("pg_stat_user_tables_n_live_tup", Map.of("datname", "second", "schemaname", "public",
                    "relname", "inventory")).isPresent());
            assertTrue(text.value("pg_statio_user_tables_heap_blocks_hit", Map.of("datname", "third", "schemaname", "public",
                    "relname", "ephemeral")).isPresent());
            // Excluded from discovery and from pg_database_* (server-wide views such as pg_locks still list it, as upstream's do).
            assertTrue(text.samples.stream().noneMatch(s -> "skipme".equals(s.labels().get("datname"))
                    && (s.name().startsWith("pg_stat_user_tables_") || s.name().startsWith("pg_statio_user_tables_")
                        || s.name().startsWith("app_") || s.name().startsWith("pg_database_"))), "excluded");
            assertEquals(1.0, value(text, "pg_scrape_collector_success", Map.of("collector", "stat_user_tables")));

            Postgres.sql(pg, "third", "DROP TABLE ephemeral");
            PrometheusText after = Scrapes.scrape(adapter.getMetricsUrl());
            assertTrue(after.samples.stream().noneMatch(s -> "ephemeral".equals(s.labels().get("relname"))));
            assertEquals(4, Postgres.adapterConnections(pg),
                    "one long-lived connection per discovered database, two for the data source's own");
        } finally {
            Postgres.sql(pg, "postgres", "DROP DATABASE skipme WITH (FORCE)", "DROP DATABASE third WITH (FORCE)");
        }
    }

    @Test
    void aNonSuperuserWithPgMonitorGetsEveryCollector() throws Exception {
        PostgreSQLContainer pg = Postgres.shared();
        try (MetricsAdapterContainer adapter = new MetricsAdapterContainer()
                .withDataSource(pg, "monitor", Postgres.MONITOR_PASSWORD, "postgres")) {
            adapter.start();
            Scrapes.scrape(adapter.getMetricsUrl());
            PrometheusText text = Scrapes.scrape(adapter.getMetricsUrl());
            assertEquals(1.0, value(text, "pg_up"));
            assertEquals(0.0, value(text, "pg_exporter_last_scrape_error"), "the built-in maps work too");
            List<PrometheusText.Sample> outcomes = text.samples.stream()
                    .filter(s -> s.name().equals("pg_scrape_collector_success")).toList();
            assertEquals(12, outcomes.size());
            for (PrometheusText.Sample s : outcomes) {
                assertEquals(1.0, s.value(), s.labels().toString());
            }
            assertTrue(value(text, "pg_wal_segments") >= 1);
            assertTrue(value(text, "pg_database_size_bytes", Map.of("datname", "second")) > 0);
        }
    }

    @Test
    void probeCollectsFromTheTargetWithAnAuthModule() throws Exception {
        PostgreSQLContainer pg = Postgres.shared();
        String config = """
                auth_modules:
                  monitoring:
                    type: userpass
                    userpass:
                      username: monitor
                      password: %s
                    options:
                      sslmode: disable
                  wrong:
                    type: userpass
                    userpass:
                      username: monitor
                      password: not-the-password
                """.formatted(Postgres.MONITOR_PASSWORD);
        try (MetricsAdapterContainer adapter = new MetricsAdapterContainer().withNetwork(Postgres.network())
                .withConfigFile(config).withTelemetryPath("/pgmetrics")) {
            adapter.start();
            PrometheusText probe = Scrapes.scrape(adapter.getProbeUrl(SERVER + "/postgres", "monitoring"));
            assertEquals(1.0, value(probe, "pg_up"));
            assertTrue(probe.value("pg_stat_database_xact_commit", Map.of("datid", "5", "datname", "postgres")).isPresent()
                    || probe.types.containsKey("pg_stat_database_xact_commit"));
            assertEquals(1.0, value(probe, "pg_scrape_collector_success", Map.of("collector", "locks")));
            assertFalse(probe.types.containsKey("jvm_memory_used_bytes"), "only the target's families");

            assertEquals(0.0, value(Scrapes.scrape(adapter.getProbeUrl(SERVER + "/postgres", "wrong")), "pg_up"));
            HttpResponse<String> noTarget = Scrapes.get(adapter.getAdminUrl() + "/probe", null);
            assertEquals(400, noTarget.statusCode());
            HttpResponse<String> unknown = Scrapes.get(adapter.getProbeUrl(SERVER + "/postgres", "nope"), null);
            assertEquals(400, unknown.statusCode());
            assertTrue(unknown.body().contains("auth_module nope"), unknown.body());

            // No DATA_SOURCE_NAME: the metrics path still answers, with the process's meters and no pg_up.
            PrometheusText own = Scrapes.scrape(adapter.getAdminUrl() + "/pgmetrics");
            assertFalse(own.types.containsKey("pg_up"));
            assertTrue(own.types.containsKey("pg_exporter_scrapes_total"));
            assertTrue(own.types.containsKey("jvm_memory_used_bytes"));
            assertFalse(adapter.getLogs().contains(Postgres.MONITOR_PASSWORD));
        }
    }
}
