package dev.podkit.it.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podkit.it.PrometheusText;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.Container.ExecResult;

/**
 * Each k8s/ example, run as real pods on the container engine from the same parsed manifests
 * ({@link LocalCluster}), and what it shows a user printed as {@code [k8s] ...} lines (the
 * {@code k8s/run-locally} script prints exactly those).
 */
class ExamplePodsIT {
    private static final Duration POD_TIMEOUT = Duration.ofSeconds(90);

    private static ManifestSet example(String folder) {
        return ManifestSet.load(ManifestValidationTest.EXAMPLES.resolve(folder));
    }

    private static LocalCluster run(ManifestSet example) {
        return LocalCluster.start(example, POD_TIMEOUT);
    }

    private static void show(String example, String command, String output) {
        System.out.println("[k8s] " + example + ": $ " + command);
        output.strip().lines().forEach(line -> System.out.println("[k8s]   " + line));
    }

    /**
     * The hardened securityContext took effect in every podkit container of the pod: uid 65532, a
     * read-only root filesystem, no capabilities, no privilege escalation, the memory limit.
     */
    private static void assertHardened(LocalPod pod) throws Exception {
        for (var c : pod.spec().getSpec().getContainers()) {
            if (ManifestChecks.helperOf(c.getImage()).isEmpty()) {
                continue;
            }
            var container = pod.container(c.getName());
            var host = container.getContainerInfo().getHostConfig();
            String where = pod.name() + "/" + c.getName();
            assertEquals(Boolean.TRUE, host.getReadonlyRootfs(), where);
            assertEquals("[ALL]", java.util.Arrays.toString(host.getCapDrop()), where);
            assertEquals(java.util.List.of("no-new-privileges:true"), host.getSecurityOpts(), where);
            assertEquals(192L * 1024 * 1024, host.getMemory(), where);
            String status = exec(container, "cat", "/proc/1/status");
            assertTrue(status.contains("\nUid:\t65532\t65532\t65532\t65532\n"), where + ": " + status);
            assertTrue(status.contains("\nCapEff:\t0000000000000000\n") && status.contains("\nNoNewPrivs:\t1\n"), where + ": " + status);
            assertNotEquals(0, container.execInContainer("touch", "/tmp/x").getExitCode(), where + ": /tmp is on the read-only root");
        }
    }

