package dev.podkit.splitter.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podkit.runtime.config.Config;
import dev.podkit.runtime.net.Transport;
import dev.podkit.splitter.config.Settings;
import dev.podkit.splitter.metrics.SplitterMetrics;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The response half of the proxy, in process: a scripted upstream answers with exact bytes, a raw
 * client reads what the splitter makes of them. Covers framing (length, chunked, close-delimited,
 * bodiless), the conversions for HTTP/1.0 clients, interim responses, hop-by-hop headers, upstream
 * connection reuse, and what a malformed upstream response becomes.
 */
class ResponsePathTest {
    private final BlockingQueue<byte[]> answers = new LinkedBlockingQueue<>();
    private final AtomicInteger upstreamConnections = new AtomicInteger();
    private final AtomicInteger upstreamRequests = new AtomicInteger();
    private volatile int writeChunk = Integer.MAX_VALUE;
    private volatile long writePauseMillis;
    private String readTimeout = "5s";
    private ServerSocket upstream;
    private Thread upstreamThread;
    private SplitterServer server;
    private int port;

    /** An answer followed by the upstream closing the connection. */
    private static final byte[] CLOSE = new byte[0];

    void start() throws Exception {
        upstream = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        upstreamThread = daemon(this::serveUpstream);
        Map<String, String> env = new LinkedHashMap<>();
        env.put("LISTEN_ADDRESS", "127.0.0.1");
        int free;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            free = probe.getLocalPort(); // the setting takes no 0; a port just freed is as good
        }
        env.put("LISTEN_PORT", String.valueOf(free));
        env.put("VARIANTS", "only=*:127.0.0.1:" + upstream.getLocalPort());
        env.put("VARIANT_HEADER", "X-Variant");
        env.put("READ_TIMEOUT", readTimeout);
        SplitterMetrics metrics = new SplitterMetrics();
        metrics.bindTo(new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
        server = new SplitterServer(Transport.select(Transport.Choice.AUTO), 1, Settings.initial(new Config(env)), metrics);
        port = server.start().getPort();
    }

    private static Thread daemon(Runnable r) {
        Thread t = new Thread(r, "scripted-upstream");
        t.setDaemon(true);
        t.start();
        return t;
    }

