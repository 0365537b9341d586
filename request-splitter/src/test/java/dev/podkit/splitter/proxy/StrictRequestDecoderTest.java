package dev.podkit.splitter.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class StrictRequestDecoderTest {

    private static EmbeddedChannel channel() {
        return new EmbeddedChannel(new StrictRequestDecoder(8192, 32 * 1024, 65536));
    }

    private static void write(EmbeddedChannel ch, String s) {
        ch.writeInbound(Unpooled.copiedBuffer(s, StandardCharsets.ISO_8859_1));
    }

    @Test
    void aHeadSplitAcrossReadsDecodes() {
        EmbeddedChannel ch = channel();
        String big = "a".repeat(3000);
        write(ch, "GET /?token=1 HTTP/1.1\r\nHost: x\r\nX-Big: " + big.substring(0, 1000));
        assertNull(ch.readInbound());
        write(ch, big.substring(1000) + "\r\n\r\n");
        HttpRequest request = ch.readInbound();
        assertTrue(request.decoderResult().isSuccess(), request.decoderResult().toString());
        assertEquals(big, request.headers().get("X-Big"));
        assertInstanceOf(LastHttpContent.class, ch.readInbound());
    }

    static Stream<Arguments> folded() {
        return Stream.of(
                Arguments.of("GET / HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\n\r\n"),
                Arguments.of("GET / HTTP/1.1\r\nHost: x\r\nX-A: a\r\n\tb\r\n\r\n"),
                Arguments.of("GET / HTTP/1.1\r\n Host: x\r\n\r\n"));
    }

    @ParameterizedTest
    @MethodSource("folded")
    void obsoleteLineFoldingIsAnInvalidMessage(String head) {
        EmbeddedChannel ch = channel();
        write(ch, head);
        HttpRequest request = ch.readInbound();
        assertTrue(request.decoderResult().isFailure());
        ReferenceCountUtil.release(request);
    }

    @Test
    void foldingSplitAcrossReadsIsFound() {
        EmbeddedChannel ch = channel();
        write(ch, "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\r\n");
        assertNull(ch.readInbound());
        write(ch, " b\r\n\r\n");
        HttpRequest request = ch.readInbound();
        assertTrue(request.decoderResult().isFailure());
    }

    @Test
    void aBodyWithSpacesAfterNewlinesIsNotFolding() {
        EmbeddedChannel ch = channel();
        write(ch, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\n\r\n\r\n abc");
        HttpRequest request = ch.readInbound();
        assertTrue(request.decoderResult().isSuccess());
        HttpContent body = ch.readInbound();
        assertEquals("\r\n abc", body.content().toString(StandardCharsets.ISO_8859_1));
        body.release();
        // and the next request on the connection is checked again
        write(ch, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        HttpRequest next = ch.readInbound();
        assertTrue(next.decoderResult().isSuccess());
    }

    @Test
    void aTooLargeHeaderIsAnInvalidMessage() {
        EmbeddedChannel ch = channel();
        write(ch, "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(40_000) + "\r\n\r\n");
        HttpRequest request = ch.readInbound();
        assertInstanceOf(TooLongHttpHeaderException.class, request.decoderResult().cause());
    }
}
