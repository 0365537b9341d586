package dev.podkit.splitter.proxy;

import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;

/**
 * The response encoder, told when the response answers a HEAD request: then it never writes a body
 * or a chunked terminator, whatever the upstream's headers say (HttpServerCodec's pairing, for our
 * split decoder/encoder).
 */
final class ResponseEncoder extends HttpResponseEncoder {
    private boolean headRequest;

    void answeringHead(boolean head) {
        this.headRequest = head;
    }

    @Override
    protected boolean isContentAlwaysEmpty(HttpResponse msg) {
        return headRequest || super.isContentAlwaysEmpty(msg);
    }
}
