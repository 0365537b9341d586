package dev.podkit.it.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The pod runner itself, on small pods in {@code src/test/resources/k8s-runner/} (busybox only). */
class LocalPodIT {
    private static final Path RUNNER = Path.of("src", "test", "resources", "k8s-runner");

    private static LocalCluster run(String file, Duration timeout) {
        return LocalCluster.start(ManifestSet.ofFile(RUNNER.resolve(file)), timeout);
    }

    @Test
    void initContainersCompleteFirstAndANativeSidecarIsStartedBeforeTheMainContainer() throws Exception {
        try (LocalCluster cluster = run("init-containers.yaml", Duration.ofSeconds(60))) {
            LocalPod pod = cluster.pod("runner-init");
            var setup = pod.state("setup");
            var web = pod.state("web");
            var main = pod.state("main");
            assertEquals(0L, setup.getExitCodeLong());
            assertTrue(Instant.parse(setup.getFinishedAt()).isBefore(Instant.parse(web.getStartedAt())), "setup finished before web started");
            assertTrue(web.getRunning() && main.getRunning(), "the sidecar and the main container run");
            // main fetched the file setup wrote, from the sidecar's httpd on localhost: the startup probe held main back.
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (pod.stdout("main").isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertEquals("prepared-by-setup\n", pod.stdout("main"), pod.logs("main"));
            // The sidecar's mount is read-only.
            assertTrue(pod.container("web").execInContainer("touch", "/work/x").getExitCode() != 0);
            pod.terminate();
            assertTrue(Instant.parse(pod.state("main").getFinishedAt()).isBefore(Instant.parse(pod.state("web").getFinishedAt())),
                    "the main container stops before the native sidecar");
        }
    }

    @Test
    void aFailingInitContainerStopsThePod() {
        RuntimeException e = assertThrows(IllegalStateException.class, () -> run("failing-init-container.yaml", Duration.ofSeconds(30)).close());
        assertTrue(e.getMessage().contains("setup: init container exited with code 3") && e.getMessage().contains("cannot prepare"),
                e.getMessage());
    }

    @Test
    void runAsNonRootRefusesAnImageThatRunsAsRoot() {
        RuntimeException e = assertThrows(IllegalStateException.class, () -> run("run-as-root.yaml", Duration.ofSeconds(30)).close());
        assertTrue(e.getMessage().contains("runAsNonRoot"), e.getMessage());
    }

    @Test
    void aReadinessProbeThatNeverPassesFailsTheStart() {
        RuntimeException e = assertThrows(IllegalStateException.class, () -> run("never-ready.yaml", Duration.ofSeconds(4)).close());
        assertTrue(e.getMessage().contains("readinessProbe did not pass"), e.getMessage());
    }
}
