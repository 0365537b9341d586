package dev.podkit.it.splitter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podkit.it.PrometheusText;
import dev.podkit.it.TestImages;
import dev.podkit.testcontainers.RequestSplitterContainer;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.output.OutputFrame.OutputType;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.lifecycle.Startables;
import org.testcontainers.utility.DockerImageName;

/**
 * The built image as a proxy, with real backends: the 50/50 seed scenario, the proxy's
 * HTTP correctness (headers, Expect, WebSocket, streaming with a small heap), errors (502, 504,
 * 400, 414, 431), smuggling attempts, sticky cookies, force rules, draining, mirroring, reloads
 * and the per-variant metrics.
 */
class SplitterProxyIT {
    static final DockerImageName NGINX = TestImages.nginx();
    static final DockerImageName ECHO = TestImages.httpEcho();
    static final DockerImageName BUSYBOX = TestImages.busybox();
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    static final int BIG_MIB = 160;

    static Network network;
    static GenericContainer<?> backend;
    static GenericContainer<?> experiment;
    static GenericContainer<?> web;
    static GenericContainer<?> hang;
    static RequestSplitterContainer seed;
    static RequestSplitterContainer features;
    static RequestSplitterContainer reloading;
    static RequestSplitterContainer smallHeap;
    static Path configDir;

    static final String WEB_CONF = """
            worker_processes 1;
            events { worker_connections 256; }
            http {
              log_format plain '$server_port $request_method $request_uri $request_length $http_x_variant';
              access_log /dev/stdout plain;
              client_max_body_size 0;
              server {
                listen 80;
                location /headers {
                  return 200 "host=$http_host|xff=$http_x_forwarded_for|proto=$http_x_forwarded_proto|fhost=$http_x_forwarded_host|te=$http_te|ka=$http_keep_alive|drop=$http_x_drop|keep=$http_x_keep|conn=$http_connection|upgrade=$http_upgrade|variant=$http_x_variant|expect=$http_expect";
                }
                location /big { root /srv; }
                # proxy_pass reads the whole request body first, so $request_length counts all of it
                location /upload { proxy_pass http://127.0.0.1:81; }
                location / { return 200 "web"; }
              }
              server { listen 81; location / { return 200 "shadow"; } }
            }
            """;

    static final String WS_SCRIPT = """
            #!/bin/sh
            while read -r line; do
              line=$(printf '%s' "$line" | tr -d '\\r')
              [ -z "$line" ] && break
            done
            printf 'HTTP/1.1 101 Switching Protocols\\r\\nUpgrade: websocket\\r\\nConnection: Upgrade\\r\\n\\r\\n'
            exec cat
            """;

    static final String FEATURES = """
            split:
              key: $arg_token
              sticky: {cookie: pv, max_age: 1h}
            variants:
              - {name: a, weight: 0%, servers: ["web:80"]}
              - {name: b, weight: "*", servers: ["web:80"]}
              - {name: broken, weight: 0%, servers: ["hang:1"]}
              - {name: slow, weight: 0%, servers: ["hang:9000"]}
              - {name: ws, weight: 0%, servers: ["hang:9001"]}
              - {name: rr, weight: 0%, servers: ["backend:5678", "backend-experiment:5678"]}
              - {name: retry, weight: 0%, servers: ["hang:1", "web:80"]}
            rules:
              - {variant: a, header: X-QA, value: a}
              - {variant: broken, query: target, value: broken}
              - {variant: slow, query: target, value: slow}
              - {variant: ws, query: target, value: ws}
              - {variant: rr, query: target, value: rr}
              - {variant: retry, query: target, value: retry}
            headers: {request_variant: X-Variant, response_variant: X-Variant}
            mirror: {servers: ["web:81", "hang:9000"], percent: 100%, max_body_bytes: 1000}
            timeouts: {read: 3s}
            """;

