package dev.podkit.ambassador.proxy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podkit.ambassador.RunningAmbassador;
import dev.podkit.ambassador.TestServer;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** PROXY protocol: sent to targets (v1, v2) and accepted from clients. */
class ProxyProtocolTest {
    private static final byte[] V2_SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};

    /** A target that hands over the first {@code n} bytes it receives, then echoes "ok". */
    private static TestServer recording(int n, CompletableFuture<byte[]> first) throws IOException {
        return new TestServer(s -> {
            s.setSoTimeout(15_000);
            first.complete(s.getInputStream().readNBytes(n));
            s.getOutputStream().write("ok".getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            TestServer.drain(s.getInputStream());
        });
    }

    private static String reply(Socket s) throws IOException {
        s.setSoTimeout(15_000);
        try {
            return new String(s.getInputStream().readNBytes(2), StandardCharsets.US_ASCII);
        } catch (SocketException e) {
            return e.getMessage();
        }
    }

    @Test
    void sendsAVersion1HeaderWithTheClientsAddress() throws Exception {
        CompletableFuture<byte[]> first = new CompletableFuture<>();
        int listen = RunningAmbassador.freePort();
        try (TestServer target = recording(60, first);
             RunningAmbassador amb = RunningAmbassador.forwarding(listen, "127.0.0.1:" + target.port(), Map.of("SEND_PROXY", "v1"));
             Socket client = new Socket("127.0.0.1", listen)) {
            String expected = "PROXY TCP4 127.0.0.1 127.0.0.1 " + client.getLocalPort() + " " + listen + "\r\n";
            client.getOutputStream().write(("data" + " ".repeat(60)).getBytes(StandardCharsets.US_ASCII));
            String got = new String(first.get(15, TimeUnit.SECONDS), StandardCharsets.US_ASCII);
            assertEquals(expected + "data", got.substring(0, expected.length() + 4));
            assertEquals("ok", reply(client));
        }
    }

    @Test
    void sendsAVersion2Header() throws Exception {
        CompletableFuture<byte[]> first = new CompletableFuture<>();
        int listen = RunningAmbassador.freePort();
        try (TestServer target = recording(16 + 12 + 4, first);
             RunningAmbassador amb = RunningAmbassador.forwarding(listen, "127.0.0.1:" + target.port(), Map.of("SEND_PROXY", "v2"));
             Socket client = new Socket("127.0.0.1", listen)) {
            client.getOutputStream().write("data".getBytes(StandardCharsets.US_ASCII));
            DataInputStream h = new DataInputStream(new java.io.ByteArrayInputStream(first.get(15, TimeUnit.SECONDS)));
            byte[] sig = new byte[12];
            h.readFully(sig);
            assertArrayEquals(V2_SIGNATURE, sig);
            assertEquals(0x21, h.readUnsignedByte(), "version 2, PROXY command");
            assertEquals(0x11, h.readUnsignedByte(), "TCP over IPv4");
            assertEquals(12, h.readUnsignedShort());
            assertEquals(0x7f000001, h.readInt(), "source 127.0.0.1");
            assertEquals(0x7f000001, h.readInt(), "destination 127.0.0.1");
            assertEquals(client.getLocalPort(), h.readUnsignedShort());
            assertEquals(listen, h.readUnsignedShort());
            assertEquals("data", new String(h.readNBytes(4), StandardCharsets.US_ASCII));
            assertEquals("ok", reply(client));
        }
    }

    @Test
    void acceptsAHeaderFromTheClientAndPassesItsAddressOn() throws Exception {
        CompletableFuture<byte[]> first = new CompletableFuture<>();
        String header = "PROXY TCP4 203.0.113.7 198.51.100.1 4242 443\r\n";
        try (TestServer target = recording(header.length() + 5, first);
             RunningAmbassador amb = RunningAmbassador.forwarding(RunningAmbassador.freePort(), "127.0.0.1:" + target.port(),
                     Map.of("ACCEPT_PROXY", "true", "SEND_PROXY", "v1"));
             Socket client = new Socket("127.0.0.1", amb.port())) {
            client.getOutputStream().write((header + "hello").getBytes(StandardCharsets.US_ASCII));
            assertEquals(header + "hello", new String(first.get(15, TimeUnit.SECONDS), StandardCharsets.US_ASCII));
            assertEquals("ok", reply(client));
        }
    }

    @Test
    void aBadOrMissingHeaderClosesTheClient() throws Exception {
        try (TestServer target = TestServer.echo();
             RunningAmbassador amb = RunningAmbassador.forwarding(RunningAmbassador.freePort(), "127.0.0.1:" + target.port(),
                     Map.of("ACCEPT_PROXY", "true", "TIMEOUT_CONNECT", "500ms"))) {
            try (Socket garbage = new Socket("127.0.0.1", amb.port())) {
                garbage.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                String r = reply(garbage);
                assertTrue(r.isEmpty() || r.toLowerCase().contains("reset"), "closed, as HAProxy does: " + r);
            }
            try (Socket silent = new Socket("127.0.0.1", amb.port())) {
                assertTrue(reply(silent).toLowerCase().contains("reset"), "no header within TIMEOUT_CONNECT");
            }
            amb.await(2, "podkit_ambassador_connections_ended_total", "how", "proxy_header");
            assertEquals(0, target.accepted(), "nothing reached the target");
        }
    }
}
