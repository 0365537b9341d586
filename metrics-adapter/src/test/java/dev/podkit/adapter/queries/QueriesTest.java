package dev.podkit.adapter.queries;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podkit.adapter.collect.PgCollector;
import dev.podkit.adapter.probe.AuthModules;
import dev.podkit.adapter.probe.AuthModulesFile;
import dev.podkit.runtime.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class QueriesTest {
    @TempDir
    Path dir;

    private Path file(String yaml) throws Exception {
        Path f = dir.resolve("queries.yaml");
        Files.writeString(f, yaml);
        return f;
    }

    @Test
    void readsPostgresExportersFormat() throws Exception {
        Queries q = Queries.load(file("""
                pg_replication:
                  query: "SELECT 0 AS lag"
                  master: true
                  metrics:
                    - lag:
                        usage: "GAUGE"
                        description: "Replication lag behind master in seconds"
                app_orders:
                  query: "SELECT current_database() AS datname, count(*) AS total FROM orders"
                  cache_seconds: 30
                  runonserver: ">=13.0.0"
                  timeout: 500ms
                  metrics:
                    - datname: {usage: LABEL, description: "Database"}
                    - total: {usage: COUNTER, description: "Orders"}
                    - state:
                        usage: MAPPEDMETRIC
                        description: "State"
                        metric_mapping: {ok: 1, bad: 0}
                        pg_version: ">=14"
                """), Duration.ofSeconds(5));
        List<CustomQuery> collectors = q.collectors();
        assertEquals(List.of("query:pg_replication", "query:app_orders"), collectors.stream().map(PgCollector::name).toList());
        assertEquals(PgCollector.Scope.SERVER, collectors.get(0).scope(), "master: only the configured database");
        assertEquals(PgCollector.Scope.CUSTOM, collectors.get(1).scope(), "also on discovered databases");
        assertTrue(!collectors.get(0).reported(), "custom queries are not in pg_scrape_collector_*");
        assertEquals(1, q.loadStatus().families().size());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "'q:\n  query: SELECT 1\n  metric:\n    - a: {usage: GAUGE}\n' | unknown field \"metric\"",
        "'q:\n  query: SELECT 1\n  metrics:\n    - a: {usage: GAUGE, descripton: x}\n' | unknown field \"descripton\"",
        "'q:\n  query: SELECT 1\n  metrics:\n    - a: {usage: GAUGE}\nq:\n  query: SELECT 2\n' | line 5",
        "'q:\n  query: SELECT 1\n  metrics:\n    - a: {usage: GAGE}\n' | at q.metrics[0].a: usage \"GAGE\" is not one of",
        "'q:\n  query: SELECT 1\n  metrics:\n    - a: {usage: HISTOGRAM}\n' | HISTOGRAM columns are not supported",
        "'q:\n  query: SELECT 1\n  metrics:\n    - a: {usage: MAPPEDMETRIC}\n' | MAPPEDMETRIC needs metric_mapping",
        "'q:\n  metrics:\n    - a: {usage: GAUGE}\n' | at q: query is missing",
        "'q:\n  query: SELECT 1\n' | at q: metrics is missing",
        "'q:\n  query: SELECT 1\n  runonserver: newest\n  metrics:\n    - a: {usage: GAUGE}\n' | q.runonserver: not a version range",
        "'q:\n  query: SELECT 1\n  timeout: 1m\n  metrics:\n    - a: {usage: GAUGE}\n' | q.timeout: must be more than 0 and at most COLLECTION_TIMEOUT",
        "'q:\n  query: SELECT 1\n  cache_seconds: \"30\"\n  metrics:\n    - a: {usage: GAUGE}\n' | expected a whole number",
        "'9q:\n  query: SELECT 1\n  metrics:\n    - a: {usage: GAUGE}\n' | not a valid metric name prefix",
    })
    void aBrokenFileStopsTheStartWithOneLineNamingFileAndPlace(String yaml, String expected) throws Exception {
        Path f = file(yaml);
        ConfigException e = assertThrows(ConfigException.class, () -> Queries.load(f, Duration.ofSeconds(5)));
        assertTrue(e.getMessage().startsWith("config error: PG_EXPORTER_EXTEND_QUERY_PATH: " + f), e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
    }

    @ParameterizedTest
    @CsvSource({"1.5s, 1500", "1h2m, 3720000", "150ms, 150", "01:02:03.5, 3723500", "-00:00:01, -1000", "soon, "})
    void durationColumnsInMilliseconds(String text, Double ms) {
        assertEquals(ms, CustomQuery.milliseconds(text));
    }

    @Test
    void authModulesFromPostgresExportersConfigFile() throws Exception {
        Path f = dir.resolve("postgres_exporter.yml");
        Files.writeString(f, """
                auth_modules:
                  monitoring:
                    type: userpass
                    userpass:
                      username: monitor
                      password: s3cret
                    options:
                      sslmode: disable
                """);
        AuthModules modules = AuthModulesFile.load(f);
        assertEquals("monitor", modules.get("monitoring").username());
        assertTrue(!modules.get("monitoring").toString().contains("s3cret"));

        Files.writeString(f, "auth_modules:\n  m:\n    type: tls\n");
        ConfigException e = assertThrows(ConfigException.class, () -> AuthModulesFile.load(f));
        assertTrue(e.getMessage().startsWith("config error: PG_EXPORTER_CONFIG_FILE: " + f + " at auth_modules.m.type"), e.getMessage());
    }
}