    /** Answers every request after two seconds, on one connection each. */
    static final String SLOW_SCRIPT = """
            #!/bin/sh
            while read -r line; do
              line=$(printf '%s' "$line" | tr -d '\\r')
              [ -z "$line" ] && break
            done
            sleep 2
            printf 'HTTP/1.1 200 OK\\r\\nContent-Length: 4\\r\\n\\r\\nslow'
            """;

    static String reloadConfig(String variant) {
        return "headers: {response_variant: X-Variant}\nvariants:\n  - {name: " + variant
                + ", weight: \"*\", servers: [\"web:80\"]}\n";
    }

    @BeforeAll
    static void start() throws Exception {
        network = Network.newNetwork();
        backend = new GenericContainer<>(ECHO).withNetwork(network).withNetworkAliases("backend")
                .withCommand("-text=version_1a").withExposedPorts(5678).waitingFor(Wait.forListeningPort());
        experiment = new GenericContainer<>(ECHO).withNetwork(network).withNetworkAliases("backend-experiment")
                .withCommand("-text=version_1b").withExposedPorts(5678).waitingFor(Wait.forListeningPort());
        web = new GenericContainer<>(NGINX).withNetwork(network).withNetworkAliases("web")
                .withCopyToContainer(Transferable.of(WEB_CONF), "/etc/nginx/nginx.conf")
                .withCommand("sh", "-c", "mkdir -p /srv && dd if=/dev/zero of=/srv/big bs=1048576 count=" + BIG_MIB
                        + " 2>/dev/null && exec nginx -g 'daemon off;'")
                .withExposedPorts(80).waitingFor(Wait.forListeningPort());
        hang = new GenericContainer<>(BUSYBOX).withNetwork(network).withNetworkAliases("hang")
                .withCopyToContainer(Transferable.of(WS_SCRIPT, 0755), "/ws.sh")
                .withCopyToContainer(Transferable.of(SLOW_SCRIPT, 0755), "/slow.sh")
                .withCommand("sh", "-c", "nc -ll -p 9000 -e sleep 600 & nc -ll -p 9002 -e /slow.sh & exec nc -ll -p 9001 -e /ws.sh")
                .withExposedPorts(9000, 9001, 9002).waitingFor(Wait.forListeningPorts(9000, 9001, 9002));
        Startables.deepStart(backend, experiment, web, hang).join();

        configDir = Files.createTempDirectory("splitter-config");
        Files.setPosixFilePermissions(configDir, PosixFilePermissions.fromString("rwxr-xr-x"));
        publish(reloadConfig("one"));

        seed = new RequestSplitterContainer().withNetwork(network)
                .withVariant("version_1a", "50%", "backend:5678")
                .withVariant("version_1b", "*", "backend-experiment:5678")
                .withSplitKey("$arg_token")
                .withVariantHeader("X-Variant");
        features = new RequestSplitterContainer().withNetwork(network).withConfigYaml(FEATURES);
        reloading = new RequestSplitterContainer().withNetwork(network).withConfigDirectory(configDir, "splitter.yaml");
        smallHeap = new RequestSplitterContainer().withNetwork(network)
                .withVariant("web", "*", "web:80")
                .withSetting("JAVA_TOOL_OPTIONS", "-Xmx40m -XX:MaxDirectMemorySize=24m");
        Startables.deepStart(seed, features, reloading, smallHeap).join();
    }

    private static int versions;

