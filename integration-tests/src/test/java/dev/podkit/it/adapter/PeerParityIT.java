package dev.podkit.it.adapter;

import static dev.podkit.it.adapter.Scrapes.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podkit.it.PrometheusText;
import dev.podkit.testcontainers.MetricsAdapterContainer;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * The adapter beside the real thing: Debian's postgres_exporter 0.11.1 against the same database,
 * a real Prometheus scraping the adapter, and promtool reading its output.
 */
class PeerParityIT {
    /**
     * Families that postgres_exporter 0.11.1 labels with {@code server} and its current version no
     * longer does (they moved to its collector package); the adapter follows the current version.
     */
    private static final Pattern SERVER_LABEL_DROPPED = Pattern.compile(
            "pg_database_size_bytes|pg_locks_count|pg_stat_bgwriter_.*|pg_stat_database_(?!conflicts_).*");

    private static PostgreSQLContainer pg;
    private static MetricsAdapterContainer adapter;

    @BeforeAll
    static void start() throws Exception {
        pg = Postgres.shared();
        adapter = new MetricsAdapterContainer().withDataSource(pg);
        adapter.start();
    }

    @AfterAll
    static void stop() {
        if (adapter != null) {
            adapter.stop();
        }
    }

    @Test
    void everyFamilyOfPostgresExporter0111IsThereWithItsTypeAndLabels() throws Exception {
        Path exporter = HostProcess.program("prometheus-postgres-exporter", "prometheus-postgres-exporter");
        int port = HostProcess.freePort();
        String dsn = MetricsAdapterContainer.uri(pg.getHost(), pg.getMappedPort(5432), pg.getUsername(), pg.getPassword(), "postgres");
        try (HostProcess peer = HostProcess.start(List.of(exporter.toString(), "--web.listen-address=127.0.0.1:" + port),
                Map.of("DATA_SOURCE_NAME", dsn))) {
            peer.awaitHttp("http://127.0.0.1:" + port + "/metrics", Duration.ofSeconds(30));
            PrometheusText theirs = Scrapes.scrape("http://127.0.0.1:" + port + "/metrics");
            PrometheusText ours = Scrapes.scrape(adapter.getMetricsUrl());
            assertEquals(1.0, value(theirs, "pg_up"), "the peer is connected");
            assertEquals(1.0, value(ours, "pg_up"));

            List<String> problems = new ArrayList<>();
            int compared = 0;
            for (Map.Entry<String, String> family : theirs.types.entrySet()) {
                String name = family.getKey();
                if (!name.startsWith("pg_")) {
                    continue; // go_*, process_*, promhttp_*: the Go runtime's, beside which the JVM's sit here
                }
                compared++;
                if (!family.getValue().equals(ours.types.get(name))) {
                    problems.add(name + ": type " + family.getValue() + " there, " + ours.types.get(name) + " here");
                    continue;
                }
                Set<Set<String>> expected = labelSets(theirs, name);
                if (SERVER_LABEL_DROPPED.matcher(name).matches()) {
                    Set<Set<String>> without = new HashSet<>();
                    expected.forEach(s -> {
                        Set<String> copy = new TreeSet<>(s);
                        copy.remove("server");
                        without.add(copy);
                    });
                    expected = without;
                }
                if (!expected.equals(labelSets(ours, name))) {
                    problems.add(name + ": labels " + expected + " there, " + labelSets(ours, name) + " here");
                }
            }
            assertEquals(List.of(), problems);
            assertTrue(compared > 250, "compared " + compared + " families");

            // Same server, same settings: pg_settings values (unit conversions) must agree exactly,
            // except extra_float_digits, which each client's driver sets for its own session.
            for (PrometheusText.Sample s : theirs.samples) {
                if (s.name().startsWith("pg_settings_") && !s.name().equals("pg_settings_extra_float_digits")) {
                    assertEquals(s.value(), ours.samples.stream().filter(o -> o.name().equals(s.name())).findFirst()
                            .orElseThrow().value(), s.name());
                }
            }
            String theirVersion = label(theirs, "pg_static", "short_version");
            assertEquals(theirVersion, label(ours, "pg_static", "short_version"));
        }
    }

