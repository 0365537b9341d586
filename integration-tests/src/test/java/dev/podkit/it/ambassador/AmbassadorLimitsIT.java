package dev.podkit.it.ambassador;

import static dev.podkit.it.ambassador.Pods.awaitMetric;
import static dev.podkit.it.ambassador.Pods.metric;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.dockerjava.api.model.Ulimit;
import dev.podkit.testcontainers.TcpAmbassadorContainer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.output.OutputFrame.OutputType;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.Transferable;

/** Many connections: idle ones held at little memory each; running out of file descriptors. */
class AmbassadorLimitsIT {
    /**
     * Each proxied connection holds two sockets, and no process on this machine may have more
     * than 20,000 file descriptors (its hard limit, which containers cannot raise without
     * CAP_SYS_RESOURCE): 9,500 connections (19,000 sockets) is what fits.
     */
    private static final int IDLE_CONNECTIONS = 9_500;

    /** The container's address on its network: reached directly, without docker-proxy's own sockets in between. */
    private static String ip(GenericContainer<?> c) {
        return c.getContainerInfo().getNetworkSettings().getNetworks().values().iterator().next().getIpAddress();
    }

    @Test
    void nineThousandFiveHundredIdleConnectionsAreHeldCheaply() throws Exception {
        // nginx keeps a connection that sends nothing open for client_header_timeout.
        String conf = """
                worker_processes 1;
                worker_rlimit_nofile 20000;
                events { worker_connections 19000; }
                http { client_header_timeout 300s; server { listen 8081; return 200 "ok\\n"; } }
                """;
        try (Network net = Network.newNetwork();
             GenericContainer<?> idle = new GenericContainer<>(Pods.NGINX).withNetwork(net).withNetworkAliases("idle-svc")
                     .withCopyToContainer(Transferable.of(conf), "/etc/nginx/nginx.conf")
                     .withCommand("nginx", "-g", "daemon off; error_log stderr;")
                     .waitingFor(Wait.forListeningPort());
             TcpAmbassadorContainer ambassador = new TcpAmbassadorContainer().withNetwork(net)
                     .forwarding(8080, "idle-svc", 8081)) {
            idle.withExposedPorts(8081);
            idle.start();
            ambassador.start();
            double before = metric(ambassador, "process_resident_memory_bytes");
            List<Socket> sockets = new ArrayList<>(IDLE_CONNECTIONS);
            try {
                String host = ip(ambassador);
                for (int i = 0; i < IDLE_CONNECTIONS; i++) {
                    Socket s = new Socket();
                    s.connect(new InetSocketAddress(host, 8080), 10_000);
                    sockets.add(s);
                }
                awaitMetric(ambassador, IDLE_CONNECTIONS, "podkit_ambassador_target_connections_active",
                        "route", ":8080", "target", "idle-svc:8081");
                double after = metric(ambassador, "process_resident_memory_bytes");
                double perConnection = (after - before) / IDLE_CONNECTIONS;
                System.out.printf("tcp-ambassador with %d idle connections: RSS %.1f MiB -> %.1f MiB, %.1f KiB per connection%n",
                        IDLE_CONNECTIONS, before / 1048576, after / 1048576, perConnection / 1024);
                assertTrue(perConnection < 16 * 1024, "memory per idle connection: " + perConnection + " bytes");
                // The last one still works end to end.
                Socket last = sockets.get(sockets.size() - 1);
                last.setSoTimeout(20_000);
                last.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                assertTrue(new String(last.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).endsWith("ok\n"));
            } finally {
                for (Socket s : sockets) {
                    s.close();
                }
            }
            awaitMetric(ambassador, 0, "podkit_ambassador_connections_active", "route", ":8080");
        }
    }

    @Test
    void runningOutOfFileDescriptorsIsLoggedAndOpenConnectionsKeepWorking() throws Exception {
        try (Network net = Network.newNetwork();
             GenericContainer<?> echo = new GenericContainer<>(Pods.BUSYBOX).withNetwork(net)
                     .withNetworkAliases("echo-svc").withCommand("nc", "-ll", "-p", "8081", "-e", "cat");
             TcpAmbassadorContainer ambassador = new TcpAmbassadorContainer().withNetwork(net)
                     .forwarding(8080, "echo-svc", 8081)
                     .withCreateContainerCmdModifier(cmd -> cmd.getHostConfig()
                             .withUlimits(new Ulimit[] {new Ulimit("nofile", 160L, 160L)}))) {
            echo.start();
            ambassador.start();
            String host = ip(ambassador);
            List<Socket> open = new ArrayList<>();
            try {
                int served = 0;
                int failed = 0;
                for (int i = 0; i < 150 && failed < 3; i++) {
                    Socket s = new Socket();
                    s.connect(new InetSocketAddress(host, 8080), 10_000);
                    s.setSoTimeout(3_000);
                    open.add(s);
                    if (echoes(s, "n" + i)) {
                        served++;
                    } else {
                        failed++;
                    }
                }
                assertTrue(served > 10, "served " + served);
                assertTrue(failed > 0, "the file descriptor limit was reached after " + served + " connections");
                awaitLog(ambassador, "out of file descriptors");
                assertTrue(echoes(open.get(0), "still here"), "connections opened before the limit keep working");
                for (Socket s : open) {
                    s.close();
                }
                open.clear();
                awaitMetric(ambassador, 0, "podkit_ambassador_connections_active", "route", ":8080");
                try (Socket again = new Socket()) {
                    again.connect(new InetSocketAddress(host, 8080), 10_000);
                    again.setSoTimeout(10_000);
                    assertTrue(echoes(again, "again"), "accepting again once file descriptors are free");
                }
            } finally {
                for (Socket s : open) {
                    s.close();
                }
            }
        }
    }

    /** Whether a line comes back (false on a reset, or when nothing comes within the socket timeout). */
    private static boolean echoes(Socket s, String text) {
        try {
            byte[] line = (text + "\n").getBytes(StandardCharsets.US_ASCII);
            s.getOutputStream().write(line);
            return new String(s.getInputStream().readNBytes(line.length), StandardCharsets.US_ASCII).equals(text + "\n");
        } catch (IOException e) {
            return false;
        }
    }

    private static void awaitLog(TcpAmbassadorContainer ambassador, String text) throws InterruptedException {
        for (int i = 0; i < 100 && !ambassador.getLogs(OutputType.STDERR).contains(text); i++) {
            Thread.sleep(100);
        }
        assertTrue(ambassador.getLogs(OutputType.STDERR).contains(text), ambassador.getLogs(OutputType.STDERR));
    }
}