    @AfterEach
    void stop() throws IOException {
        if (server != null) {
            server.close();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    private void serveUpstream() {
        while (!upstream.isClosed()) {
            try {
                Socket s = upstream.accept();
                upstreamConnections.incrementAndGet();
                daemon(() -> serveConnection(s));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serveConnection(Socket s) {
        try (s) {
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            while (true) {
                String head = readHead(in);
                if (head == null) {
                    return;
                }
                upstreamRequests.incrementAndGet();
                String length = header(head, "content-length");
                if (length != null) {
                    in.readNBytes(Integer.parseInt(length));
                }
                byte[] answer = answers.poll(5, TimeUnit.SECONDS);
                boolean close = answer == null || answer.length > 0 && answer[answer.length - 1] == 0;
                int n = answer == null ? 0 : close && answer.length > 0 ? answer.length - 1 : answer.length;
                for (int i = 0; i < n; i += writeChunk) {
                    if (i > 0 && writePauseMillis > 0) {
                        Thread.sleep(writePauseMillis);
                    }
                    out.write(answer, i, Math.min(writeChunk, n - i));
                    out.flush();
                }
                if (close) {
                    return;
                }
            }
        } catch (IOException | InterruptedException e) {
            // the test ends the connection
        }
    }

    /** Queues the upstream's next answer; {@code closeAfter}: it closes the connection after writing it. */
    private void answer(String bytes, boolean closeAfter) {
        byte[] b = bytes.getBytes(StandardCharsets.ISO_8859_1);
        if (closeAfter) {
            byte[] c = new byte[b.length + 1];
            System.arraycopy(b, 0, c, 0, b.length);
            answers.add(c); // a trailing 0 marks "close after"
        } else {
            answers.add(b);
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                return null;
            }
            head.write(b);
            matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3))
                    ? matched + 1 : b == '\r' ? 1 : 0;
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    private static String header(String head, String name) {
        for (String line : head.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals(name)) {
                return line.substring(colon + 1).trim();
            }
        }
        return null;
    }

    /** A response as the client read it. */
    private record Reply(int status, String head, String body, boolean chunked) {
        String header(String name) {
            return ResponsePathTest.header(head, name);
        }
    }

    /** Reads one response the way a client would, knowing whether it asked with HEAD. */
    private static Reply read(InputStream in, boolean headRequest) throws IOException {
        String head = readHead(in);
        if (head == null) {
            return null;
        }
        int status = Integer.parseInt(head.substring(9, 12));
        String te = header(head, "transfer-encoding");
        String length = header(head, "content-length");
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        boolean chunked = te != null && te.toLowerCase(Locale.ROOT).endsWith("chunked");
        if (headRequest || status == 204 || status == 304 || status / 100 == 1) {
            // no body
        } else if (chunked) {
            while (true) {
                String sizeLine = readLine(in);
                int semi = sizeLine.indexOf(';');
                int size = Integer.parseInt((semi < 0 ? sizeLine : sizeLine.substring(0, semi)).trim(), 16);
                if (size == 0) {
                    while (!readLine(in).isEmpty()) {
                        // trailers
                    }
                    break;
                }
                body.write(in.readNBytes(size));
                assertEquals("", readLine(in), "CRLF after chunk data");
            }
        } else if (length != null) {
            body.write(in.readNBytes(Integer.parseInt(length)));
        } else {
            body.write(in.readAllBytes());
        }
        return new Reply(status, head, body.toString(StandardCharsets.ISO_8859_1), chunked);
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int b;
        while ((b = in.read()) != '\n') {
            if (b < 0) {
                throw new IOException("connection closed in the middle of a line: " + sb);
            }
            if (b != '\r') {
                sb.append((char) b);
            }
        }
        return sb.toString();
    }

    private Socket client() throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
        s.setSoTimeout(10_000);
        return s;
    }

    private static void send(Socket s, String request) throws IOException {
        s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
        s.getOutputStream().flush();
    }

    private static boolean closedByPeer(Socket s) throws IOException {
        s.setSoTimeout(5000);
        try {
            return s.getInputStream().read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        }
    }

    private static final String GET11 = "GET /x HTTP/1.1\r\nHost: app\r\n\r\n";
    private static final String GET10 = "GET /x HTTP/1.0\r\nHost: app\r\n\r\n";

    @ParameterizedTest(name = "upstream writes {0} bytes at a time")
    @ValueSource(ints = {1, 3, 1 << 20})
    void aSizedResponseIsPassedOnAndBothConnectionsAreKept(int chunk) throws Exception {
        writeChunk = chunk;
        start();
        try (Socket c = client()) {
            for (int i = 0; i < 3; i++) {
                answer("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 6\r\nX-Up: " + i + "\r\n\r\nhello" + i, false);
                send(c, GET11);
                Reply r = read(c.getInputStream(), false);
                assertEquals(200, r.status());
                assertEquals("hello" + i, r.body());
                assertEquals(String.valueOf(i), r.header("x-up"));
                assertEquals("text/plain", r.header("content-type"));
                assertEquals("only", r.header("x-variant"));
                assertNull(r.header("connection"));
                assertTrue(r.head().startsWith("HTTP/1.1 200 OK\r\n"), r.head());
            }
        }
        assertEquals(1, upstreamConnections.get(), "one upstream connection, reused");
        assertEquals(3, upstreamRequests.get());
    }

    @Test
    void aChunkedResponseReachesAnHttp11ClientChunkedWithItsTrailers() throws Exception {
        start();
        try (Socket c = client()) {
            answer("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n1A\r\n abcdefghijklmnopqrstuvwxy\r\n0\r\nX-Trailer: t\r\n\r\n", false);
            send(c, GET11);
            Reply r = read(c.getInputStream(), false);
            assertTrue(r.chunked());
            assertEquals("hello abcdefghijklmnopqrstuvwxy", r.body());
            answer("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", false);
            send(c, GET11);
            assertEquals("ok", read(c.getInputStream(), false).body());
        }
        assertEquals(1, upstreamConnections.get());
    }

    @Test
    void aChunkedResponseReachesAnHttp10ClientUnchunkedAndTheConnectionCloses() throws Exception {
        start();
        try (Socket c = client()) {
            answer("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", false);
            send(c, GET10);
            Reply r = read(c.getInputStream(), false);
            assertFalse(r.chunked());
            assertNull(r.header("transfer-encoding"));
            assertEquals("hello world", r.body()); // read to the close: nothing else came
            assertTrue(r.head().startsWith("HTTP/1.1 200"), r.head());
        }
    }

    @Test
    void aCloseDelimitedResponseIsChunkedForAnHttp11ClientThatStaysConnected() throws Exception {
        start();
        try (Socket c = client()) {
            answer("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end", true);
            send(c, GET11);
            Reply r = read(c.getInputStream(), false);
            assertTrue(r.chunked(), r.head());
            assertEquals("until the end", r.body());
            answer("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", false);
            send(c, GET11);
            assertEquals("ok", read(c.getInputStream(), false).body());
        }
        assertEquals(2, upstreamConnections.get(), "a close-delimited response's connection is not reused");
    }

    @Test
    void aCloseDelimitedResponseReachesAnHttp10ClientAsIsAndTheConnectionCloses() throws Exception {
        start();
        try (Socket c = client()) {
            answer("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end", true);
            send(c, GET10);
            Reply r = read(c.getInputStream(), false);
            assertFalse(r.chunked());
            assertEquals("until the end", r.body());
        }
    }

    @Test
    void anHttp10ClientAskingForKeepAliveKeepsItsConnection() throws Exception {
        start();
        try (Socket c = client()) {
            for (int i = 0; i < 2; i++) {
                answer("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", false);
                send(c, "GET /x HTTP/1.0\r\nHost: app\r\nConnection: keep-alive\r\n\r\n");
                Reply r = read(c.getInputStream(), false);
                assertEquals("ok", r.body());
                assertEquals("keep-alive", r.header("connection").toLowerCase(Locale.ROOT));
            }
        }
    }

    @Test
    void headAnd204And304HaveNoBodyWhateverTheirHeadersSay() throws Exception {
        start();
        try (Socket c = client()) {
            answer("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n", false);
            send(c, "HEAD /x HTTP/1.1\r\nHost: app\r\n\r\n");
            Reply head = read(c.getInputStream(), true);
            assertEquals("1000", head.header("content-length"));
            answer("HTTP/1.1 204\r\n\r\n", false);
            send(c, GET11);
            Reply noContent = read(c.getInputStream(), false);
            assertTrue(noContent.head().startsWith("HTTP/1.1 204 \r\n"), "the status line's space: " + noContent.head());
            answer("HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n", false);
            send(c, GET11);
            assertEquals(304, read(c.getInputStream(), false).status());
            answer("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nnext", false);
            send(c, GET11);
            assertEquals("next", read(c.getInputStream(), false).body(), "still in step after bodiless responses");
        }
        assertEquals(1, upstreamConnections.get());
    }

    @Test
    void interimResponsesFromTheUpstreamAreDropped() throws Exception {
        start();
        try (Socket c = client()) {
            answer("HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\nHTTP/1.1 100 Continue\r\n\r\n"
                    + "HTTP/1.1 201 Created\r\nContent-Length: 4\r\n\r\ndone", false);
            send(c, GET11);
            Reply r = read(c.getInputStream(), false);
            assertEquals(201, r.status());
            assertEquals("done", r.body());
        }
    }

    @Test
    void hopByHopResponseHeadersAreRemovedAndTheOthersKeptInOrder() throws Exception {
        start();
        try (Socket c = client()) {
            answer("HTTP/1.1 200 Fine\r\nA: 1\r\nConnection: keep-alive, X-Hop\r\nX-Hop: secret\r\nKeep-Alive: timeout=5\r\n"
                    + "Proxy-Connection: x\r\nTrailer: X-T\r\nUpgrade: h2c\r\nB: 2\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\n"
                    + "Content-Length: 2\r\n\r\nok", false);
            send(c, GET11);
            Reply r = read(c.getInputStream(), false);
            assertTrue(r.head().startsWith("HTTP/1.1 200 Fine\r\n"), r.head());
            for (String gone : new String[] {"connection", "x-hop", "keep-alive", "proxy-connection", "trailer", "upgrade"}) {
                assertNull(r.header(gone), gone + " in " + r.head());
            }
            String h = r.head();
            assertTrue(h.indexOf("A: 1") < h.indexOf("B: 2") && h.indexOf("B: 2") < h.indexOf("Set-Cookie: a=1")
                    && h.indexOf("Set-Cookie: a=1") < h.indexOf("Set-Cookie: b=2"), h);
            assertEquals("ok", r.body());
        }
    }

    @Test
    void anUpstreamThatSaysCloseIsNotReusedAndTheClientStays() throws Exception {
        start();
        try (Socket c = client()) {
            answer("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok", true);
            send(c, GET11);
            Reply r = read(c.getInputStream(), false);
            assertNull(r.header("connection"));
            answer("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", false);
            send(c, GET11);
            assertEquals("ok", read(c.getInputStream(), false).body());
        }
        assertEquals(2, upstreamConnections.get());
    }

    @Test
    void aLargeBodyArrivesWhole() throws Exception {
        start();
        StringBuilder body = new StringBuilder();
        for (int i = 0; body.length() < 3_000_000; i++) {
            body.append(i).append(',');
        }
        StringBuilder chunked = new StringBuilder();
        for (int i = 0; i < body.length(); i += 70_000) {
            String part = body.substring(i, Math.min(body.length(), i + 70_000));
            chunked.append(Integer.toHexString(part.length())).append("\r\n").append(part).append("\r\n");
        }
        chunked.append("0\r\n\r\n");
        try (Socket c = client()) {
            answer("HTTP/1.1 200 OK\r\nContent-Length: " + body.length() + "\r\n\r\n" + body, false);
            send(c, GET11);
            assertEquals(body.toString(), read(c.getInputStream(), false).body());
            answer("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked, false);
            send(c, GET11);
            assertEquals(body.toString(), read(c.getInputStream(), false).body());
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok",
        "HTTP/1.1 200 OK\r\nContent-Length: x2\r\n\r\nok",
        "HTTP/1.1 200 OK\r\nX-Folded: a\r\n b\r\nContent-Length: 2\r\n\r\nok",
        "HTTP/1.1 2000 OK\r\nContent-Length: 2\r\n\r\nok",
        "SIP/2.0 200 OK\r\nContent-Length: 2\r\n\r\nok",
        "HTTP/1.1 200 OK\r\nBad Name: x\r\nContent-Length: 2\r\n\r\nok",
    })
    void aMalformedResponseHeadIs502(String response) throws Exception {
        start();
        try (Socket c = client()) {
            answer(response, true);
            send(c, GET11);
            Reply r = read(c.getInputStream(), false);
            assertEquals(502, r.status(), r.head());
        }
    }

    @Test
    void aBadChunkAfterTheHeadCutsTheClientConnection() throws Exception {
        start();
        try (Socket c = client()) {
            answer("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nzz\r\nbad\r\n0\r\n\r\n", false);
            send(c, GET11);
            // Cut at once (no read timeout), never a clean end: nothing, or the head and part of the body.
            byte[] rest = c.getInputStream().readAllBytes();
            String got = new String(rest, StandardCharsets.ISO_8859_1);
            assertTrue(got.isEmpty() || got.startsWith("HTTP/1.1 200"), got);
            assertFalse(got.endsWith("0\r\n\r\n"), "never a clean end: " + got);
        }
    }

    @Test
    void anUpstreamThatSaysNothingForTheReadTimeoutIs504() throws Exception {
        readTimeout = "1s";
        start();
        try (Socket c = client()) {
            long t0 = System.nanoTime();
            send(c, GET11); // no answer queued: the upstream waits 5 s, then closes
            Reply r = read(c.getInputStream(), false);
            long millis = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(504, r.status());
            assertTrue(millis >= 900 && millis < 4000, millis + " ms");
        }
    }

    @Test
    void aSlowResponseThatKeepsComingIsNotTimedOut() throws Exception {
        readTimeout = "1s";
        writeChunk = 20;
        writePauseMillis = 300; // 6 writes, 1.5 s in all, never 1 s without a byte
        start();
        try (Socket c = client()) {
            String body = "slow but steady, it keeps on coming..." + "!".repeat(42);
            answer("HTTP/1.1 200 OK\r\nContent-Length: " + body.length() + "\r\n\r\n" + body, false);
            send(c, GET11);
            Reply r = read(c.getInputStream(), false);
            assertEquals(200, r.status());
            assertEquals(body, r.body());
            answer("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", false);
            send(c, GET11);
            assertEquals("ok", read(c.getInputStream(), false).body(), "the same connections go on");
        }
    }
}
