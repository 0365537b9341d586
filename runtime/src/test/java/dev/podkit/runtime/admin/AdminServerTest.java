package dev.podkit.runtime.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podkit.runtime.health.Health;
import dev.podkit.runtime.metrics.Metrics;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AdminServerTest {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private Health health;
    private Metrics metrics;
    private AdminServer server;
    private InetSocketAddress address;

    @BeforeEach
    void start() throws Exception {
        health = new Health();
        metrics = new Metrics("test-helper", "1.2.3");
        health.bindTo(metrics.registry());
        server = new AdminServer(health, metrics);
        address = server.start("127.0.0.1", 0);
    }

    @AfterEach
    void stop() {
        server.close();
        metrics.close();
    }

    private HttpResponse<String> get(String path, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + address.getPort() + path))
                .timeout(Duration.ofSeconds(10));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void healthzAnswers200WhileTheProcessLives() throws Exception {
        HttpResponse<String> r = get("/healthz");
        assertEquals(200, r.statusCode());
        assertEquals("ok\n", r.body());
    }

    @Test
    void healthzFailsWhileALivenessCheckReportsAProblem() throws Exception {
        AtomicReference<String> problem = new AtomicReference<>("event loop stalled");
        health.addLivenessCheck("loop", () -> Optional.ofNullable(problem.get()));
        HttpResponse<String> r = get("/healthz");
        assertEquals(503, r.statusCode());
        assertEquals("loop: event loop stalled\n", r.body());
        problem.set(null);
        assertEquals(200, get("/healthz").statusCode());
    }

    @Test
    void readyzFollowsTheLifecycle() throws Exception {
        assertEquals(503, get("/readyz").statusCode());
        assertEquals("starting\n", get("/readyz").body());
        health.markReady();
        assertEquals(200, get("/readyz").statusCode());
        health.markDraining();
        HttpResponse<String> draining = get("/readyz");
        assertEquals(503, draining.statusCode());
        assertEquals("draining\n", draining.body());
    }

    @Test
    void readinessChecksCanHoldReadinessBack() throws Exception {
        AtomicReference<String> problem = new AtomicReference<>("no target reachable");
        health.addReadinessCheck("route :8080", () -> Optional.ofNullable(problem.get()));
        health.markReady();
        assertEquals(503, get("/readyz").statusCode());
        assertEquals("route :8080: no target reachable\n", get("/readyz").body());
        problem.set(null);
        assertEquals(200, get("/readyz").statusCode());
    }

    @Test
    void metricsAreThePrometheusTextFormatWithJvmMetersAndBuildInfo() throws Exception {
        health.markReady();
        HttpResponse<String> r = get("/metrics");
        assertEquals(200, r.statusCode());
        String contentType = r.headers().firstValue("content-type").orElseThrow();
        assertTrue(contentType.startsWith("text/plain; version=0.0.4"), contentType);
        String body = r.body();
        assertTrue(body.contains("podkit_build_info{helper=\"test-helper\",version=\"1.2.3\"} 1"), body);
        assertTrue(body.contains("# TYPE jvm_memory_used_bytes gauge"), body);
        assertTrue(body.contains("# TYPE jvm_threads_live_threads gauge"), body);
        assertTrue(body.contains("# TYPE process_cpu_seconds_total counter"), body);
        assertTrue(body.contains("process_uptime_seconds"), body);
        assertTrue(body.contains("podkit_ready 1.0"), body);
        if (System.getProperty("os.name").toLowerCase().contains("linux")) {
            assertTrue(body.matches("(?s).*\\nprocess_resident_memory_bytes [1-9][0-9.E]*\\n.*"), body);
        }
    }

    @Test
    void metricsSpeakOpenMetricsWhenAsked() throws Exception {
        HttpResponse<String> r = get("/metrics", "Accept",
                "application/openmetrics-text; version=1.0.0; charset=utf-8,text/plain;version=0.0.4;q=0.5");
        assertEquals(200, r.statusCode());
        String contentType = r.headers().firstValue("content-type").orElseThrow();
        assertTrue(contentType.startsWith("application/openmetrics-text"), contentType);
        assertTrue(r.body().endsWith("# EOF\n"), r.body());
        assertTrue(r.body().contains("# TYPE podkit_build info"), r.body());
    }

    @Test
    void aProtobufRequestGetsTextBecauseProtobufIsNotShipped() throws Exception {
        HttpResponse<String> r = get("/metrics", "Accept",
                "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited");
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("content-type").orElseThrow().startsWith("text/plain"));
        assertTrue(r.body().contains("podkit_build_info"));
    }

    @Test
    void unknownPathsAre404AndOtherMethods405() throws Exception {
        assertEquals(404, get("/nope").statusCode());
        HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + address.getPort() + "/healthz"))
                .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(405, post.statusCode());
        assertEquals("GET, HEAD", post.headers().firstValue("allow").orElseThrow());
    }

    @Test
    void headAnswersWithoutABody() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + address.getPort() + "/healthz"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        assertEquals("", r.body());
        assertEquals("3", r.headers().firstValue("content-length").orElseThrow());
    }

    @Test
    void aRouteThatBlocksDoesNotHoldUpProbes() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        server.route("/slow", request -> {
            release.await(10, TimeUnit.SECONDS);
            return AdminResponse.text(200, "slow");
        });
        var slow = http.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + address.getPort() + "/slow")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, get("/healthz").statusCode());
        assertTrue(!slow.isDone());
        release.countDown();
        assertEquals("slow\n", slow.get(10, TimeUnit.SECONDS).body());
    }

    @Test
    void pipelinedResponsesKeepRequestOrder() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        server.route("/slow", request -> {
            release.await(10, TimeUnit.SECONDS);
            return AdminResponse.text(200, "slow");
        });
        try (Socket socket = new Socket("127.0.0.1", address.getPort())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET /slow HTTP/1.1\r\nHost: x\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "GET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            Thread.sleep(200);
            release.countDown();
            String all = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int slow = all.indexOf("\r\n\r\nslow\n");
            int ok = all.indexOf("\r\n\r\nok\n");
            int notFound = all.indexOf("\r\n\r\nnot found: /nope\n");
            assertTrue(slow >= 0 && ok > slow && notFound > ok, all);
        }
    }

    @Test
    void aFailingRouteAnswers500AndTheServerGoesOn() throws Exception {
        server.route("/broken", request -> {
            throw new IllegalStateException("boom");
        });
        assertEquals(500, get("/broken").statusCode());
        assertEquals(200, get("/healthz").statusCode());
    }
}
