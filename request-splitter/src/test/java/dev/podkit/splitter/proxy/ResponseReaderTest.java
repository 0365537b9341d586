package dev.podkit.splitter.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link ResponseReader} on its own, with every response split at every byte into two reads. */
class ResponseReaderTest {
    /** What the reader reported. */
    private static final class Seen implements ResponseReader.Events {
        final List<String> heads = new ArrayList<>();
        final List<String> kept = new ArrayList<>();
        final ByteArrayOutputStream body = new ByteArrayOutputStream();
        ResponseReader.Framing framing;
        long payload;
        int ends;
        String malformed;
        boolean unchunk;

        @Override
        public void head(ResponseReader.Head head) {
            heads.add(head.status + "");
            framing = head.framing;
            for (int i = 0; i < head.count; i++) {
                if (!head.drop[i]) {
                    ByteBuf out = Unpooled.buffer();
                    head.writeHeader(i, out);
                    kept.add(out.toString(StandardCharsets.ISO_8859_1).trim());
                }
            }
            if (unchunk) {
                head.unchunk();
            }
        }

        @Override
        public void body(ByteBuf bytes, int n) {
            byte[] b = new byte[bytes.readableBytes()];
            bytes.readBytes(b);
            bytes.release();
            body.writeBytes(b);
            payload += n;
        }

        @Override
        public void end() {
            ends++;
        }

        @Override
        public void malformed(String why) {
            malformed = why;
        }
    }