    private static final java.net.http.HttpClient HTTP = java.net.http.HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5)).build();

    private static String get(String url) throws Exception {
        var response = HTTP.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), url + ": " + response.body());
        return response.body();
    }

    /** Polls {@code value} until {@code done} holds (returns that value) or {@code timeout} passes (fails with the last one). */
    private static String eventually(Duration timeout, java.util.function.Supplier<String> value,
            java.util.function.Predicate<String> done) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = value.get();
        while (!done.test(last)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + timeout + ":\n" + last);
            }
            Thread.sleep(250);
            last = value.get();
        }
        return last;
    }

    private static String exec(org.testcontainers.containers.GenericContainer<?> c, String... command) throws Exception {
        ExecResult result = c.execInContainer(command);
        assertEquals(0, result.getExitCode(), String.join(" ", command) + ": " + result.getStderr());
        return result.getStdout();
    }

    private static String execInPodNetwork(LocalPod pod, String... command) throws Exception {
        ExecResult result = pod.execInPodNetwork(command);
        assertEquals(0, result.getExitCode(), String.join(" ", command) + ": " + result.getStderr());
        return result.getStdout();
    }

    @Test
    void sidecar() throws Exception {
        try (LocalCluster cluster = run(example("sidecar"))) {
            LocalPod pod = cluster.pod("sidecar-example");
            // The writer (uid 1000) and log-sidecar (uid 65532) share the emptyDir; log-sidecar's mount is read-only.
            String seen = exec(pod.container("log-sidecar"), "sh", "-c", "id -u; cat /input/data.txt");
            assertTrue(seen.startsWith("65532\n") && seen.contains(" line 1 from the writer\n"), seen);
            assertNotEquals(0, pod.container("log-sidecar").execInContainer("touch", "/input/x").getExitCode(), "read-only mount");
            assertHardened(pod);
            show("sidecar", "kubectl exec sidecar-example -c writer -- cat /output/data.txt",
                    exec(pod.container("writer"), "cat", "/output/data.txt"));
            // The promise: kubectl logs shows the writer's lines, and stdout carries nothing else.
            String shown = eventually(Duration.ofSeconds(30), () -> pod.stdout("log-sidecar"),
                    out -> out.contains(" line 2 from the writer\n"));
            assertTrue(shown.contains(" line 1 from the writer\n"), shown);
            String written = exec(pod.container("writer"), "cat", "/output/data.txt");
            shown.lines().forEach(line -> assertTrue(written.contains(line + "\n"), "not a line of data.txt: " + line));
            show("sidecar", "kubectl logs sidecar-example -c log-sidecar", pod.logs("log-sidecar"));

            // Native sidecar: started before the writer, stopped after it, cleanly.
            LocalPod nativePod = cluster.pod("native-sidecar-example").awaitCompletion(Duration.ofSeconds(60));
            var sidecar = nativePod.state("log-sidecar");
            var writer = nativePod.state("writer");
            assertEquals(0L, writer.getExitCodeLong(), "writer exit code");
            assertEquals(0L, sidecar.getExitCodeLong(), "log-sidecar exit code after SIGTERM");
            assertTrue(Instant.parse(sidecar.getStartedAt()).isBefore(Instant.parse(writer.getStartedAt())),
                    "log-sidecar started " + sidecar.getStartedAt() + ", the writer " + writer.getStartedAt());
            assertTrue(Instant.parse(sidecar.getFinishedAt()).isAfter(Instant.parse(writer.getFinishedAt())),
                    "log-sidecar stopped " + sidecar.getFinishedAt() + ", the writer " + writer.getFinishedAt());
            // The promise of a native sidecar: it saw every line, the last ones included, in order.
            java.util.List<String> lines = nativePod.stdout("log-sidecar").lines().toList();
            assertEquals(6, lines.size(), "log-sidecar's stdout: " + lines);
            for (int i = 1; i <= 5; i++) {
                assertTrue(lines.get(i - 1).endsWith(" line " + i + " of 5 from the writer"), lines.toString());
            }
            assertEquals("the writer is done", lines.get(5));
            show("sidecar", "kubectl logs native-sidecar-example -c log-sidecar", nativePod.logs("log-sidecar"));
        }
    }

    @Test
    void ambassador() throws Exception {
        ManifestSet set = example("ambassador");
        try (LocalCluster cluster = run(set)) {
            LocalPod pod = cluster.pod("ambassador-example");
            // The Service's names resolve in the pod and its port 8081 reaches nginx's 80.
            for (String name : LocalCluster.dnsNames(set.services().get(0))) {
                String page = execInPodNetwork(pod, "timeout", "10", "wget", "-qO-", "http://" + name + ":8081/");
                assertTrue(page.contains("<title>Welcome to nginx!</title>"), name + ": " + page);
            }
            assertHardened(pod);
            // The app reaches tcp-ambassador on localhost (its admin port).
            assertEquals("ready\n", exec(pod.container("main"), "wget", "-qO-", "http://localhost:9702/readyz"));
            // The promise: the app gets nginx's page from localhost:8080, through the ambassador.
            eventually(Duration.ofSeconds(30), () -> pod.stdout("main"),
                    out -> out.contains("localhost:8080 answered <title>Welcome to nginx!</title>"));
            show("ambassador", "kubectl logs ambassador-example -c main", pod.logs("main"));
        }
    }

    @Test
    void adapter() throws Exception {
        ManifestSet set = example("adapter");
        String password = new String(PodVolume.secretData(set.secret("adapter-example-postgres").orElseThrow())
                .get("postgres-password"), java.nio.charset.StandardCharsets.UTF_8);
        try (LocalCluster cluster = run(set)) {
            LocalPod pod = cluster.pod("adapter-example");
            assertHardened(pod);
            // POSTGRES_PASSWORD came from the Secret: a password login over the pod's IP works with it, and only with it.
            String podIp = pod.podIp();
            String query = exec(pod.container("postgres"), "sh", "-c", "PGPASSWORD='" + password + "' psql -h " + podIp
                    + " -U postgres -tAc 'select 1'");
            assertEquals("1\n", query);
            assertNotEquals(0, pod.container("postgres").execInContainer("sh", "-c", "PGPASSWORD=wrong psql -h " + podIp
                    + " -U postgres -tAc 'select 1'").getExitCode(), "a wrong password is refused");
            // Prometheus' view: the annotated Service's port and path.
            Map<String, String> annotations = set.services().get(0).getMetadata().getAnnotations();
            String metrics = execInPodNetwork(pod, "timeout", "10", "wget", "-qO-", "http://adapter-example-metrics:"
                    + annotations.get("prometheus.io/port") + annotations.get("prometheus.io/path"));
            PrometheusText text = PrometheusText.parse(metrics);
            assertEquals(1.0, text.value("pg_up", Map.of()).orElseThrow(() -> new AssertionError("no pg_up in\n" + metrics)));
            assertEquals(1.0, text.value("podkit_build_info", Map.of("helper", "metrics-adapter",
                    "version", System.getProperty("podkit.project.version"))).orElseThrow());
            show("adapter", "kubectl port-forward svc/adapter-example-metrics 9187 & curl -s localhost:9187/metrics | grep -E '^(pg_up|podkit_build_info)'",
                    metrics.lines().filter(l -> l.startsWith("pg_up") || l.startsWith("podkit_build_info"))
                            .reduce("", (a, b) -> a + b + "\n"));
        }
    }

    @Test
    void requestSplitter() throws Exception {
        ManifestSet set = example("request-splitter");
        try (LocalCluster cluster = run(set)) {
            LocalPod frontend = cluster.pod("frontend");
            assertHardened(frontend);
            // The backends' Services, from the frontend pod.
            assertEquals("backend\n", execInPodNetwork(frontend, "timeout", "10", "wget", "-qO-", "http://backend/"));
            assertEquals("backend-experiment\n", execInPodNetwork(frontend, "timeout", "10", "wget", "-qO-", "http://backend-experiment/"));
            // The ConfigMap as read-only files in the kubelet's layout.
            var splitter = frontend.container("request-splitter");
            assertEquals(set.configMap("request-splitter-config").orElseThrow().getData().get("splitter.yaml"),
                    exec(splitter, "cat", "/etc/request-splitter/splitter.yaml"));
            assertTrue(exec(splitter, "readlink", "/etc/request-splitter/..data").startsWith("..20"));
            assertEquals("..data/splitter.yaml\n", exec(splitter, "readlink", "/etc/request-splitter/splitter.yaml"));
            assertNotEquals(0, splitter.execInContainer("touch", "/etc/request-splitter/x").getExitCode(), "read-only ConfigMap");
            // The pod's sysctl, which lets the non-root ambassador bind port 80.
            assertEquals("0\n", execInPodNetwork(frontend, "cat", "/proc/sys/net/ipv4/ip_unprivileged_port_start"));
            show("request-splitter", "kubectl exec frontend -c request-splitter -- cat /etc/request-splitter/splitter.yaml",
                    exec(splitter, "cat", "/etc/request-splitter/splitter.yaml"));

            // The promise: through the frontend's port 80, a token always reaches the same backend, and tokens split about evenly.
            String base = "http://localhost:" + frontend.hostPort(80) + "/?token=";
            Map<String, Integer> counts = new java.util.TreeMap<>();
            StringBuilder sample = new StringBuilder();
            for (int i = 0; i < 200; i++) {
                String token = "user-" + i;
                String first = get(base + token);
                assertEquals(first, get(base + token), "token " + token + " moved");
                assertTrue(first.equals("backend\n") || first.equals("backend-experiment\n"), token + ": " + first);
                counts.merge(first.strip(), 1, Integer::sum);
                if (i < 4) {
                    sample.append("?token=").append(token).append(" -> ").append(first);
                }
            }
            // 200 fair coin flips land within 70..130 with probability > 99.99%.
            assertTrue(counts.getOrDefault("backend", 0) >= 70 && counts.getOrDefault("backend-experiment", 0) >= 70,
                    "split of 200 tokens: " + counts);
            show("request-splitter", "kubectl port-forward svc/frontend 8080:80 & curl localhost:8080/?token=...",
                    sample + "200 tokens: " + counts + "\n");
        }
    }
}
