package dev.podkit.splitter.proxy;

import dev.podkit.splitter.key.RemoteAddress;
import dev.podkit.splitter.key.RequestView;
import dev.podkit.splitter.route.Route;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.CharsetUtil;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.lang.System.Logger.Level;
import java.net.SocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One client connection: reads one request at a time (pipelined requests wait in the
 * FlowControlHandler until the response before them is done), validates it, hands it to an
 * {@link Exchange}, and answers errors of its own (400, 414, 431, 502, 503, 504).
 */
final class FrontendHandler extends ChannelInboundHandlerAdapter {
    private static final System.Logger LOG = System.getLogger(FrontendHandler.class.getName());

    private final ProxyContext proxy;
    private ChannelHandlerContext ctx;
    private Exchange exchange;
    private boolean discardingBody;
    private boolean closeAfterDiscard;
    private ScheduledFuture<?> idleCheck;
    private boolean waitingForClient;
    private boolean awaitingRead;
    private boolean lingering;
    private static final long LINGER_MILLIS = 2000;
    private long waitingSince;

    private record View(String target, HttpHeaders headers, SocketAddress remoteAddress) implements RequestView {
    }

    FrontendHandler(ProxyContext proxy) {
        this.proxy = proxy;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        proxy.metrics().connectionOpened();
        long period = Math.max(TimeUnit.MILLISECONDS.toNanos(100), proxy.snapshot().config.timeouts().clientIdle().toNanos() / 4);
        idleCheck = ctx.executor().scheduleAtFixedRate(this::checkIdle, period, period, TimeUnit.NANOSECONDS);
        readRequest();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        proxy.metrics().connectionClosed();
        disarmIdle();
        if (idleCheck != null) {
            idleCheck.cancel(false);
        }
        if (exchange != null) {
            exchange.clientGone();
            exchange = null;
        }
    }

    /** Asks for the next part of a request, timing the client out if it does not come. */
    void readRequest() {
        armIdle();
        awaitingRead = true;
        ctx.read();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        // FlowControlHandler counts a read cycle that produced no whole message (a head split over
        // several socket reads) as the answer to our read(): ask again.
        if (awaitingRead && !lingering && ctx.channel().isActive()) {
            ctx.read();
        }
        ctx.fireChannelReadComplete();
    }

    boolean closing() {
        return proxy.draining();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (lingering) {
            ReferenceCountUtil.release(msg);
            return;
        }
        disarmIdle();
        awaitingRead = false;
        if (msg instanceof HttpRequest request) {
            try {
                request(request);
            } finally {
                if (msg instanceof HttpContent) {
                    // An invalid message is a FullHttpRequest; nothing of it is forwarded.
                    ReferenceCountUtil.release(msg);
                }
            }
            return;
        }
        if (msg instanceof HttpContent content) {
            content(content);
            return;
        }
        ReferenceCountUtil.release(msg);
    }

    private void request(HttpRequest request) {
        DecoderResult result = request.decoderResult();
        if (result.isFailure()) {
            Throwable cause = result.cause();
            HttpResponseStatus status = cause instanceof TooLongHttpHeaderException
                    ? HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE
                    : cause instanceof TooLongHttpLineException ? HttpResponseStatus.REQUEST_URI_TOO_LONG
                    : cause instanceof TooLongFrameException ? HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE
                    : HttpResponseStatus.BAD_REQUEST;
            LOG.log(Level.DEBUG, "rejected a malformed request from " + ctx.channel().remoteAddress() + ": " + cause);
            reject(status, reason(status), true);
            return;
        }
        String target = request.uri();
        HttpHeaders headers = request.headers();
        List<String> hosts = headers.getAll(HttpHeaderNames.HOST);
        String authority = RequestChecks.targetAuthority(target);
        if (RequestChecks.hasControlCharacters(target) || hosts.size() > 1
                || (hosts.isEmpty() && authority == null && request.protocolVersion().equals(HttpVersion.HTTP_1_1))) {
            reject(HttpResponseStatus.BAD_REQUEST, "bad_request", true);
            return;
        }
        String forwardedHost = hosts.isEmpty() ? authority : hosts.get(0);
        String host = null;
        if (authority != null || !hosts.isEmpty()) {
            host = RequestChecks.validHost(authority != null ? authority : hosts.get(0));
            if (host == null) {
                reject(HttpResponseStatus.BAD_REQUEST, "bad_request", true);
                return;
            }
            headers.set(HttpHeaderNames.HOST, host); // as proxy_set_header Host $host
        }
        if (HttpMethod.CONNECT.equals(request.method())) {
            reject(HttpResponseStatus.METHOD_NOT_ALLOWED, "method_not_allowed", hasBody(request));
            return;
        }
        boolean expectContinue = false;
        String expect = headers.get(HttpHeaderNames.EXPECT);
        if (expect != null) {
            if (!expect.trim().equalsIgnoreCase("100-continue")) {
                reject(HttpResponseStatus.EXPECTATION_FAILED, "expectation_failed", true);
                return;
            }
            expectContinue = hasBody(request) && request.protocolVersion().equals(HttpVersion.HTTP_1_1);
        }
        Snapshot snapshot = proxy.snapshot();
        if (snapshot.router == null) {
            reject(HttpResponseStatus.SERVICE_UNAVAILABLE, "no_variants", hasBody(request));
            return;
        }
        boolean upgrade = isWebSocketUpgrade(headers);
        Route route = snapshot.router.route(new View(target, headers, ctx.channel().remoteAddress()));
        exchange = new Exchange(this, ctx, proxy, snapshot, request, upgrade, expectContinue);
        exchange.start(route, RemoteAddress.text(ctx.channel().remoteAddress()), forwardedHost);
    }