    private static ByteBuf bytes(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.ISO_8859_1);
    }

    /** Feeds {@code response} split at {@code at}; returns what was seen, and checks every buffer was released. */
    private static Seen read(String response, int at, boolean headRequest, boolean unchunk, boolean[] inStep) {
        Seen seen = new Seen();
        seen.unchunk = unchunk;
        ResponseReader reader = new ResponseReader(ByteBufAllocator.DEFAULT);
        reader.expect(seen, headRequest, false);
        ByteBuf first = bytes(response.substring(0, at));
        ByteBuf second = bytes(response.substring(at));
        boolean ok = reader.feed(first);
        if (reader.idle()) {
            ok &= !second.isReadable();
            second.release();
        } else {
            ok &= reader.feed(second);
        }
        if (reader.endsOnClose()) {
            reader.closed();
        }
        reader.release();
        assertEquals(0, first.refCnt(), "first read released");
        assertEquals(0, second.refCnt(), "second read released");
        inStep[0] = ok;
        return seen;
    }

    private static final String CHUNKED_HEAD = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 99\r\nA: b\r\n\r\n";
    private static final String CHUNKED_BODY = "5;name=value\r\nhello\r\n1a\r\n abcdefghijklmnopqrstuvwxy\r\n0\r\nX-T: 1\r\nX-U: 2\r\n\r\n";

    @ParameterizedTest(name = "unchunk {0}")
    @ValueSource(booleans = {false, true})
    void aChunkedResponseSplitAnywhereIsReadTheSame(boolean unchunk) {
        String response = CHUNKED_HEAD + CHUNKED_BODY;
        for (int at = 0; at <= response.length(); at++) {
            boolean[] inStep = new boolean[1];
            Seen seen = read(response, at, false, unchunk, inStep);
            String where = "split at " + at;
            assertNull(seen.malformed, where);
            assertEquals(List.of("200"), seen.heads, where);
            assertEquals(ResponseReader.Framing.CHUNKED, seen.framing, where);
            assertEquals(List.of("Transfer-Encoding: chunked", "A: b"), seen.kept, where + ": Content-Length dropped");
            assertEquals(unchunk ? "hello abcdefghijklmnopqrstuvwxy" : CHUNKED_BODY,
                    seen.body.toString(StandardCharsets.ISO_8859_1), where);
            assertEquals(31, seen.payload, where);
            assertEquals(1, seen.ends, where);
            assertTrue(inStep[0], where);
        }
    }

    @Test
    void aSizedResponseSplitAnywhereIsReadTheSameAndBytesAfterItAreOutOfStep() {
        String response = "HTTP/1.1 201 Created\nContent-Length: 5, 5\nConnection: close, x-a\nx-a: 1\nKeep-Alive: 1\n\nhello";
        for (int at = 0; at <= response.length(); at++) {
            boolean[] inStep = new boolean[1];
            Seen seen = read(response, at, false, false, inStep);
            assertEquals(List.of("201"), seen.heads);
            assertEquals(List.of("Content-Length: 5, 5"), seen.kept, "hop-by-hop gone, bare LF line ends read");
            assertEquals("hello", seen.body.toString(StandardCharsets.ISO_8859_1));
            assertEquals(1, seen.ends);
            assertTrue(inStep[0]);
        }
        boolean[] inStep = new boolean[1];
        Seen seen = read(response + "EXTRA", response.length(), false, false, inStep);
        assertEquals(1, seen.ends);
        assertFalse(inStep[0], "bytes after the response");
    }

    @Test
    void aHeadSplitOverTwoReadsLosesNothingOfALargeBodyInTheSecond() {
        String body = "0123456789".repeat(ResponseReader.MAX_HEAD / 5);
        String response = "HTTP/1.1 200 OK\r\nContent-Length: " + body.length() + "\r\n\r\n" + body;
        for (int at : new int[] {1, 10, 20, 37}) {
            boolean[] inStep = new boolean[1];
            Seen seen = read(response, at, false, false, inStep);
            assertNull(seen.malformed);
            String got = seen.body.toString(StandardCharsets.ISO_8859_1);
            assertEquals(body.length(), got.length(), "split at " + at);
            assertTrue(body.equals(got), "split at " + at);
            assertEquals(1, seen.ends);
        }
    }

    @Test
    void interimResponsesAreSkippedAndBodilessOnesEndAtTheirHead() {
        boolean[] inStep = new boolean[1];
        String interim = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n";
        for (int at = 0; at <= interim.length() + 10; at++) {
            Seen seen = read(interim + "HTTP/1.1 204 No Content\r\nContent-Length: 7\r\n\r\n", at, false, false, inStep);
            assertEquals(List.of("204"), seen.heads);
            assertEquals(ResponseReader.Framing.NONE, seen.framing);
            assertEquals(1, seen.ends);
            assertTrue(inStep[0]);
        }
        Seen head = read("HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\n", 5, true, false, inStep);
        assertEquals(ResponseReader.Framing.NONE, head.framing);
        assertEquals(1, head.ends);
    }

    @Test
    void withoutALengthTheBodyEndsWithTheConnection() {
        boolean[] inStep = new boolean[1];
        Seen seen = read("HTTP/1.0 200 OK\r\n\r\nall of it", 22, false, false, inStep);
        assertEquals(ResponseReader.Framing.CLOSE, seen.framing);
        assertEquals("all of it", seen.body.toString(StandardCharsets.ISO_8859_1));
        assertEquals(1, seen.ends);
        Seen gzip = read("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\nzz", 10, false, false, inStep);
        assertEquals(ResponseReader.Framing.CLOSE, gzip.framing, "chunked not last: delimited by the close");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-5\r\nhello\r\n0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloX\r\n0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffff\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
        "HTTP/1.1 200 OK\r\nContent-Length: +1\r\n\r\nab",
        "HTTP/1.1 200 OK\r\nContent-Length: 1 2\r\n\r\nab",
        "HTTP/1.1 200 OK\r\nA\r\n\r\n",
        "HTTP/1.1 200 OK\r\nA: b\u0001c\r\n\r\n",
        "HTTP/1.1 200 OK\r\n folded: x\r\n\r\n",
        "HTTP/2.0 200 OK\r\n\r\n",
        "HTTP/1.1 20 OK\r\n\r\n",
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n",
    })
    void malformedResponsesAreReportedOnce(String response) {
        for (int at = 0; at <= response.length(); at++) {
            boolean[] inStep = new boolean[1];
            Seen seen = read(response, at, false, false, inStep);
            assertTrue(seen.malformed != null, "split at " + at);
            assertEquals(0, seen.ends, "split at " + at);
        }
    }

    @Test
    void aHeadLargerThanTheLimitIsMalformed() {
        String big = "HTTP/1.1 200 OK\r\nX: " + "a".repeat(ResponseReader.MAX_HEAD) + "\r\n\r\n";
        boolean[] inStep = new boolean[1];
        Seen seen = read(big, 1000, false, false, inStep);
        assertTrue(seen.malformed != null && seen.malformed.contains("larger"), seen.malformed);
    }
}
