package dev.podkit.it.adapter;

import static dev.podkit.it.adapter.Scrapes.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import dev.podkit.it.PrometheusText;
import dev.podkit.it.TestImages;
import dev.podkit.testcontainers.MetricsAdapterContainer;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.output.OutputFrame.OutputType;
import org.testcontainers.containers.startupcheck.StartupCheckStrategy;
import org.testcontainers.containers.wait.strategy.AbstractWaitStrategy;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.postgresql.PostgreSQLContainer;
import org.testcontainers.utility.DockerStatus;

/** What postgres_exporter gets wrong: stalled and restarted servers, bad passwords, duplicate DSNs, bad settings. */
class AdapterFailuresIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(1);
    private static final String WRONG_PASSWORD = "Wr0ng-Pa55-word";
    private static final String SAMPLE_COLLECTOR = "stat_database";

    /** A scrape against a stuck server returns at the timeout; a hang would take minutes. */
    private static PrometheusText timedScrape(MetricsAdapterContainer adapter) throws Exception {
        long begin = System.nanoTime();
        PrometheusText text = Scrapes.scrape(adapter.getMetricsUrl());
        double seconds = (System.nanoTime() - begin) / 1e9;
        assertTrue(seconds < TIMEOUT.toSeconds() * 15, "scrape took " + seconds + " s with COLLECTION_TIMEOUT=" + TIMEOUT);
        return text;
    }

    @Test
    void aServerThatAcceptsButNeverAnswersGivesAPromptPgUpZero() throws Exception {
        try (GenericContainer<?> stall = new GenericContainer<>(TestImages.busybox())
                .withNetwork(Postgres.network())
                .withNetworkAliases("stall")
                .withCommand("nc", "-ll", "-p", "5432", "-e", "sleep", "3600")
                .waitingFor(Wait.forListeningPorts());
             MetricsAdapterContainer adapter = new MetricsAdapterContainer()
                     .withNetwork(Postgres.network())
                     .withDataSourceName(MetricsAdapterContainer.uri("stall", 5432, "postgres", "x", "postgres"))
                     .withCollectionTimeout(TIMEOUT)) {
            stall.withExposedPorts(5432);
            stall.start();
            adapter.start();
            for (int i = 0; i < 3; i++) {
                PrometheusText text = timedScrape(adapter);
                assertEquals(0.0, value(text, "pg_up"));
                assertEquals(0.0, value(text, "pg_scrape_collector_success", Map.of("collector", SAMPLE_COLLECTOR)));
                assertEquals(1.0, value(text, "pg_exporter_last_scrape_error"));
            }
            assertEquals(200, Scrapes.get(adapter.getAdminUrl() + "/healthz", null).statusCode());
            assertTrue(value(Scrapes.scrape(adapter.getMetricsUrl()), "podkit_adapter_collection_timeouts_total") >= 1);
        }
    }

    @Test
    void aPausedThenRestartedServerIsReconnectedWithoutLeaks() throws Exception {
        try (PostgreSQLContainer victim = Postgres.create(Postgres.network(), "victim");
             MetricsAdapterContainer adapter = new MetricsAdapterContainer().withCollectionTimeout(TIMEOUT)) {
            victim.start();
            adapter.withDataSource(victim).start();
            // The first connection of a cold JVM may take longer than this test's short timeout.
            assertEquals(1.0, eventuallyUp(adapter));

            DockerClient docker = DockerClientFactory.instance().client();
            docker.pauseContainerCmd(victim.getContainerId()).exec();
            try {
                PrometheusText stalled = timedScrape(adapter);
                assertEquals(0.0, value(stalled, "pg_scrape_collector_success", Map.of("collector", SAMPLE_COLLECTOR)));
                assertEquals(1.0, value(stalled, "pg_exporter_last_scrape_error"));
            } finally {
                docker.unpauseContainerCmd(victim.getContainerId()).exec();
            }
            assertEquals(1.0, eventuallyUp(adapter), "back after the pause");

            docker.restartContainerCmd(victim.getContainerId()).withTimeout(10).exec();
            assertEquals(1.0, eventuallyUp(adapter), "back after the restart");
            for (int i = 0; i < 5; i++) {
                assertEquals(1.0, value(Scrapes.scrape(adapter.getMetricsUrl()), "pg_up"));
            }
            var count = victim.execInContainer("psql", "-U", "postgres", "-tAc",
                    "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'podkit-metrics-adapter'");
            assertEquals("2", count.getStdout().trim(), "two connections after a pause, a restart and many scrapes: " + count
                    + "\n" + adapter.getLogs(OutputType.STDERR));
        }
    }

    /**
     * A kept connection is used without a check round trip before each scrape: a backend that was
     * terminated since the last scrape (both of the adapter's) is found on the first query,
     * replaced, and the query sent again, once. The next scrape is complete, as before.
     */
    @Test
    void terminatedBackendsCostNoFailedScrape() throws Exception {
        try (PostgreSQLContainer victim = Postgres.create(Postgres.network(), "terminated");
             MetricsAdapterContainer adapter = new MetricsAdapterContainer()) {
            victim.start();
            adapter.withDataSource(victim).start();
            assertEquals(1.0, eventuallyUp(adapter));
            Set<String> families = pgFamilies(Scrapes.scrape(adapter.getMetricsUrl()));
            for (int round = 0; round < 3; round++) {
                var killed = victim.execInContainer("psql", "-U", "postgres", "-tAc",
                        "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid, 10000)) FROM pg_stat_activity"
                                + " WHERE application_name = 'podkit-metrics-adapter'");
                assertEquals("2", killed.getStdout().trim(), "both connections terminated: " + killed);

                PrometheusText text = Scrapes.scrape(adapter.getMetricsUrl());
                assertEquals(1.0, value(text, "pg_up"), "round " + round);
                assertEquals(0.0, value(text, "pg_exporter_last_scrape_error"), "round " + round);
                List<String> failed = text.samples.stream()
                        .filter(s -> s.name().equals("pg_scrape_collector_success") && s.value() != 1.0)
                        .map(s -> s.labels().get("collector")).toList();
                assertEquals(List.of(), failed, "round " + round);
                assertTrue(value(text, "pg_database_size_bytes", Map.of("datname", "postgres")) > 0);
                assertEquals(families, pgFamilies(text), "round " + round);
            }
            var count = victim.execInContainer("psql", "-U", "postgres", "-tAc",
                    "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'podkit-metrics-adapter'");
            assertEquals("2", count.getStdout().trim(), "replaced, not added: " + count);
        }
    }

    /**
     * A role that may open one connection: the second connection never takes it from the first;
     * it fails once, says so in one line, and the database sizes are collected on the first.
     */
    @Test
    void aRoleWithConnectionLimitOneGetsEveryCollectorOnOneConnection() throws Exception {
        PostgreSQLContainer pg = Postgres.shared();
        Postgres.sql(pg, "postgres", "CREATE ROLE single LOGIN PASSWORD 'single-pw' CONNECTION LIMIT 1",
                "GRANT pg_monitor TO single");
        try (MetricsAdapterContainer adapter = new MetricsAdapterContainer()
                .withDataSource(pg, "single", "single-pw", "postgres")) {
            adapter.start();
            for (int i = 0; i < 3; i++) {
                PrometheusText text = Scrapes.scrape(adapter.getMetricsUrl());
                assertEquals(1.0, value(text, "pg_up"), "scrape " + i);
                assertEquals(1.0, value(text, "pg_scrape_collector_success", Map.of("collector", "database")), "scrape " + i);
                assertTrue(value(text, "pg_database_size_bytes", Map.of("datname", "second")) > 0);
            }
            String logs = adapter.getLogs(OutputType.STDERR);
            assertEquals(1, logs.lines().filter(l -> l.contains("cannot open a second connection")).count(), logs);
            assertTrue(logs.lines().noneMatch(l -> l.contains("single-pw")), "no password in the log");
        } finally {
            Postgres.sql(pg, "postgres", "DROP ROLE single");
        }
    }

    private static Set<String> pgFamilies(PrometheusText text) {
        Set<String> names = new HashSet<>();
        text.types.keySet().stream().filter(n -> n.startsWith("pg_")).forEach(names::add);
        return names;
    }

    private static double eventuallyUp(MetricsAdapterContainer adapter) throws Exception {
        double up = 0;
        for (int i = 0; i < 60 && up != 1.0; i++) {
            up = value(timedScrape(adapter), "pg_up");
            if (up != 1.0) {
                Thread.sleep(500);
            }
        }
        return up;
    }

    static Stream<Arguments> wrongPasswordForms() {
        String host = Postgres.ALIAS;
        return Stream.of(
                Arguments.of("URI", (UnaryOperator<MetricsAdapterContainer>) c -> c.withDataSourceName(
                        MetricsAdapterContainer.uri(host, 5432, "postgres", WRONG_PASSWORD, "postgres"))),
                Arguments.of("key=value", (UnaryOperator<MetricsAdapterContainer>) c -> c.withDataSourceName(
                        "host=" + host + " port=5432 user=postgres password=" + WRONG_PASSWORD + " dbname=postgres sslmode=disable")),
                Arguments.of("DATA_SOURCE_URI", (UnaryOperator<MetricsAdapterContainer>) c -> c.withDataSourceUri(
                        host + ":5432/postgres?sslmode=disable", "postgres", WRONG_PASSWORD)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("wrongPasswordForms")
    void aWrongPasswordIsPgUpZeroAndNeverShown(String form, UnaryOperator<MetricsAdapterContainer> dsn) throws Exception {
        Postgres.shared();
        try (MetricsAdapterContainer adapter = dsn.apply(new MetricsAdapterContainer().withNetwork(Postgres.network()))) {
            adapter.start();
            HttpResponse<String> metrics = Scrapes.get(adapter.getMetricsUrl(), null);
            HttpResponse<String> again = Scrapes.get(adapter.getMetricsUrl(), Scrapes.OPENMETRICS_ONLY);
            assertEquals(0.0, value(PrometheusText.parse(metrics.body()), "pg_up"));
            String logs = adapter.getLogs();
            assertTrue(logs.contains("password authentication failed"), logs);
            for (String output : List.of(metrics.body(), again.body(), logs)) {
                assertFalse(output.contains(WRONG_PASSWORD), "the password in the output of " + form);
            }
        }
    }

    @Test
    void duplicateDataSourcesAreDeduplicatedNotAnHttp500() throws Exception {
        PostgreSQLContainer pg = Postgres.shared();
        String same = MetricsAdapterContainer.uri(Postgres.ALIAS, 5432, "postgres", Postgres.PASSWORD, "postgres");
        String otherDatabase = MetricsAdapterContainer.uri(Postgres.ALIAS, 5432, "postgres", Postgres.PASSWORD, "second");
        try (MetricsAdapterContainer adapter = new MetricsAdapterContainer().withNetwork(Postgres.network())
                .withDataSourceName(same, same, otherDatabase)) {
            adapter.start();
            Scrapes.scrape(adapter.getMetricsUrl());
            HttpResponse<String> r = Scrapes.get(adapter.getMetricsUrl(), Scrapes.PROMETHEUS_ACCEPT);
            assertEquals(200, r.statusCode());
            PrometheusText text = PrometheusText.parse(r.body());
            assertEquals(1.0, value(text, "pg_up"));
            Set<String> series = new HashSet<>();
            for (PrometheusText.Sample s : text.samples) {
                assertTrue(series.add(s.name() + s.labels()), "a duplicate series: " + s);
            }
            assertTrue(value(text, "podkit_adapter_duplicate_series_total") > 0, "the conflicts are counted");
            // Both data sources are one server: one pg_stat_activity series per database and state, not two.
            assertTrue(value(text, "pg_stat_activity_count", Map.of("datname", "second", "state", "idle",
                    "server", Postgres.ALIAS + ":5432")) >= 0);
        }
        assertTrue(pg.isRunning());
    }

    static Stream<Arguments> badSettings() {
        return Stream.of(
                Arguments.of(Map.of("COLLECTORS_DISABLED", "locks,nope"),
                        "config error: COLLECTORS_DISABLED: unknown collector \"nope\"; the collectors are "),
                Arguments.of(Map.of("PG_EXPORTER_WEB_LISTEN_ADDRESS", ":9999"),
                        "config error: PG_EXPORTER_WEB_LISTEN_ADDRESS: the metrics are served by the admin server on port 9187; set ADMIN_PORT=9999"),
                Arguments.of(Map.of("DATA_SOURCE_NAME", "postgresql://u:" + WRONG_PASSWORD + "@db:99999/x"),
                        "config error: DATA_SOURCE_NAME: connection string 1 of 1 is not usable: a port must be a number 1-65535"),
                Arguments.of(Map.of("COLLECTION_TIMEOUT", "soon"),
                        "config error: COLLECTION_TIMEOUT: expected a duration such as 500ms, 5s, 10m, 1h or 1d, got \"soon\""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badSettings")
    void aBadSettingExitsWith2AndOneLineNamingIt(Map<String, String> env, String line) {
        MetricsAdapterContainer c = new MetricsAdapterContainer()
                .withStartupCheckStrategy(new Exited())
                .waitingFor(new AbstractWaitStrategy() {
                    @Override
                    protected void waitUntilReady() {
                        // it has exited
                    }
                });
        env.forEach(c::withSetting);
        try (c) {
            c.start();
            assertEquals(2L, c.getCurrentContainerInfo().getState().getExitCodeLong());
            List<String> lines = Arrays.stream(c.getLogs(OutputType.STDERR).split("\n")).filter(l -> !l.isBlank()).toList();
            assertEquals(1, lines.size(), lines.toString());
            assertTrue(lines.get(0).startsWith(line), lines.get(0));
            assertFalse(lines.get(0).contains(WRONG_PASSWORD));
        }
    }

    /** Start succeeds once the container has exited, whatever its exit code. */
    private static final class Exited extends StartupCheckStrategy {
        Exited() {
            withTimeout(Duration.ofSeconds(60));
        }

        @Override
        public StartupStatus checkStartupState(DockerClient docker, String containerId) {
            InspectContainerResponse.ContainerState state = getCurrentState(docker, containerId);
            return DockerStatus.isContainerStopped(state) ? StartupStatus.SUCCESSFUL : StartupStatus.NOT_YET_KNOWN;
        }
    }
}
