package dev.podkit.it.logsidecar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.dockerjava.api.DockerClient;
import dev.podkit.it.TestImages;
import dev.podkit.testcontainers.EmptyDir;
import dev.podkit.testcontainers.LogSidecarContainer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.output.OutputFrame.OutputType;

/**
 * The seed pod: a busybox "app" writes numbered lines to a shared volume and rotates its file, the
 * built log-sidecar image tails the volume; the sidecar's container log (what {@code kubectl logs
 * POD -c log-sidecar} shows) has every line once, in order, also across a SIGKILL and restart.
 */
class SeedPodIT {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final DockerClient docker = DockerClientFactory.instance().client();
    private EmptyDir volume;
    private EmptyDir stateVolume;

    @BeforeEach
    void createVolumes() {
        volume = EmptyDir.create();
    }

    @AfterEach
    void removeVolumes() {
        volume.close();
        if (stateVolume != null) {
            stateVolume.close();
        }
    }

    /** A volume of its own for STATE_DIR. */
    private EmptyDir stateVolume() {
        stateVolume = EmptyDir.create();
        return stateVolume;
    }

    /** The app container: writes {@code count} lines, one every 10 ms, renaming its file every 100 lines. */
    private GenericContainer<?> app(int count) {
        String script = "i=0; while [ $i -lt " + count + " ]; do echo \"line $i from the app é\" >> /input/app.log; "
                + "i=$((i+1)); if [ $((i % 100)) -eq 0 ]; then mv /input/app.log /input/app.log.$i; fi; "
                + "sleep 0.01; done; echo done > /input/done; sleep 3600";
        return volume.mount(new GenericContainer<>(TestImages.busybox()).withCommand("sh", "-c", script), "/input");
    }

    private static List<String> lines(String text) {
        return Arrays.stream(text.split("\n")).filter(l -> !l.isEmpty()).toList();
    }

    private static List<String> expected(int count) {
        return IntStream.range(0, count).mapToObj(i -> "line " + i + " from the app é").toList();
    }

    private static void await(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(100);
        }
    }

    @Test
    void theSidecarsLogShowsTheAppsLinesOnceAndInOrderAcrossRotations() throws Exception {
        int count = 450;
        try (LogSidecarContainer sidecar = new LogSidecarContainer().withSharedVolume(volume, "/input")
                .withStateTmpfs("/state").withReadOnlyRootFilesystem();
                GenericContainer<?> app = app(count)) {
            sidecar.start();
            app.start();
            await("all lines in the sidecar's log", () -> lines(sidecar.getLogs(OutputType.STDOUT)).size() >= count);
            assertEquals(expected(count), lines(sidecar.getLogs(OutputType.STDOUT)));
            String metrics = HTTP.send(HttpRequest.newBuilder(URI.create(sidecar.getAdminUrl() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertTrue(metrics.contains("podkit_logsidecar_lines_read_total{file=\"/input/app.log\"} " + count + ".0"), metrics);
            assertTrue(metrics.contains("podkit_logsidecar_rotations_total{file=\"/input/app.log\"} 4.0"), metrics);
        }
    }

    @Test
    void afterASigkillAndARestartNothingIsLostOrRepeated() throws Exception {
        int count = 400;
        try (LogSidecarContainer sidecar = new LogSidecarContainer().withSharedVolume(volume, "/input")
                .withStateVolume(stateVolume(), "/state").withReadOnlyRootFilesystem();
                GenericContainer<?> app = app(count)) {
            sidecar.start();
            app.start();
            await("some lines", () -> lines(sidecar.getLogs(OutputType.STDOUT)).size() >= 120);
            docker.killContainerCmd(sidecar.getContainerId()).withSignal("SIGKILL").exec();
            Thread.sleep(1500); // the app goes on writing and rotating while the sidecar is down
            docker.startContainerCmd(sidecar.getContainerId()).exec(); // same container: the tmpfs state is kept
            await("all lines after the restart", () -> {
                List<String> got = lines(sidecar.getLogs(OutputType.STDOUT));
                return got.contains("line " + (count - 1) + " from the app é");
            });
            Thread.sleep(500);
            List<String> got = lines(sidecar.getLogs(OutputType.STDOUT));
            // docker logs of a restarted container: both runs, one after the other.
            assertEquals(expected(count), got.stream().distinct().toList(), "every line, in order");
            assertTrue(got.size() - count <= 0 || repeatsOnlyAtTheKill(got, count),
                    "lines repeat only where SIGKILL cut between a write and its checkpoint: " + (got.size() - count));
            String stderr = sidecar.getLogs(OutputType.STDERR);
            assertTrue(stderr.contains("continuing from /state/log-sidecar.state"), stderr);
        }
    }

    /** Repeats form one run right after the kill, each a line the first run wrote last. */
    private static boolean repeatsOnlyAtTheKill(List<String> got, int count) {
        int firstRepeat = -1;
        for (int i = 1; i < got.size(); i++) {
            if (got.subList(0, i).contains(got.get(i))) {
                firstRepeat = i;
                break;
            }
        }
        int repeats = got.size() - count;
        return firstRepeat > 0 && repeats < 64 // at most one write's worth of these short lines
                && got.subList(firstRepeat, firstRepeat + repeats).equals(got.subList(firstRepeat - repeats, firstRepeat));
    }

    @Test
    void jsonOutputCarriesThePodMetadata() throws Exception {
        try (LogSidecarContainer sidecar = new LogSidecarContainer().withSharedVolume(volume, "/input").withJsonOutput()
                .withPodMetadata("web-0", "shop", "app");
                GenericContainer<?> app = app(3)) {
            sidecar.start();
            app.start();
            await("three JSON lines", () -> lines(sidecar.getLogs(OutputType.STDOUT)).size() >= 3);
            String first = lines(sidecar.getLogs(OutputType.STDOUT)).get(0);
            assertTrue(first.matches("\\{\"time\":\"[^\"]+\",\"file\":\"/input/app.log\",\"offset\":0,\"pod\":\"web-0\","
                    + "\"namespace\":\"shop\",\"container\":\"app\",\"message\":\"line 0 from the app é\"}"), first);
            String stderr = sidecar.getLogs(OutputType.STDERR);
            assertTrue(stderr.contains("STATE_DIR is unset: running without checkpoints"), stderr);
        }
    }

    @Test
    void anUnwritableStateDirIsOneWarningAndTailingGoesOn() throws Exception {
        try (LogSidecarContainer sidecar = new LogSidecarContainer().withSharedVolume(volume, "/input")
                .withStateDir("/var/lib/log-sidecar").withReadOnlyRootFilesystem();
                GenericContainer<?> app = app(5)) {
            app.start(); // no volume at STATE_DIR: the read-only root filesystem is not writable
            sidecar.start();
            await("five lines", () -> lines(sidecar.getLogs(OutputType.STDOUT)).size() >= 5);
            List<String> warnings = lines(sidecar.getLogs(OutputType.STDERR)).stream()
                    .filter(l -> l.contains("WARN") && l.contains("STATE_DIR")).toList();
            assertEquals(1, warnings.size(), warnings.toString());
            assertTrue(warnings.get(0).contains("STATE_DIR /var/lib/log-sidecar is not writable"), warnings.get(0));
        }
    }
}