    /** Publishes a config as Kubernetes does for a ConfigMap: a new folder, then the ..data link swapped. */
    static void publish(String yaml) throws Exception {
        Path version = Files.createDirectory(configDir.resolve("..v" + (++versions)));
        Files.setPosixFilePermissions(version, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(version.resolve("splitter.yaml"), yaml);
        Path tmp = Files.createSymbolicLink(configDir.resolve("..data_tmp"), version.getFileName());
        Files.move(tmp, configDir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Path file = configDir.resolve("splitter.yaml");
        if (!Files.exists(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            Files.createSymbolicLink(file, Path.of("..data", "splitter.yaml"));
        }
    }

    @AfterAll
    static void stop() {
        Stream.of(seed, features, reloading, smallHeap, backend, experiment, web, hang)
                .filter(c -> c != null).forEach(GenericContainer::stop);
        if (network != null) {
            network.close();
        }
    }

    static HttpResponse<String> get(RequestSplitterContainer splitter, String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(splitter.getProxyUrl() + path)).timeout(Duration.ofSeconds(10));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static PrometheusText metrics(RequestSplitterContainer splitter) throws Exception {
        return PrometheusText.parse(HTTP.send(HttpRequest.newBuilder(URI.create(splitter.getAdminUrl() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body());
    }

    static String webLog() {
        return web.getLogs(OutputType.STDOUT);
    }

    // ---- the seed scenario ----

    @Test
    void theSeedSplitsHalfAndHalfAndKeepsEveryTokenOnItsVariant() throws Exception {
        Map<String, String> first = new HashMap<>();
        int b = 0;
        int tokens = 200;
        try (RawHttp client = new RawHttp(seed.getHost(), seed.getProxyPort())) {
            for (int round = 0; round < 2; round++) {
                for (int t = 0; t < tokens; t++) {
                    RawHttp.Response r = client.send("GET /?token=user-" + t + " HTTP/1.1\r\nHost: seed\r\n\r\n");
                    assertEquals(200, r.status());
                    String served = r.text().trim();
                    assertEquals(served, r.header("X-Variant"), "the variant header names the backend that answered");
                    String before = first.putIfAbsent("user-" + t, served);
                    assertTrue(before == null || before.equals(served), "user-" + t + " moved from " + before + " to " + served);
                }
            }
            assertEquals(1, client.connects(), "all requests on one keep-alive connection");
        }
        for (String v : first.values()) {
            b += v.equals("version_1b") ? 1 : 0;
        }
        assertTrue(b > tokens * 0.35 && b < tokens * 0.65, "about half of " + tokens + " tokens on version_1b: " + b);
        assertEquals(Map.of("version_1a", tokens - b, "version_1b", b).keySet(), new java.util.HashSet<>(first.values()));

        PrometheusText m = metrics(seed);
        double okA = m.value("podkit_splitter_requests_total", Map.of("variant", "version_1a", "code", "2xx")).orElse(0.0);
        double okB = m.value("podkit_splitter_requests_total", Map.of("variant", "version_1b", "code", "2xx")).orElse(0.0);
        assertEquals(2.0 * tokens, okA + okB, 0.0, "every request counted by variant and status class");
        assertTrue(m.value("podkit_splitter_request_duration_seconds_bucket",
                Map.of("variant", "version_1a", "le", "+Inf")).orElse(0.0) > 0, "latency histogram");
        assertTrue(m.value("podkit_splitter_routed_total", Map.of("variant", "version_1b", "reason", "split")).orElse(0.0) > 0);
    }

    // ---- proxy correctness ----

    @Test
    void hostForwardedHeadersAndHopByHopHeadersAreAsNginxProxies() throws Exception {
        try (RawHttp client = new RawHttp(features.getHost(), features.getProxyPort())) {
            RawHttp.Response r = client.send("GET /headers?token=t HTTP/1.1\r\nHost: Example.COM.:8000\r\n"
                    + "Connection: keep-alive, X-Drop\r\nX-Drop: 1\r\nX-Keep: 2\r\nKeep-Alive: timeout=5\r\nTE: trailers\r\n"
                    + "Upgrade: h2c\r\nX-Forwarded-For: 203.0.113.9\r\n\r\n");
            assertEquals(200, r.status());
            String body = r.text();
            assertTrue(body.startsWith("host=example.com|xff=203.0.113.9, "), body); // $host: lower case, no port, no dot
            assertTrue(body.contains("|proto=http|fhost=Example.COM.:8000|te=|ka=|drop=|keep=2|conn=|upgrade=|variant=b|"), body);
            assertEquals("b", r.header("X-Variant"));
        }
    }

    @Test
    void expect100ContinueIsAnsweredBeforeTheBodyIsSent() throws Exception {
        try (RawHttp client = new RawHttp(features.getHost(), features.getProxyPort())) {
            client.write("POST /headers?token=t HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            RawHttp.Response interim = client.read();
            assertEquals(100, interim.status());
            client.write("hello".getBytes(StandardCharsets.US_ASCII));
            RawHttp.Response r = client.read();
            assertEquals(200, r.status());
            assertTrue(r.text().endsWith("|expect="), "Expect is not passed upstream: " + r.text());
        }
    }

    @Test
    void aWebSocketUpgradeBecomesATunnel() throws Exception {
        try (RawHttp client = new RawHttp(features.getHost(), features.getProxyPort())) {
            client.write(("GET /chat?target=ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            RawHttp.Response switched = client.read();
            assertEquals(101, switched.status());
            assertEquals("websocket", switched.header("Upgrade"));
            for (String frame : List.of("first frame\n", "second frame\n")) {
                client.write(frame.getBytes(StandardCharsets.US_ASCII));
                byte[] echoed = client.readBytes(frame.length());
                assertEquals(frame, new String(echoed, StandardCharsets.US_ASCII), "bytes flow both ways through the tunnel");
            }
        }
    }

    @Test
    void bodiesStreamBothWaysWithASmallHeap() throws Exception {
        long size = BIG_MIB * 1024L * 1024L;
        HttpResponse<InputStream> download = HTTP.send(HttpRequest.newBuilder(URI.create(smallHeap.getProxyUrl() + "/big"))
                .timeout(Duration.ofSeconds(120)).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, download.statusCode());
        long received = 0;
        try (InputStream in = download.body()) {
            byte[] buffer = new byte[65536];
            int n;
            while ((n = in.read(buffer)) > 0) {
                received += n;
            }
        }
        assertEquals(size, received, "the whole download");

        HttpResponse<String> upload = HTTP.send(HttpRequest.newBuilder(URI.create(smallHeap.getProxyUrl() + "/upload-chunked"))
                .timeout(Duration.ofSeconds(120))
                .POST(HttpRequest.BodyPublishers.fromPublisher(zeros(size))).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, upload.statusCode());
        String line = webLog().lines().filter(l -> l.startsWith("80 POST /upload-chunked ")).findFirst().orElseThrow();
        assertTrue(Long.parseLong(line.split(" ")[3]) >= size, "the backend read the whole chunked upload: " + line);
        assertTrue(smallHeap.isRunning(), "a 40 MiB heap carried " + BIG_MIB + " MiB each way");
    }

    /** A body of zeros of unknown length to the client (so it is sent chunked). */
    static Flow.Publisher<ByteBuffer> zeros(long total) {
        return subscriber -> subscriber.onSubscribe(new Flow.Subscription() {
            final AtomicLong left = new AtomicLong(total);
            volatile boolean done;

            @Override
            public void request(long n) {
                for (long i = 0; i < n && !done; i++) {
                    long remaining = left.get();
                    if (remaining <= 0) {
                        done = true;
                        subscriber.onComplete();
                        return;
                    }
                    int chunk = (int) Math.min(65536, remaining);
                    left.addAndGet(-chunk);
                    subscriber.onNext(ByteBuffer.allocate(chunk));
                }
            }

            @Override
            public void cancel() {
                done = true;
            }
        });
    }

    // ---- errors ----

    @Test
    void anUpstreamThatRefusesIs502AndOneThatDoesNotAnswerIs504() throws Exception {
        HttpResponse<String> refused = get(features, "/?target=broken");
        assertEquals(502, refused.statusCode());
        HttpResponse<String> silent = get(features, "/?target=slow");
        assertEquals(504, silent.statusCode());
        PrometheusText m = metrics(features);
        assertTrue(m.value("podkit_splitter_upstream_errors_total", Map.of("variant", "broken", "kind", "connect")).orElse(0.0) >= 1);
        assertTrue(m.value("podkit_splitter_upstream_errors_total", Map.of("variant", "slow", "kind", "timeout")).orElse(0.0) >= 1);
        assertTrue(m.value("podkit_splitter_requests_total", Map.of("variant", "slow", "code", "5xx")).orElse(0.0) >= 1);
    }

    @Test
    void aVariantsServersTakeTurns() throws Exception {
        List<String> served = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            served.add(get(features, "/?target=rr").body().trim());
        }
        for (int i = 1; i < served.size(); i++) {
            assertFalse(served.get(i).equals(served.get(i - 1)), "round robin: " + served);
        }
    }

    @Test
    void onlyIdempotentRequestsTryTheNextServerAfterAConnectFailure() throws Exception {
        for (int i = 0; i < 6; i++) {
            assertEquals(200, get(features, "/?target=retry").statusCode(), "GET goes on to web:80 when hang:1 refuses");
        }
        int refused = 0;
        for (int i = 0; i < 4; i++) {
            HttpResponse<String> post = HTTP.send(HttpRequest.newBuilder(URI.create(features.getProxyUrl() + "/?target=retry"))
                    .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofString("x")).build(),
                    HttpResponse.BodyHandlers.ofString());
            refused += post.statusCode() == 502 ? 1 : 0;
        }
        assertEquals(2, refused, "every other POST meets the refusing server and is not retried");
    }

    @Test
    void oversizedHeadsAre431And414() throws Exception {
        try (RawHttp client = new RawHttp(features.getHost(), features.getProxyPort())) {
            assertEquals(431, client.send("GET /?token=t HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(40_000) + "\r\n\r\n").status());
        }
        try (RawHttp client = new RawHttp(features.getHost(), features.getProxyPort())) {
            assertEquals(414, client.send("GET /" + "a".repeat(9000) + " HTTP/1.1\r\nHost: x\r\n\r\n").status());
        }
    }

    static Stream<Arguments> smuggling() {
        String tail = "GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n";
        return Stream.of(
                Arguments.of("Content-Length and Transfer-Encoding",
                        "POST /s1 HTTP/1.1\r\nHost: x\r\nContent-Length: 40\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + tail),
                Arguments.of("conflicting Content-Lengths",
                        "POST /s2 HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 40\r\n\r\nhello" + tail),
                Arguments.of("obsolete line folding",
                        "POST /s3 HTTP/1.1\r\nHost: x\r\nX-A: a\r\n Transfer-Encoding: chunked\r\nContent-Length: 0\r\n\r\n" + tail),
                Arguments.of("bad chunk size", "POST /s4 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n" + tail),
                Arguments.of("negative chunk size", "POST /s5 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\n" + tail),
                Arguments.of("chunk size overflow",
                        "POST /s6 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffff\r\n" + tail),
                Arguments.of("chunked not last", "POST /s7 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n" + tail),
                Arguments.of("signed Content-Length", "POST /s8 HTTP/1.1\r\nHost: x\r\nContent-Length: +5\r\n\r\nhello" + tail),
                Arguments.of("space before colon", "POST /s9 HTTP/1.1\r\nHost: x\r\nContent-Length : 5\r\n\r\nhello" + tail),
                Arguments.of("Transfer-Encoding in HTTP/1.0",
                        "POST /s10 HTTP/1.0\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + tail),
                Arguments.of("two Host headers", "GET /s11 HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n" + tail),
                Arguments.of("control character in the target", "GET /s12\u0001 HTTP/1.1\r\nHost: x\r\n\r\n" + tail));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("smuggling")
    void smugglingAttemptsAre400AndCloseTheConnection(String name, String attempt) throws Exception {
        try (RawHttp client = new RawHttp(features.getHost(), features.getProxyPort())) {
            RawHttp.Response r = client.send(attempt);
            assertEquals(400, r.status(), name);
            assertEquals("close", r.header("Connection"));
            assertTrue(client.closedByServer(5000), "the connection is closed after " + name);
        }
        String path = attempt.substring(attempt.indexOf(' ') + 1, attempt.indexOf(' ', attempt.indexOf(' ') + 1))
                .replace("\u0001", "");
        Thread.sleep(200); // let nginx write its log line, if there were one
        String log = webLog();
        assertFalse(log.contains("/smuggled"), "nothing smuggled reached the backend:\n" + log);
        assertTrue(log.lines().noneMatch(l -> l.startsWith("80 ") && (l.contains(" " + path + " ") || l.contains(" " + path + "\\x"))),
                "the rejected request never reached the backend:\n" + log);
    }

    // ---- beyond nginx ----

    @Test
    void clientsWithoutAKeyGetAStickyCookieThatIsHonouredAfterwards() throws Exception {
        HttpResponse<String> first = get(features, "/sticky");
        String setCookie = first.headers().firstValue("Set-Cookie").orElseThrow();
        assertTrue(setCookie.startsWith("pv=b; Path=/; Max-Age=3600; HttpOnly; SameSite=Lax"), setCookie);
        assertEquals("b", first.headers().firstValue("X-Variant").orElseThrow(), "a at weight 0 gets no new clients");
        HttpResponse<String> again = get(features, "/sticky", "Cookie", "pv=b");
        assertEquals("b", again.headers().firstValue("X-Variant").orElseThrow());
        assertTrue(again.headers().firstValue("Set-Cookie").isEmpty(), "the cookie is set once");
        // weight 0 drains: no new clients, but clients already on it stay (see the README)
        HttpResponse<String> draining = get(features, "/sticky", "Cookie", "pv=a");
        assertEquals("a", draining.headers().firstValue("X-Variant").orElseThrow());
        assertEquals("b", get(features, "/sticky?token=anyone").headers().firstValue("X-Variant").orElseThrow());
    }

    @Test
    void forceRulesWinOverTheSplit() throws Exception {
        for (int i = 0; i < 20; i++) {
            HttpResponse<String> r = get(features, "/qa?token=user" + i, "X-QA", "a");
            assertEquals("a", r.headers().firstValue("X-Variant").orElseThrow());
        }
        assertEquals("b", get(features, "/qa?token=user1", "X-QA", "other").headers().firstValue("X-Variant").orElseThrow());
        PrometheusText m = metrics(features);
        assertTrue(m.value("podkit_splitter_routed_total", Map.of("variant", "a", "reason", "rule")).orElse(0.0) >= 20);
    }

    @Test
    void mirroredCopiesGoToTheShadowAndNeverHoldTheRealResponse() throws Exception {
        awaitNoMirrorInFlight(); // copies of other tests' requests
        try (RawHttp client = new RawHttp(features.getHost(), features.getProxyPort())) {
            for (int i = 0; i < 6; i++) {
                RawHttp.Response r = client.send("GET /mirrored-" + i + "?token=t HTTP/1.1\r\nHost: x\r\n\r\n");
                assertEquals("web", r.text(), "the real response is the real backend's");
            }
            RawHttp.Response big = client.send("POST /mirrored-big?token=t HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n"
                    + "x".repeat(5000));
            assertEquals(200, big.status());
        }
        // Every other copy went to a shadow that never answers (hang:9000): the real responses are
        // all back while those copies are still waiting for it.
        PrometheusText m = metrics(features);
        double waiting = m.value("podkit_splitter_mirror_in_flight", Map.of()).orElse(0.0);
        assertTrue(waiting >= 3.0, "the three copies to the silent shadow are still waiting: " + waiting);
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        List<String> mirrored = new ArrayList<>();
        while (System.nanoTime() < deadline) {
            mirrored = webLog().lines().filter(l -> l.startsWith("81 GET /mirrored-")).toList();
            if (mirrored.size() >= 3) {
                break;
            }
            Thread.sleep(100);
        }
        assertEquals(3, mirrored.size(), "every other copy to web:81: " + mirrored);
        assertTrue(mirrored.stream().allMatch(l -> l.endsWith(" b")), "copies carry the request as sent: " + mirrored);
        assertFalse(webLog().contains("81 POST /mirrored-big"), "a body over max_body_bytes is not mirrored");
        assertTrue(webLog().contains("80 POST /mirrored-big"), "but the request itself went through");
    }

    @Test
    void aNewConfigGoesLiveWithoutDroppingConnectionsAndABadOneIsRejected() throws Exception {
        try (RawHttp client = new RawHttp(reloading.getHost(), reloading.getProxyPort())) {
            assertEquals("one", client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").header("X-Variant"));
            publish(reloadConfig("two"));
            String served = awaitVariant(client, "two");
            assertEquals("two", served);
            publish("variants:\n  - {name: three, weight: 150%, servers: [\"web:80\"]}\n");
            Thread.sleep(1500); // several reload intervals (200 ms)
            assertEquals("two", client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").header("X-Variant"), "the bad file is not applied");
            assertEquals(1, client.connects(), "the keep-alive connection survived both reloads");
        }
        String logs = reloading.getLogs(OutputType.STDERR);
        assertTrue(logs.contains("rejected the new /etc/podkit/splitter.yaml, the previous configuration stays live: "
                + "config error: CONFIG_FILE: "), logs);
        PrometheusText m = metrics(reloading);
        assertTrue(m.value("podkit_splitter_config_reloads_total", Map.of("result", "failure")).orElse(0.0) >= 1);
        assertTrue(m.value("podkit_splitter_config_reloads_total", Map.of("result", "success")).orElse(0.0) >= 1);
    }

    static void awaitNoMirrorInFlight() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline
                && metrics(features).value("podkit_splitter_mirror_in_flight", Map.of()).orElse(0.0) > 0) {
            Thread.sleep(200);
        }
    }

    static String awaitVariant(RawHttp client, String expected) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        String served = null;
        while (System.nanoTime() < deadline) {
            served = client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").header("X-Variant");
            if (expected.equals(served)) {
                return served;
            }
            Thread.sleep(100);
        }
        return served;
    }

    @Test
    void sigtermLetsTheRequestInFlightFinishAndThenExits() throws Exception {
        try (RequestSplitterContainer draining = new RequestSplitterContainer().withNetwork(network)
                .withVariant("slow", "*", "hang:9002").withShutdownTimeout(Duration.ofSeconds(20))) {
            draining.start();
            RawHttp inFlight = new RawHttp(draining.getHost(), draining.getProxyPort());
            RawHttp idle = new RawHttp(draining.getHost(), draining.getProxyPort());
            assertEquals(200, idle.send("GET /warm HTTP/1.1\r\nHost: x\r\n\r\n").status());
            inFlight.write("GET /in-flight HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            Thread.sleep(500); // the request is at the backend, which answers after 2 s
            com.github.dockerjava.api.DockerClient docker = org.testcontainers.DockerClientFactory.instance().client();
            docker.killContainerCmd(draining.getContainerId()).withSignal("TERM").exec();
            assertTrue(idle.closedByServer(5000), "an idle keep-alive connection is closed at once");
            RawHttp.Response r = inFlight.read();
            assertEquals(200, r.status());
            assertEquals("slow", r.text());
            assertEquals("close", r.header("Connection"), "the last response on a draining connection says close");
            assertTrue(inFlight.closedByServer(5000));
            inFlight.close();
            idle.close();
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (draining.isRunning() && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertEquals(0L, docker.inspectContainerCmd(draining.getContainerId()).exec().getState().getExitCodeLong());
            assertTrue(draining.getLogs(OutputType.STDERR).contains("drained in"), draining.getLogs(OutputType.STDERR));
        }
    }

    @Test
    void noVariantsMeansReadyAnd503() throws Exception {
        try (RequestSplitterContainer empty = new RequestSplitterContainer().withReadOnlyRootFilesystem()) {
            empty.start();
            HttpResponse<String> r = get(empty, "/");
            assertEquals(503, r.statusCode());
            assertTrue(empty.getLogs(OutputType.STDERR).contains("no variants configured"));
        }
    }
}
