package dev.podkit.ambassador.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podkit.ambassador.RunningAmbassador;
import dev.podkit.ambassador.TestServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Faults with clear, bounded outcomes: dead targets, retries, ejection, health checks, timeouts, limits, drain. */
class FaultsTest {
    private static final int TIMEOUT_MS = 20_000;

    /** Connects, reads what the target says first ("a", "b"...) up to a newline. */
    private static String greeting(int port) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(TIMEOUT_MS);
            byte[] line = s.getInputStream().readNBytes(2);
            return new String(line, StandardCharsets.US_ASCII).trim();
        }
    }

    private static TestServer greeter(String name) throws IOException {
        return new TestServer(s -> {
            s.getOutputStream().write((name + "\n").getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            TestServer.drain(s.getInputStream());
            s.close();
        });
    }

    /** Ends with an exception or end of stream, within the socket timeout; returns what ended it. */
    private static String endOf(Socket s) throws IOException {
        s.setSoTimeout(TIMEOUT_MS);
        try {
            int r = s.getInputStream().read();
            return r < 0 ? "end of stream" : "data";
        } catch (SocketException e) {
            return e.getMessage();
        }
    }

    @Test
    void anUnreachableTargetResetsTheClientAtOnceAndCountsTheError() throws Exception {
        int dead = RunningAmbassador.freePort();
        // A connect timeout far beyond the socket timeout: a hang would fail this test.
        try (RunningAmbassador amb = RunningAmbassador.forwarding(RunningAmbassador.freePort(), "127.0.0.1:" + dead,
                Map.of("TIMEOUT_CONNECT", "60s", "RETRIES", "2"));
             Socket client = new Socket("127.0.0.1", amb.port())) {
            String end = endOf(client);
            assertTrue(end.toLowerCase().contains("reset"), "the client was reset, not left waiting: " + end);
            amb.await(1, "podkit_ambassador_connections_ended_total", "how", "no_target");
            assertEquals(3, amb.value("podkit_ambassador_connect_errors_total", "reason", "refused"),
                    "first attempt plus RETRIES=2");
        }
    }

    @Test
    void aFailedConnectIsRetriedOnAnotherTargetAndTheDeadOneIsEjected() throws Exception {
        int dead = RunningAmbassador.freePort();
        try (TestServer alive = greeter("a");
             RunningAmbassador amb = RunningAmbassador.forwarding(RunningAmbassador.freePort(),
                     "127.0.0.1:" + dead + ",127.0.0.1:" + alive.port(),
                     Map.of("EJECT_AFTER", "2", "EJECT_TIME", "1m"))) {
            for (int i = 0; i < 10; i++) {
                assertEquals("a", greeting(amb.port()), "connection " + i + " reached the live target");
            }
            String deadTarget = "127.0.0.1:" + dead;
            assertEquals(2, amb.value("podkit_ambassador_connect_errors_total", "target", deadTarget, "reason", "refused"),
                    "after EJECT_AFTER=2 failures the dead target is not tried any more");
            assertEquals(0, amb.value("podkit_ambassador_target_up", "target", deadTarget));
            assertEquals(1, amb.value("podkit_ambassador_target_up", "target", "127.0.0.1:" + alive.port()));
            assertEquals(10, amb.value("podkit_ambassador_connections_ended_total", "how", "closed")
                    + amb.value("podkit_ambassador_connections_ended_total", "how", "client_reset"));
        }
    }

    @Test
    void activeHealthChecksMarkATargetDownAndUpAgain() throws Exception {
        int port = RunningAmbassador.freePort();
        String target = "127.0.0.1:" + port;
        try (TestServer other = greeter("b");
             RunningAmbassador amb = RunningAmbassador.forwarding(RunningAmbassador.freePort(),
                     target + ",127.0.0.1:" + other.port(), Map.of("HEALTH_CHECK_INTERVAL", "100ms",
                             "HEALTH_CHECK_RISE", "2", "HEALTH_CHECK_FALL", "2", "EJECT_AFTER", "0"))) {
            // Resolved (one address), then marked down by two failed checks.
            amb.await(1, "podkit_ambassador_target_endpoints", "target", target);
            amb.await(0, "podkit_ambassador_target_up", "target", target);
            for (int i = 0; i < 6; i++) {
                assertEquals("b", greeting(amb.port()));
            }
            assertEquals(0, amb.value("podkit_ambassador_connect_errors_total", "target", target, "reason", "refused"),
                    "a target that is down is not picked");
            try (TestServer back = new TestServer("127.0.0.1", port, s -> {
                s.getOutputStream().write("a\n".getBytes(StandardCharsets.US_ASCII));
                TestServer.drain(s.getInputStream());
            })) {
                amb.await(1, "podkit_ambassador_target_up", "target", target);
                Set<String> seen = new HashSet<>();
                for (int i = 0; i < 6; i++) {
                    seen.add(greeting(amb.port()));
                }
                assertEquals(Set.of("a", "b"), seen, "round-robin over both once the target is up again");
            }
        }
    }

    @Test
    void anIdleConnectionIsClosedAfterTheTunnelTimeoutAndABusyOneIsNot() throws Exception {
        try (TestServer echo = TestServer.echo();
             RunningAmbassador amb = RunningAmbassador.forwarding(RunningAmbassador.freePort(),
                     "127.0.0.1:" + echo.port(), Map.of("TIMEOUT_TUNNEL", "600ms"));
             Socket idle = new Socket("127.0.0.1", amb.port());
             Socket busy = new Socket("127.0.0.1", amb.port())) {
            busy.setSoTimeout(TIMEOUT_MS);
            for (int i = 0; i < 12; i++) {
                busy.getOutputStream().write('x');
                assertEquals('x', busy.getInputStream().read());
                Thread.sleep(100);
            }
            assertEquals("end of stream", endOf(idle));
            amb.await(1, "podkit_ambassador_connections_ended_total", "how", "idle_timeout");
            busy.getOutputStream().write('y');
            assertEquals('y', busy.getInputStream().read(), "the busy connection outlived the timeout");
        }
    }

    @Test
    void aHalfClosedConnectionIsClosedAfterTheFinTimeout() throws Exception {
        // The target never answers nor closes after the client's FIN.
        try (TestServer silent = new TestServer(s -> {
                 TestServer.drain(s.getInputStream());
                 Thread.sleep(60_000);
             });
             RunningAmbassador amb = RunningAmbassador.forwarding(RunningAmbassador.freePort(),
                     "127.0.0.1:" + silent.port(), Map.of("TIMEOUT_CLIENT_FIN", "500ms", "TIMEOUT_SERVER_FIN", "500ms"));
             Socket client = new Socket("127.0.0.1", amb.port())) {
            client.getOutputStream().write("bye".getBytes(StandardCharsets.US_ASCII));
            client.shutdownOutput();
            assertEquals("end of stream", endOf(client));
            amb.await(1, "podkit_ambassador_connections_ended_total", "how", "fin_timeout");
        }
    }

    @Test
    void connectionsBeyondMaxConnectionsAreResetAtOnce() throws Exception {
        try (TestServer echo = TestServer.echo();
             RunningAmbassador amb = RunningAmbassador.forwarding(RunningAmbassador.freePort(),
                     "127.0.0.1:" + echo.port(), Map.of("MAX_CONNECTIONS", "2"))) {
            List<Socket> open = new ArrayList<>();
            try {
                for (int i = 0; i < 2; i++) {
                    Socket s = new Socket("127.0.0.1", amb.port());
                    s.setSoTimeout(TIMEOUT_MS);
                    s.getOutputStream().write('x');
                    assertEquals('x', s.getInputStream().read());
                    open.add(s);
                }
                try (Socket third = new Socket("127.0.0.1", amb.port())) {
                    assertTrue(endOf(third).toLowerCase().contains("reset"));
                }
                amb.await(1, "podkit_ambassador_connections_ended_total", "how", "limit");
                open.remove(0).close();
                amb.await(1, "podkit_ambassador_connections_active");
                try (Socket again = new Socket("127.0.0.1", amb.port())) {
                    again.setSoTimeout(TIMEOUT_MS);
                    again.getOutputStream().write('z');
                    assertEquals('z', again.getInputStream().read(), "a slot freed up");
                }
            } finally {
                for (Socket s : open) {
                    s.close();
                }
            }
        }
    }

    @Test
    void aNameThatDoesNotResolveDoesNotStopTheStartAndFailsItsConnectionsFast() throws Exception {
        try (RunningAmbassador amb = RunningAmbassador.forwarding(RunningAmbassador.freePort(),
                "no-such-target.invalid:5432", Map.of("NAMESERVERS", "127.0.0.1:" + RunningAmbassador.freePort(),
                        "TIMEOUT_CONNECT", "1s", "RETRIES", "0"));
             Socket client = new Socket("127.0.0.1", amb.port())) {
            assertTrue(endOf(client).toLowerCase().contains("reset"));
            amb.await(1, "podkit_ambassador_connections_ended_total", "how", "no_target");
            assertTrue(amb.value("podkit_ambassador_connect_errors_total", "reason", "dns") >= 1);
            assertEquals(0, amb.value("podkit_ambassador_target_up"));
        }
    }

    @Test
    void drainStopsAcceptingAndWaitsForOpenConnectionsWhichKeepWorking() throws Exception {
        try (TestServer echo = TestServer.echo();
             RunningAmbassador amb = RunningAmbassador.forwarding(RunningAmbassador.freePort(),
                     "127.0.0.1:" + echo.port(), Map.of());
             Socket open = new Socket("127.0.0.1", amb.port())) {
            open.setSoTimeout(TIMEOUT_MS);
            open.getOutputStream().write('a');
            assertEquals('a', open.getInputStream().read());
            CompletableFuture<Void> drained = amb.drain();
            assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", amb.port()).close(),
                    "no new connections while draining");
            Thread.sleep(300);
            assertFalse(drained.isDone(), "the drain waits for the open connection");
            open.getOutputStream().write('b');
            assertEquals('b', open.getInputStream().read(), "the open connection still works");
            open.shutdownOutput();
            InputStream in = open.getInputStream();
            assertEquals(-1, in.read());
            drained.get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
        }
    }
}
