package dev.podkit.splitter.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.List;

/**
 * Netty's request decoder, which already rejects the classic smuggling shapes (Content-Length with
 * Transfer-Encoding, conflicting Content-Lengths, signed lengths, bad chunk sizes), plus a rejection
 * of obsolete line folding: Netty joins a header line that starts with a space or tab to the one
 * before, which a backend may read differently. Such a request becomes an invalid message (400).
 */
final class StrictRequestDecoder extends HttpRequestDecoder {
    /** Marks the invalid message for obsolete line folding. */
    static final class ObsoleteLineFoldingException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        ObsoleteLineFoldingException() {
            super("obsolete line folding in the request head");
        }
    }

    private boolean inHead = true;
    private boolean requestLineSeen;
    private boolean rejected;

    StrictRequestDecoder(int maxInitialLineLength, int maxHeaderSize, int maxChunkSize) {
        super(new HttpDecoderConfig()
                .setMaxInitialLineLength(maxInitialLineLength)
                .setMaxHeaderSize(maxHeaderSize)
                .setMaxChunkSize(maxChunkSize));
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out) throws Exception {
        if (rejected) {
            buffer.skipBytes(buffer.readableBytes());
            return;
        }
        if (inHead && foldedHeaderAhead(buffer)) {
            rejected = true;
            buffer.skipBytes(buffer.readableBytes());
            DefaultFullHttpRequest invalid = new DefaultFullHttpRequest(HttpVersion.HTTP_1_0, HttpMethod.GET, "/bad-request",
                    Unpooled.EMPTY_BUFFER);
            invalid.setDecoderResult(DecoderResult.failure(new ObsoleteLineFoldingException()));
            out.add(invalid);
            return;
        }
        int before = out.size();
        int readerBefore = buffer.readerIndex();
        super.decode(ctx, buffer, out);
        if (inHead && buffer.readerIndex() > readerBefore) {
            requestLineSeen = true;
        }
        for (int i = before; i < out.size(); i++) {
            Object o = out.get(i);
            if (o instanceof HttpRequest) {
                inHead = false;
            }
            if (o instanceof LastHttpContent) {
                inHead = true;
                requestLineSeen = false;
            }
        }
    }

    /**
     * Whether a line of the head still to be decoded starts with a space or tab. The decoder consumes
     * whole lines, so the reader index is always at the start of one.
     */
    private boolean foldedHeaderAhead(ByteBuf buffer) {
        int end = buffer.writerIndex();
        boolean firstLine = !requestLineSeen;
        boolean lineStart = true;
        for (int i = buffer.readerIndex(); i < end; i++) {
            byte b = buffer.getByte(i);
            if (lineStart) {
                if (b == '\r' || b == '\n') {
                    if (!firstLine) {
                        return false; // the blank line: the head ends here
                    }
                    continue; // empty lines before the request line
                }
                if ((b == ' ' || b == '\t') && !firstLine) {
                    return true;
                }
                lineStart = false;
            }
            if (b == '\n') {
                lineStart = true;
                firstLine = false;
            }
        }
        return false;
    }
}
