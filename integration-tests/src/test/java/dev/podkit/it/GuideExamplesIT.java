package dev.podkit.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podkit.testcontainers.EmptyDir;
import dev.podkit.testcontainers.LogSidecarContainer;
import dev.podkit.testcontainers.MetricsAdapterContainer;
import dev.podkit.testcontainers.RequestSplitterContainer;
import dev.podkit.testcontainers.TcpAmbassadorContainer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.postgresql.PostgreSQLContainer;
import org.testcontainers.containers.output.OutputFrame.OutputType;
import org.testcontainers.utility.DockerImageName;

/**
 * The README's Testcontainers guide: one complete example per typed container, each next to the
 * container a user would run it with. The README carries every region between {@code guide:begin}
 * and {@code guide:end} verbatim ({@code ReadmeGuideTest} checks that), so the guide is code that
 * passed here. The images are the README's public ones unless the build names local stand-ins.
 */
class GuideExamplesIT {
    static final DockerImageName BUSYBOX = TestImages.busybox();
    static final DockerImageName NGINX = TestImages.nginx();
    static final DockerImageName HTTP_ECHO = TestImages.httpEcho();
    static final DockerImageName POSTGRES = TestImages.postgres();

    static final HttpClient HTTP = HttpClient.newHttpClient();

    static String get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    // guide:begin log-sidecar
    @Test
    void logSidecarStreamsTheAppsLogFile() throws Exception {
        try (EmptyDir logs = EmptyDir.create();
             GenericContainer<?> app = logs.mount(new GenericContainer<>(BUSYBOX)
                     .withCommand("sh", "-c", "for i in 1 2 3; do echo \"line $i\" >> /output/app.log; done; sleep 3600"),
                     "/output");
             LogSidecarContainer sidecar = new LogSidecarContainer()
                     .withSharedVolume(logs, "/input")
                     .withLogPaths("/input/*.log")) {
            app.start();
            sidecar.start();

            // What `kubectl logs POD -c log-sidecar` would show: the app's lines on stdout.
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!sidecar.getLogs(OutputType.STDOUT).contains("line 3") && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertEquals("line 1\nline 2\nline 3\n", sidecar.getLogs(OutputType.STDOUT));
        }
    }
    // guide:end

    // guide:begin tcp-ambassador
    @Test
    void tcpAmbassadorForwardsTheAppsLocalhostToAService() throws Exception {
        try (Network network = Network.newNetwork();
             GenericContainer<?> service = new GenericContainer<>(NGINX)
                     .withNetwork(network).withNetworkAliases("ambassador-test-svc");
             GenericContainer<?> app = new GenericContainer<>(BUSYBOX)
                     .withNetwork(network).withCommand("sleep", "3600");
             TcpAmbassadorContainer ambassador = new TcpAmbassadorContainer()
                     .sharingNetworkWith(app)                       // the pod: app and ambassador share localhost
                     .forwarding(8080, "ambassador-test-svc", 80)) {
            service.start();
            ambassador.start();                                     // starts app first

            var page = app.execInContainer("wget", "-qO-", "http://localhost:8080/");
            assertTrue(page.getStdout().contains("<title>Welcome to nginx!</title>"), page.getStderr());
        }
    }
    // guide:end

    // guide:begin request-splitter
    @Test
    void requestSplitterKeepsEachTokenOnOneVariant() throws Exception {
        try (Network network = Network.newNetwork();
             GenericContainer<?> v1a = new GenericContainer<>(HTTP_ECHO).withNetwork(network)
                     .withNetworkAliases("backend").withCommand("-listen=:8080", "-text=version_1a");
             GenericContainer<?> v1b = new GenericContainer<>(HTTP_ECHO).withNetwork(network)
                     .withNetworkAliases("backend-experiment").withCommand("-listen=:8080", "-text=version_1b");
             RequestSplitterContainer splitter = new RequestSplitterContainer().withNetwork(network)
                     .withSplitKey("$arg_token")                    // split_clients $arg_token ...
                     .withVariant("version_1a", "50%", "backend:8080")
                     .withVariant("version_1b", "*", "backend-experiment:8080")
                     .dependsOn(v1a, v1b)) {
            splitter.start();

            Map<String, Integer> perVariant = new HashMap<>();
            for (int user = 0; user < 100; user++) {
                String first = get(splitter.getProxyUrl() + "/?token=user-" + user);
                assertEquals(first, get(splitter.getProxyUrl() + "/?token=user-" + user), "same token, same variant");
                perVariant.merge(first.trim(), 1, Integer::sum);
            }
            assertTrue(perVariant.get("version_1a") > 30 && perVariant.get("version_1b") > 30, perVariant.toString());
        }
    }
    // guide:end

    // guide:begin metrics-adapter
    @Test
    void metricsAdapterExportsPostgresStatistics() throws Exception {
        try (Network network = Network.newNetwork();
             PostgreSQLContainer postgres = new PostgreSQLContainer(POSTGRES)
                     .withNetwork(network).withNetworkAliases("db");
             MetricsAdapterContainer adapter = new MetricsAdapterContainer()
                     .withDataSource(postgres)                      // DATA_SOURCE_NAME to db:5432, starts postgres first
                     .withCollectionTimeout(Duration.ofSeconds(5))) {
            adapter.start();

            String metrics = get(adapter.getMetricsUrl());
            assertTrue(metrics.contains("\npg_up 1"), "postgres is up");
            assertTrue(metrics.contains("\npg_stat_database_xact_commit{datid="), "per-database statistics");
        }
    }
    // guide:end
}
