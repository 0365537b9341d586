package dev.podkit.it.ambassador;

import static dev.podkit.it.ambassador.Pods.awaitMetric;
import static dev.podkit.it.ambassador.Pods.mainContainer;
import static dev.podkit.it.ambassador.Pods.metric;
import static dev.podkit.it.ambassador.Pods.sh;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.dockerjava.api.DockerClient;
import dev.podkit.testcontainers.TcpAmbassadorContainer;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.output.OutputFrame.OutputType;

/** The ambassador in a pod: the app in the same network namespace talks to localhost:8080. */
class AmbassadorPodIT {

    @Test
    void theMainContainerReachesTheServiceThroughLocalhost() throws Exception {
        try (Network net = Network.newNetwork();
             GenericContainer<?> svc = Pods.httpEcho(net, "ambassador-test-svc", "hello from ambassador-test-svc");
             TcpAmbassadorContainer ambassador = new TcpAmbassadorContainer().withNetwork(net)
                     .forwarding(8080, "ambassador-test-svc", 8081).withReadOnlyRootFilesystem()) {
            svc.start();
            ambassador.start();
            try (GenericContainer<?> main = mainContainer(ambassador)) {
                assertEquals("hello from ambassador-test-svc\n", sh(main, "wget -qO- http://localhost:8080/"));
            }
            awaitMetric(ambassador, 1, "podkit_ambassador_connections_ended_total", "how", "closed", "route", ":8080");
            assertEquals(1, metric(ambassador, "podkit_ambassador_target_connections_total",
                    "route", ":8080", "target", "ambassador-test-svc:8081"));
            assertTrue(metric(ambassador, "podkit_ambassador_downstream_bytes_total",
                    "route", ":8080", "target", "ambassador-test-svc:8081") > 30);
            assertTrue(ambassador.getLogs(OutputType.STDERR).contains(
                    "route :8080: listening on 0.0.0.0:8080 (epoll, splice auto), forwarding to ambassador-test-svc:8081"));
        }
    }

    @Test
    void aServiceThatMovesToAnotherAddressIsFollowedWithoutARestart() throws Exception {
        try (Network net = Network.newNetwork();
             GenericContainer<?> first = Pods.httpEcho(net, "ambassador-test-svc", "first");
             GenericContainer<?> second = Pods.httpEcho(net, "ambassador-test-svc", "second");
             TcpAmbassadorContainer ambassador = new TcpAmbassadorContainer().withNetwork(net)
                     .forwarding(8080, "ambassador-test-svc", 8081).withConnectTimeout(Duration.ofSeconds(2))) {
            first.start();
            ambassador.start();
            try (GenericContainer<?> main = mainContainer(ambassador)) {
                assertEquals("first\n", sh(main, "wget -qO- http://localhost:8080/"));
                // The alias moves: a new container (new IP) takes it, the old one goes away.
                second.start();
                first.stop();
                for (int i = 0; i < 5; i++) {
                    assertEquals("second\n", sh(main, "wget -qO- http://localhost:8080/"), "request " + i);
                }
            }
            String logs = ambassador.getLogs(OutputType.STDERR);
            assertEquals(1, logs.split("tcp-ambassador .* starting", -1).length - 1, "started once: " + logs);
        }
    }

    @ParameterizedTest(name = "SPLICE={0}")
    @ValueSource(strings = {"on", "off"})
    void aFinFromTheAppIsPassedOnAndTheWholeReplyStillArrives(String splice) throws Exception {
        // The service reads to the end of the request (the app's FIN), then answers its size and 1 MB.
        try (Network net = Network.newNetwork();
             GenericContainer<?> svc = new GenericContainer<>(Pods.BUSYBOX).withNetwork(net)
                     .withNetworkAliases("half-close-svc")
                     .withCommand("nc", "-ll", "-p", "8081", "-e", "sh", "-c",
                             "wc -c; head -c 1000000 /dev/zero | tr '\\0' x");
             TcpAmbassadorContainer ambassador = new TcpAmbassadorContainer().withNetwork(net)
                     .forwarding(8080, "half-close-svc", 8081).withSplice(splice)) {
            svc.start();
            ambassador.start();
            try (GenericContainer<?> main = mainContainer(ambassador)) {
                // busybox nc half-closes when its stdin ends
                String reply = sh(main, "head -c 3000000 /dev/zero | nc localhost 8080 > /tmp/reply; "
                        + "head -1 /tmp/reply; wc -c < /tmp/reply");
                assertEquals("3000000\n" + (8 + 1_000_000) + "\n", reply.replace(" ", ""));
            }
            awaitMetric(ambassador, 1, "podkit_ambassador_connections_ended_total", "how", "closed", "route", ":8080");
            assertEquals(3_000_000, metric(ambassador, "podkit_ambassador_upstream_bytes_total",
                    "route", ":8080", "target", "half-close-svc:8081"));
        }
    }

    @Test
    void sigtermStopsAcceptingAndWaitsForTheOpenConnection() throws Exception {
        try (Network net = Network.newNetwork();
             GenericContainer<?> echo = new GenericContainer<>(Pods.BUSYBOX).withNetwork(net)
                     .withNetworkAliases("echo-svc").withCommand("nc", "-ll", "-p", "8081", "-e", "cat");
             TcpAmbassadorContainer ambassador = new TcpAmbassadorContainer().withNetwork(net)
                     .forwarding(8080, "echo-svc", 8081).withShutdownTimeout(Duration.ofSeconds(60))) {
            echo.start();
            ambassador.start();
            DockerClient docker = DockerClientFactory.instance().client();
            try (Socket open = new Socket(ambassador.getHost(), ambassador.getForwardedPort(8080))) {
                open.setSoTimeout(20_000);
                OutputStream out = open.getOutputStream();
                InputStream in = open.getInputStream();
                out.write("one\n".getBytes());
                assertEquals("one\n", new String(in.readNBytes(4)));

                docker.killContainerCmd(ambassador.getContainerId()).withSignal("TERM").exec();
                awaitReadyz(ambassador, 503);
                out.write("two\n".getBytes());
                assertEquals("two\n", new String(in.readNBytes(4)), "the open connection keeps working while draining");
                assertTrue(docker.inspectContainerCmd(ambassador.getContainerId()).exec().getState().getRunning(),
                        "still running: the drain waits for the open connection");
                open.shutdownOutput();
                assertEquals(-1, in.read());
            }
            // The last connection closed: the drain ends long before SHUTDOWN_TIMEOUT=60s.
            for (int i = 0; i < 100 && Boolean.TRUE.equals(
                    docker.inspectContainerCmd(ambassador.getContainerId()).exec().getState().getRunning()); i++) {
                Thread.sleep(100);
            }
            var state = docker.inspectContainerCmd(ambassador.getContainerId()).exec().getState();
            assertEquals(Boolean.FALSE, state.getRunning(), "exited once the open connection was done");
            assertEquals(0L, state.getExitCodeLong());
            String logs = ambassador.getLogs(OutputType.STDERR);
            assertTrue(logs.contains("waiting for 1 open connection(s) to finish"), logs);
            assertTrue(Stream.of(logs.split("\n")).anyMatch(l -> l.contains("Lifecycle: drained in")), logs);
        }
    }

    private static void awaitReadyz(TcpAmbassadorContainer ambassador, int status) throws Exception {
        int last = 0;
        for (int i = 0; i < 100 && last != status; i++) {
            last = Pods.readyz(ambassador);
            Thread.sleep(100);
        }
        assertEquals(status, last, "/readyz");
    }
}