    private static boolean isWebSocketUpgrade(HttpHeaders headers) {
        return headers.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true)
                && headers.containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true);
    }

    private static boolean hasBody(HttpRequest request) {
        return HttpUtil.isTransferEncodingChunked(request) || HttpUtil.getContentLength(request, 0L) > 0;
    }

    private void content(HttpContent content) {
        if (content.decoderResult().isFailure()) {
            ReferenceCountUtil.release(content);
            LOG.log(Level.DEBUG, "rejected a malformed request body from " + ctx.channel().remoteAddress() + ": "
                    + content.decoderResult().cause());
            Exchange e = exchange;
            exchange = null;
            if (e != null) {
                e.clientGone(); // the upstream never sees a complete request
            }
            reject(HttpResponseStatus.BAD_REQUEST, "bad_request", true);
            return;
        }
        if (exchange != null) {
            exchange.requestContent(content);
            return;
        }
        ReferenceCountUtil.release(content);
        if (content instanceof LastHttpContent && discardingBody) {
            discardingBody = false;
            if (closeAfterDiscard) {
                ctx.close();
            } else {
                readRequest();
            }
        } else {
            readRequest();
        }
    }

    /** Answers the current request ourselves; the rest of its body is read and dropped, or the connection closed. */
    private void reject(HttpResponseStatus status, String reason, boolean close) {
        proxy.metrics().rejected(reason);
        respond(status, close || proxy.draining());
    }

    private void respond(HttpResponseStatus status, boolean close) {
        ByteBuf response = answer(status, close);
        if (close) {
            ctx.writeAndFlush(response).addListener(f -> lingeringClose());
            return;
        }
        ctx.writeAndFlush(response);
        discardingBody = true;
        closeAfterDiscard = false;
        readRequest();
    }

    private static String reason(HttpResponseStatus status) {
        return switch (status.code()) {
            case 431 -> "header_too_large";
            case 414 -> "uri_too_long";
            default -> "bad_request";
        };
    }

    /**
     * Closes after an answer the client may still be sending into (a rejected request): closing at
     * once would reset the connection and the client might never read the answer. As nginx's
     * lingering close: stop writing, read and drop what still comes for a moment, then close.
     */
    private void lingeringClose() {
        Channel ch = ctx.channel();
        if (!ch.isActive()) {
            return;
        }
        lingering = true;
        disarmIdle();
        if (ch instanceof DuplexChannel duplex) {
            duplex.shutdownOutput();
        }
        ch.config().setAutoRead(true);
        ctx.executor().schedule(() -> {
            ch.close();
        }, LINGER_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** The exchange is complete: serve the next request, or close. */
    void exchangeDone(Exchange done, boolean close) {
        if (exchange == done) {
            exchange = null;
        }
        if (close || proxy.draining()) {
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        } else {
            readRequest();
        }
    }

    /** A response of our own: the status as plain text, {@code Connection: close} when we close after it. */
    private ByteBuf answer(HttpResponseStatus status, boolean close) {
        String body = status.code() + " " + status.reasonPhrase() + "\n";
        String head = "HTTP/1.1 " + status.code() + " " + status.reasonPhrase() + "\r\nContent-Type: text/plain\r\n"
                + "Content-Length: " + body.length() + "\r\n" + (close ? "Connection: close\r\n" : "") + "\r\n";
        ByteBuf response = ctx.alloc().buffer(head.length() + body.length());
        response.writeCharSequence(head, CharsetUtil.US_ASCII);
        response.writeCharSequence(body, CharsetUtil.US_ASCII);
        return response;
    }

    /** The exchange failed before any response byte: answer the error ourselves. */
    void exchangeFailed(Exchange failed, HttpResponseStatus status, boolean requestIncomplete) {
        if (exchange == failed) {
            exchange = null;
        }
        if (!ctx.channel().isActive()) {
            return;
        }
        boolean close = requestIncomplete || !failed.clientKeepAlive() || proxy.draining();
        ByteBuf response = answer(status, close);
        if (close) {
            ctx.writeAndFlush(response).addListener(f -> lingeringClose());
        } else {
            ctx.writeAndFlush(response);
            readRequest();
        }
    }

    /** After a 101 answer: both connections become a byte tunnel. */
    void tunnel(Channel backend) {
        exchange = null;
        disarmIdle();
        Channel clientChannel = ctx.channel();
        ChannelPipeline client = ctx.pipeline();
        client.addLast("relay", new Relay(backend));
        ChannelPipeline up = backend.pipeline();
        up.addLast("relay", new Relay(clientChannel));
        BackendHandler handler = up.get(BackendHandler.class);
        if (handler != null) {
            handler.detach();
            up.remove(handler);
        }
        up.remove("idle");
        up.remove("encoder");
        client.remove(this);
        client.remove("flow");
        client.remove("decoder");
        clientChannel.config().setAutoRead(true);
        backend.config().setAutoRead(true);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable() && exchange != null) {
            exchange.clientWritable();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.log(Level.DEBUG, "client connection failed", cause);
        ctx.close();
    }

    private void armIdle() {
        waitingForClient = true;
        waitingSince = System.nanoTime();
    }

    private void disarmIdle() {
        waitingForClient = false;
    }

    /** Runs a few times per idle timeout: cheaper than a timer per request. */
    private void checkIdle() {
        long limit = proxy.snapshot().config.timeouts().clientIdle().toNanos();
        if (waitingForClient && System.nanoTime() - waitingSince >= limit) {
            waitingForClient = false;
            if (exchange != null) {
                exchange.clientGone();
                exchange = null;
            }
            ctx.close();
        }
    }

    /** Drain: close now if idle between requests; otherwise the current response ends with a close. */
    void drain() {
        if (exchange == null && !discardingBody) {
            ctx.close();
        }
    }
}
