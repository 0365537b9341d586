package dev.podkit.ambassador.proxy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podkit.ambassador.RunningAmbassador;
import dev.podkit.ambassador.TestServer;
import dev.podkit.ambassador.config.Splice;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Byte forwarding in each way the ambassador moves bytes: splice on epoll, buffers on epoll and
 * buffers on NIO. Real sockets on loopback.
 */
class ForwardingTest {
    private static final int TIMEOUT_MS = 30_000;

    static Stream<Map<String, String>> modes() {
        return Stream.of(Map.of("TRANSPORT", "epoll", "SPLICE", "on"),
                Map.of("TRANSPORT", "epoll", "SPLICE", "auto"),
                Map.of("TRANSPORT", "epoll", "SPLICE", "off"),
                Map.of("TRANSPORT", "nio"));
    }

    private static Socket connect(int port) throws IOException {
        Socket s = new Socket("127.0.0.1", port);
        s.setSoTimeout(TIMEOUT_MS);
        return s;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("modes")
    void aFinFromTheClientIsPassedOnAndTheReplyStillFlowsInFull(Map<String, String> mode) throws Exception {
        long request = 6_000_000;
        long reply = 9_000_000;
        // The target reads late and slowly, so the FIN arrives while the request is still queued.
        try (TestServer server = new TestServer(s -> {
                 Thread.sleep(500);
                 long got = TestServer.drain(s.getInputStream());
                 s.getOutputStream().write(("got " + got + "\n").getBytes(StandardCharsets.US_ASCII));
                 TestServer.write(s.getOutputStream(), reply, (byte) 'r');
                 s.close();
             });
             RunningAmbassador amb = RunningAmbassador.forwarding(RunningAmbassador.freePort(),
                     "127.0.0.1:" + server.port(), mode);
             Socket client = connect(amb.port())) {
            TestServer.write(client.getOutputStream(), request, (byte) 'q');
            client.shutdownOutput();
            DataInputStream in = new DataInputStream(client.getInputStream());
            String header = readLine(in);
            assertEquals("got " + request, header);
            assertEquals(reply, TestServer.drain(in));
            amb.await(1, "podkit_ambassador_connections_ended_total", "how", "closed");
            assertEquals(request, amb.value("podkit_ambassador_upstream_bytes_total"));
            assertEquals(header.length() + 1 + reply, amb.value("podkit_ambassador_downstream_bytes_total"));
            assertEquals(0, amb.value("podkit_ambassador_connections_active"));
            assertEquals(0, amb.value("podkit_ambassador_target_connections_active"));
            assertEquals(mode.getOrDefault("SPLICE", "off").equals("off") ? 0 : 1,
                    amb.value("podkit_ambassador_connections_spliced_total"), "megabytes: spliced unless SPLICE=off");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("modes")
    void aShortExchangeIsSplicedOnlyWithSpliceOn(Map<String, String> mode) throws Exception {
        try (TestServer echo = TestServer.echo();
             RunningAmbassador amb = RunningAmbassador.forwarding(RunningAmbassador.freePort(),
                     "127.0.0.1:" + echo.port(), mode);
             Socket client = connect(amb.port())) {
            client.getOutputStream().write("ping".getBytes(StandardCharsets.US_ASCII));
            assertEquals("ping", new String(client.getInputStream().readNBytes(4), StandardCharsets.US_ASCII));
            client.shutdownOutput();
            assertEquals(-1, client.getInputStream().read());
            amb.await(1, "podkit_ambassador_connections_ended_total", "how", "closed");
            assertEquals("on".equals(mode.get("SPLICE")) ? 1 : 0, amb.value("podkit_ambassador_connections_spliced_total"));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("modes")
    void smallMessagesPastTheAutoThresholdStayCopied(Map<String, String> mode) throws Exception {
        // A long-lived connection of small request/response messages (a database's, say) moves more
        // than Splice.AUTO_THRESHOLD_BYTES over time; splicing it would cost two calls per message.
        byte[] message = new byte[100];
        java.util.Arrays.fill(message, (byte) 'm');
        int roundTrips = (int) (Splice.AUTO_THRESHOLD_BYTES / (2 * message.length)) + 500;
        try (TestServer echo = TestServer.echo();
             RunningAmbassador amb = RunningAmbassador.forwarding(RunningAmbassador.freePort(),
                     "127.0.0.1:" + echo.port(), mode);
             Socket client = connect(amb.port())) {
            client.setTcpNoDelay(true);
            for (int i = 0; i < roundTrips; i++) {
                client.getOutputStream().write(message);
                assertArrayEquals(message, client.getInputStream().readNBytes(message.length));
            }
            client.shutdownOutput();
            assertEquals(-1, client.getInputStream().read());
            amb.await(1, "podkit_ambassador_connections_ended_total", "how", "closed");
            assertEquals((long) roundTrips * message.length, amb.value("podkit_ambassador_upstream_bytes_total"));
            assertEquals("on".equals(mode.get("SPLICE")) ? 1 : 0, amb.value("podkit_ambassador_connections_spliced_total"));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("modes")
    void aFinFromTheTargetIsPassedOnAndTheRequestStillFlowsInFull(Map<String, String> mode) throws Exception {
        long request = 7_000_000;
        CompletableFuture<Long> received = new CompletableFuture<>();
        try (TestServer server = new TestServer(s -> {
                 s.getOutputStream().write("hello\n".getBytes(StandardCharsets.US_ASCII));
                 s.shutdownOutput();
                 Thread.sleep(300);
                 received.complete(TestServer.drain(s.getInputStream()));
                 s.close();
             });
             RunningAmbassador amb = RunningAmbassador.forwarding(RunningAmbassador.freePort(),
                     "127.0.0.1:" + server.port(), mode);
             Socket client = connect(amb.port())) {
            InputStream in = client.getInputStream();
            assertEquals("hello\n", new String(in.readNBytes(6), StandardCharsets.US_ASCII));
            assertEquals(-1, in.read(), "the target's FIN reached the client");
            TestServer.write(client.getOutputStream(), request, (byte) 'q');
            client.shutdownOutput();
            assertEquals(request, received.get(TIMEOUT_MS, TimeUnit.MILLISECONDS));
            amb.await(1, "podkit_ambassador_connections_ended_total", "how", "closed");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("modes")
    void aResetFromTheTargetReachesTheClientAsAReset(Map<String, String> mode) throws Exception {
        try (TestServer server = new TestServer(s -> {
                 s.getInputStream().read();
                 s.getOutputStream().write("partial".getBytes(StandardCharsets.US_ASCII));
                 s.getOutputStream().flush();
                 Thread.sleep(200);
                 s.setSoLinger(true, 0);
                 s.close();
             });
             RunningAmbassador amb = RunningAmbassador.forwarding(RunningAmbassador.freePort(),
                     "127.0.0.1:" + server.port(), mode);
             Socket client = connect(amb.port())) {
            client.getOutputStream().write('x');
            InputStream in = client.getInputStream();
            byte[] partial = in.readNBytes(7);
            assertEquals("partial", new String(partial, StandardCharsets.US_ASCII));
            SocketException reset = assertThrows(SocketException.class, () -> TestServer.drain(in),
                    "a reset, not a clean end of stream");
            assertTrue(reset.getMessage().toLowerCase().contains("reset"), reset.getMessage());
            amb.await(1, "podkit_ambassador_connections_ended_total", "how", "target_reset");
        }
    }

    /** Reads until the end of the stream; completes with the error that ended it, or null for a FIN. */
    private static void drainInto(Socket s, CompletableFuture<Throwable> seen) {
        try {
            TestServer.drain(s.getInputStream());
            seen.complete(null);
        } catch (IOException e) {
            seen.complete(e);
        }
    }

    /** The client resets its connection; the target must see a reset, and the ambassador count one. */
    private static void resetAndExpectTheTargetToSeeIt(Socket client, CompletableFuture<Throwable> seen,
            RunningAmbassador amb) throws Exception {
        client.setSoLinger(true, 0);
        client.close();
        Throwable error = seen.get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
        assertTrue(error instanceof SocketException && error.getMessage().toLowerCase().contains("reset"),
                "the target saw " + error);
        amb.await(1, "podkit_ambassador_connections_ended_total", "how", "client_reset");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("modes")
    void aResetFromTheClientReachesTheTargetAsAReset(Map<String, String> mode) throws Exception {
        CompletableFuture<Throwable> seen = new CompletableFuture<>();
        try (TestServer server = new TestServer(s -> {
                 s.setSoTimeout(TIMEOUT_MS);
                 s.getOutputStream().write('!');
                 drainInto(s, seen);
             });
             RunningAmbassador amb = RunningAmbassador.forwarding(RunningAmbassador.freePort(),
                     "127.0.0.1:" + server.port(), mode)) {
            Socket client = connect(amb.port());
            assertEquals('!', client.getInputStream().read());
            client.getOutputStream().write("some bytes".getBytes(StandardCharsets.US_ASCII));
            resetAndExpectTheTargetToSeeIt(client, seen, amb);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("modes")
    void aResetFromTheClientAfterTheTargetsFinReachesTheTargetAsAReset(Map<String, String> mode) throws Exception {
        // The target's FIN was passed on, so the client's socket is half-closed: its reset must
        // still end the connection as a reset, not as the FIN that would end it cleanly.
        CompletableFuture<Throwable> seen = new CompletableFuture<>();
        try (TestServer server = new TestServer(s -> {
                 s.setSoTimeout(TIMEOUT_MS);
                 s.getOutputStream().write("bye\n".getBytes(StandardCharsets.US_ASCII));
                 s.shutdownOutput();
                 drainInto(s, seen);
             });
             RunningAmbassador amb = RunningAmbassador.forwarding(RunningAmbassador.freePort(),
                     "127.0.0.1:" + server.port(), mode)) {
            Socket client = connect(amb.port());
            InputStream in = client.getInputStream();
            assertEquals("bye\n", new String(in.readNBytes(4), StandardCharsets.US_ASCII));
            assertEquals(-1, in.read(), "the target's FIN reached the client");
            client.getOutputStream().write("more".getBytes(StandardCharsets.US_ASCII));
            resetAndExpectTheTargetToSeeIt(client, seen, amb);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("modes")
    void aClientThatStopsReadingHoldsTheTargetBackInsteadOfFillingMemory(Map<String, String> mode) throws Exception {
        long cap = 1L << 30;
        AtomicLong written = new AtomicLong();
        try (TestServer server = new TestServer(s -> {
                 byte[] chunk = new byte[64 * 1024];
                 while (written.get() < cap) {
                     s.getOutputStream().write(chunk);
                     written.addAndGet(chunk.length);
                 }
             });
             RunningAmbassador amb = RunningAmbassador.forwarding(RunningAmbassador.freePort(),
                     "127.0.0.1:" + server.port(), mode);
             Socket client = connect(amb.port())) {
            // The client never reads: wait until the target's writes stall.
            long last = -1;
            for (int i = 0; i < 200 && written.get() != last; i++) {
                last = written.get();
                Thread.sleep(500);
            }
            long stalled = written.get();
            assertTrue(stalled < 256L << 20, "the target wrote " + stalled + " bytes into a stalled client; "
                    + "only socket buffers and one high-water mark may hold them");
            // And the connection still works once the client reads.
            InputStream in = client.getInputStream();
            byte[] buf = new byte[1 << 20];
            long read = 0;
            while (read < stalled + (8 << 20)) {
                read += in.read(buf);
            }
            assertTrue(written.get() > stalled, "the target resumed writing");
        }
    }

    static String readLine(DataInputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        for (int c; (c = in.read()) != '\n'; ) {
            if (c < 0) {
                throw new IOException("end of stream after " + b);
            }
            b.append((char) c);
        }
        return b.toString();
    }
}