    @Test
    void prometheusScrapesTheAdapterAndStoresPostgresExportersNames() throws Exception {
        Path prometheus = HostProcess.program("prometheus", "prometheus");
        Path dir = Files.createTempDirectory("podkit-prometheus-");
        int port = HostProcess.freePort();
        Files.writeString(dir.resolve("prometheus.yml"), """
                global:
                  scrape_interval: 1s
                  scrape_timeout: 1s
                scrape_configs:
                  - job_name: postgres
                    static_configs:
                      - targets: ['%s:%d']
                """.formatted(adapter.getHost(), adapter.getMappedPort(MetricsAdapterContainer.ADMIN_PORT)));
        try (HostProcess server = HostProcess.start(List.of(prometheus.toString(),
                "--config.file=" + dir.resolve("prometheus.yml"), "--storage.tsdb.path=" + dir.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port), Map.of())) {
            String api = "http://127.0.0.1:" + port;
            server.awaitHttp(api + "/-/ready", Duration.ofSeconds(60));
            assertEquals("1", eventually(api, "pg_up{job=\"postgres\"}"), server.log());
            assertNotEquals("", eventually(api, "pg_stat_database_xact_commit{datname=\"postgres\"}"),
                    "the counter under postgres_exporter's name");
            assertEquals("", query(api, "pg_stat_database_xact_commit_total"), "not under an OpenMetrics name");
            assertEquals("1", eventually(api, "pg_scrape_collector_success{collector=\"stat_user_tables\"}"));
        } finally {
            deleteTree(dir);
        }
    }

    @Test
    void promtoolReadsTheMetricsAndFindsNothingPostgresExporterWouldNotHaveToo() throws Exception {
        Path promtool = HostProcess.program("promtool", "prometheus");
        String body = Scrapes.get(adapter.getMetricsUrl(), Scrapes.PROMETHEUS_ACCEPT).body();
        Process p = new ProcessBuilder(promtool.toString(), "check", "metrics").redirectErrorStream(true).start();
        p.getOutputStream().write(body.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        // 1 is a format error; 3 is lint advice, which postgres_exporter's own names draw as well.
        assertNotEquals(1, p.exitValue(), out);
        assertTrue(!out.contains("error while linting"), out);
        for (String line : out.split("\n")) {
            if (line.startsWith("pg_")) {
                assertTrue(line.endsWith("counter metrics should have \"_total\" suffix")
                        || line.endsWith("non-histogram and non-summary metrics should not have \"_count\" suffix"), line);
            }
        }
    }

    private static String eventually(String api, String query) throws Exception {
        String v = "";
        for (int i = 0; i < 120 && v.isEmpty(); i++) {
            v = query(api, query);
            if (v.isEmpty()) {
                Thread.sleep(500);
            }
        }
        return v;
    }

    /** The value of the first series of an instant query, or "" if there is none. */
    private static String query(String api, String query) throws Exception {
        String body = Scrapes.get(api + "/api/v1/query?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8), null).body();
        Matcher m = Pattern.compile("\"value\":\\[[0-9.]+,\"([^\"]*)\"\\]").matcher(body);
        return m.find() ? m.group(1) : "";
    }

    private static Set<Set<String>> labelSets(PrometheusText text, String name) {
        Set<Set<String>> sets = new HashSet<>();
        text.samples.stream().filter(s -> s.name().equals(name)).forEach(s -> sets.add(new TreeSet<>(s.labels().keySet())));
        return sets;
    }

    private static String label(PrometheusText text, String name, String label) {
        return text.samples.stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow().labels().get(label);
    }

    private static void deleteTree(Path dir) throws Exception {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
