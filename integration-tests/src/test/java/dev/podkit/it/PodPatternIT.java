package dev.podkit.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.podkit.testcontainers.EmptyDir;
import dev.podkit.testcontainers.LogSidecarContainer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.containers.GenericContainer;

/** The pod pieces of podkit-testcontainers: a shared network namespace and a shared emptyDir. */
class PodPatternIT {

    private static GenericContainer<?> busybox() {
        return new GenericContainer<>(TestImages.busybox()).withCommand("sleep", "3600");
    }

    @Test
    void aHelperSharingTheAppsNetworkIsReachableOnLocalhostAndFromTheTest() throws Exception {
        try (GenericContainer<?> app = busybox();
             LogSidecarContainer sidecar = new LogSidecarContainer().sharingNetworkWith(app)) {
            sidecar.start(); // starts app first, waits for /readyz through app's published port

            ExecResult fromApp = app.execInContainer("wget", "-qO-", "http://127.0.0.1:" + sidecar.getAdminPort() + "/readyz");
            assertEquals("ready\n", fromApp.getStdout(), fromApp.getStderr());

            HttpResponse<String> fromTest = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(sidecar.getAdminUrl() + "/healthz")).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, fromTest.statusCode());
            assertEquals(app.getMappedPort(sidecar.getAdminPort()), sidecar.getMappedPort(sidecar.getAdminPort()));
        }
    }

    @Test
    void anEmptyDirIsSharedAndWritableByEveryUid() throws Exception {
        try (EmptyDir dir = EmptyDir.create();
             GenericContainer<?> writer = dir.mount(busybox().withCreateContainerCmdModifier(c -> c.withUser("1000")), "/output");
             GenericContainer<?> reader = dir.mount(busybox().withCreateContainerCmdModifier(c -> c.withUser("65532")), "/input")) {
            writer.start();
            reader.start();
            ExecResult write = writer.execInContainer("sh", "-c", "echo from-1000 > /output/app.log");
            assertEquals(0, write.getExitCode(), write.getStderr());
            ExecResult both = reader.execInContainer("sh", "-c", "echo from-65532 > /input/own.log && cat /input/app.log /input/own.log");
            assertEquals(0, both.getExitCode(), both.getStderr());
            assertEquals("from-1000\nfrom-65532\n", both.getStdout());
        }
    }
}
