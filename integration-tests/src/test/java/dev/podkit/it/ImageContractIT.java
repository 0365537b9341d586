package dev.podkit.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.command.TopContainerResponse;
import dev.podkit.testcontainers.LogSidecarContainer;
import dev.podkit.testcontainers.MetricsAdapterContainer;
import dev.podkit.testcontainers.PodkitContainer;
import dev.podkit.testcontainers.PodkitImages;
import dev.podkit.testcontainers.RequestSplitterContainer;
import dev.podkit.testcontainers.TcpAmbassadorContainer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.wait.strategy.AbstractWaitStrategy;
import org.testcontainers.containers.output.OutputFrame.OutputType;
import org.testcontainers.containers.startupcheck.StartupCheckStrategy;
import org.testcontainers.utility.DockerStatus;

/** The contract every podkit image keeps, checked on each of the four built images. */
class ImageContractIT {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    static Stream<Arguments> images() {
        return Stream.<Supplier<PodkitContainer<?>>>of(LogSidecarContainer::new, TcpAmbassadorContainer::new,
                        RequestSplitterContainer::new, MetricsAdapterContainer::new)
                .map(factory -> Arguments.of(factory.get().getHelper(), factory));
    }

    private static HttpResponse<String> get(PodkitContainer<?> c, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(c.getAdminUrl() + path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("images")
    void startsReadyOnAReadOnlyRootAsUid65532AndServesItsAdminEndpoints(String helper,
            Supplier<PodkitContainer<?>> factory) throws Exception {
        try (PodkitContainer<?> c = factory.get().withReadOnlyRootFilesystem()) {
            long begin = System.nanoTime();
            c.start(); // waits for /readyz 200, at most 60 s
            long readyMillis = (System.nanoTime() - begin) / 1_000_000;
            System.out.printf("%s: container start to /readyz 200 in %d ms%n", helper, readyMillis);

            assertEquals(Boolean.TRUE, c.getContainerInfo().getHostConfig().getReadonlyRootfs());
            assertEquals("65532", processUid(c.getContainerId()), "the JVM's uid");

            HttpResponse<String> healthz = get(c, "/healthz");
            assertEquals(200, healthz.statusCode());
            assertEquals(200, get(c, "/readyz").statusCode());

            HttpResponse<String> metrics = get(c, "/metrics");
            assertEquals(200, metrics.statusCode());
            PrometheusText text = PrometheusText.parse(metrics.body());
            assertEquals(1.0, text.value("podkit_build_info", Map.of("helper", helper, "version", projectVersion()))
                    .orElseThrow(() -> new AssertionError("no podkit_build_info for " + helper + " in\n" + metrics.body())));
            assertTrue(text.hasFamily("jvm_memory_used_bytes", "gauge"), "JVM memory meters");
            // The pause summary appears with the first collection, which a helper that starts
            // with a big enough heap has not had yet; the allocation counter is there from the start
            // (the text format names a counter family with its _total).
            assertTrue(text.hasFamily("jvm_gc_pause_seconds", "summary") || text.hasFamily("jvm_gc_memory_allocated_bytes_total", "counter"),
                    "JVM GC meters");
            assertTrue(text.hasFamily("jvm_threads_live_threads", "gauge"), "JVM thread meters");
            assertTrue(text.value("process_cpu_seconds_total", Map.of()).orElse(0.0) > 0, "process CPU");
            assertTrue(text.hasFamily("process_uptime_seconds", "gauge"), "process uptime");
            assertTrue(text.value("process_resident_memory_bytes", Map.of()).orElse(0.0) > 1_000_000, "process RSS");
            assertTrue(text.hasFamily("process_files_open_files", "gauge"), "open file descriptors");
            assertEquals(1.0, text.value("podkit_ready", Map.of()).orElseThrow());

            String logs = c.getLogs(OutputType.STDERR);
            assertTrue(logs.contains("podkit " + helper + " " + projectVersion() + " starting"), logs);
            assertTrue(logs.contains("ADMIN_PORT=" + c.getAdminPort()), logs);
            // Netty's native transport loads from the image's /app/native, not from an unpacked copy
            // in /tmp (there is no writable /tmp on a read-only root filesystem).
            assertTrue(logs.contains("; admin server on 0.0.0.0:" + c.getAdminPort() + " (epoll)"), logs);
            assertEquals("", c.getLogs(OutputType.STDOUT), "stdout stays free for payload");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("images")
    void theJvmUsesTheAotCacheTrainedAtBuildTime(String helper, Supplier<PodkitContainer<?>> factory) {
        // -XX:AOTMode=on turns "cache not matching this JVM and class path" from a silent fallback
        // (slower start, more memory) into a JVM that refuses to start; the log shows that it is
        // the image's cache (without -XX:AOTCache the JVM would open the JDK's default archive).
        try (PodkitContainer<?> c = factory.get().withReadOnlyRootFilesystem()
                .withEnv("JAVA_TOOL_OPTIONS", "-XX:AOTMode=on -Xlog:aot=info:stderr")) {
            c.start();
            String stderr = c.getLogs(OutputType.STDERR);
            assertTrue(stderr.contains("[info][aot] Opened AOT cache /app/aot/app.aot."), stderr);
            assertTrue(stderr.contains("[info][aot] Using AOT-linked classes: true"), stderr);
            assertFalse(stderr.contains("[warning][aot]") || stderr.contains("[error][aot]"), stderr);
            assertEquals("", c.getLogs(OutputType.STDOUT), "stdout stays free for payload");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("images")
    void dockerStopDrainsAndExitsZeroBeforeTheKill(String helper, Supplier<PodkitContainer<?>> factory) throws Exception {
        try (PodkitContainer<?> c = factory.get()) {
            c.start();
            DockerClient docker = DockerClientFactory.instance().client();
            long begin = System.nanoTime();
            docker.stopContainerCmd(c.getContainerId()).withTimeout(10).exec(); // SIGTERM, SIGKILL after 10 s
            long stopMillis = (System.nanoTime() - begin) / 1_000_000;
            InspectContainerResponse.ContainerState state = docker.inspectContainerCmd(c.getContainerId()).exec().getState();
            assertEquals(0L, state.getExitCodeLong(), "exit code (137 would mean it had to be killed)");
            assertTrue(stopMillis < 10_000, "stopped before the kill: " + stopMillis + " ms");
            String logs = c.getLogs(OutputType.STDERR);
            assertTrue(logs.contains("SIGTERM received: not ready any more, draining"), logs);
            assertTrue(logs.contains("INFO  Lifecycle: stopped"), logs);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("images")
    void aBadSettingExitsWith2AndOneStderrLineNamingIt(String helper, Supplier<PodkitContainer<?>> factory) {
        try (PodkitContainer<?> c = factory.get().withSetting("ADMIN_PORT", "notaport")
                .withStartupCheckStrategy(new RunsToCompletion())
                .waitingFor(new AbstractWaitStrategy() {
                    @Override
                    protected void waitUntilReady() {
                        // nothing to wait for: the container has exited
                    }
                })) {
            c.start();
            assertEquals(2L, c.getCurrentContainerInfo().getState().getExitCodeLong());
            assertEquals(List.of("config error: ADMIN_PORT: expected a port number 1-65535, got \"notaport\""),
                    lines(c.getLogs(OutputType.STDERR)));
            assertEquals("", c.getLogs(OutputType.STDOUT));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("images")
    void jsonDiagnosticsAreOneObjectPerLine(String helper, Supplier<PodkitContainer<?>> factory) {
        try (PodkitContainer<?> c = factory.get().withLogFormat("json")) {
            c.start();
            List<String> lines = lines(c.getLogs(OutputType.STDERR));
            assertTrue(lines.size() >= 2, lines.toString());
            for (String line : lines) {
                assertTrue(line.matches("\\{\"time\":\"[^\"]+\",\"level\":\"[A-Z]+\",\"logger\":\"[^\"]+\",\"message\":\".*\"}"), line);
            }
        }
    }

    private static List<String> lines(String text) {
        return Arrays.stream(text.split("\n")).filter(l -> !l.isBlank()).toList();
    }

    private static String projectVersion() {
        return System.getProperty("podkit.project.version", PodkitImages.of("log-sidecar").getVersionPart());
    }

    /** The uid of the container's main process, as the engine's host sees it (needs no tool in the image). */
    private static String processUid(String containerId) {
        TopContainerResponse top = DockerClientFactory.instance().client().topContainerCmd(containerId)
                .withPsArgs("-o pid,uid,comm").exec();
        List<String> titles = Arrays.asList(top.getTitles());
        int uid = titles.indexOf("UID");
        int comm = titles.indexOf("COMMAND");
        return Arrays.stream(top.getProcesses())
                .filter(p -> p[comm].equals("java"))
                .map(p -> p[uid])
                .findFirst()
                .orElseThrow(() -> new AssertionError("no java process in " + Arrays.deepToString(top.getProcesses())));
    }

    /** Start succeeds once the container has exited, whatever its exit code: for checking failures. */
    static final class RunsToCompletion extends StartupCheckStrategy {
        RunsToCompletion() {
            withTimeout(Duration.ofSeconds(60));
        }

        @Override
        public StartupStatus checkStartupState(DockerClient docker, String containerId) {
            InspectContainerResponse.ContainerState state = getCurrentState(docker, containerId);
            return DockerStatus.isContainerStopped(state) ? StartupStatus.SUCCESSFUL : StartupStatus.NOT_YET_KNOWN;
        }
    }
}
