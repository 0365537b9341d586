package dev.podkit.splitter.proxy;

import dev.podkit.splitter.config.ServerAddress;
import dev.podkit.splitter.config.SplitterConfig;
import dev.podkit.splitter.metrics.SplitterMetrics;
import dev.podkit.splitter.route.Route;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ConnectTimeoutException;
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
import io.netty.util.ReferenceCountUtil;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * One proxied request, from its head to the end of its response: picks the variant, borrows an
 * upstream connection, streams the body up and the response down with backpressure both ways, and
 * gives the connection back when both are complete. Runs entirely on the client's event loop.
 */
final class Exchange implements BackendListener {
    private static final System.Logger LOG = System.getLogger(Exchange.class.getName());
    private static final Set<HttpMethod> IDEMPOTENT = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.PUT,
            HttpMethod.DELETE, HttpMethod.OPTIONS, HttpMethod.TRACE);

    private static final io.netty.util.AsciiString X_FORWARDED_FOR = io.netty.util.AsciiString.cached("x-forwarded-for");
    private static final io.netty.util.AsciiString X_FORWARDED_PROTO = io.netty.util.AsciiString.cached("x-forwarded-proto");
    private static final io.netty.util.AsciiString X_FORWARDED_HOST = io.netty.util.AsciiString.cached("x-forwarded-host");
    private static final short CRLF = ('\r' << 8) | '\n';
    private static final byte[] HTTP11_SPACE = ascii("HTTP/1.1 ");
    private static final byte[] TRANSFER_ENCODING_CHUNKED = ascii("Transfer-Encoding: chunked\r\n");
    private static final byte[] CONNECTION_UPGRADE = ascii("Connection: upgrade\r\n");
    private static final byte[] CONNECTION_CLOSE = ascii("Connection: close\r\n");
    private static final byte[] CONNECTION_KEEP_ALIVE = ascii("Connection: keep-alive\r\n");
    private static final ByteBuf CRLF_BYTES = constant("\r\n");
    private static final ByteBuf LAST_CHUNK = constant("0\r\n\r\n");
    private static final ByteBuf CONTINUE = constant("HTTP/1.1 100 Continue\r\n\r\n");

    private final FrontendHandler frontend;
    private final ChannelHandlerContext client;
    private final ProxyContext proxy;
    private final Snapshot snapshot;
    private final HttpRequest request;
    private final HttpVersion clientVersion;
    private final boolean clientKeepAlive;
    private final boolean head;
    private final boolean upgrade;
    private final boolean expectContinue;
    private final long startNanos = System.nanoTime();
    private final io.netty.util.concurrent.GenericFutureListener<io.netty.util.concurrent.Future<? super Void>> writeDone =
            this::backendWriteDone;

    private Route route;
    private SplitterMetrics.Variant meters;
    private Balancer balancer;
    private Channel backend;
    private BackendHandler backendHandler;
    private MirrorCopy mirror;
    private int attempts;
    private boolean requestDone;
    private boolean responseStarted;
    private boolean responseDone;
    private boolean finished;
    private boolean backendReusable = true;
    private boolean closeClient;
    private boolean clientPaused;
    private boolean backendPaused;
    private boolean closeDelimited;
    private boolean chunkForClient;
    private boolean unflushed;
    private boolean uploadBroken;
    private int status;
    private long requestBodyBytes;
    private long responseBodyBytes;

    Exchange(FrontendHandler frontend, ChannelHandlerContext client, ProxyContext proxy, Snapshot snapshot,
            HttpRequest request, boolean upgrade, boolean expectContinue) {
        this.frontend = frontend;
        this.client = client;
        this.proxy = proxy;
        this.snapshot = snapshot;
        this.request = request;
        this.clientVersion = request.protocolVersion();
        this.clientKeepAlive = HttpUtil.isKeepAlive(request);
        this.head = HttpMethod.HEAD.equals(request.method());
        this.upgrade = upgrade;
        this.expectContinue = expectContinue;
    }

    boolean clientKeepAlive() {
        return clientKeepAlive && !closeClient;
    }

    boolean head() {
        return head;
    }

    /** Routes the request and starts the upstream exchange. */
    void start(Route route, String clientAddress, String forwardedHost) {
        this.route = route;
        this.meters = proxy.metrics().variant(route.variant().name());
        meters.routed(route.reason());
        this.balancer = snapshot.balancers.get(route.variant().name());
        prepareUpstreamRequest(clientAddress, forwardedHost);
        if (snapshot.mirror != null) {
            mirror = MirrorCopy.maybe(proxy, snapshot, request, client.channel().eventLoop());
        }
        connect(balancer.next());
    }

    private void prepareUpstreamRequest(String clientAddress, String forwardedHost) {
        HttpHeaders h = request.headers();
        HopByHop.strip(h, upgrade);
        h.remove(HttpHeaderNames.EXPECT);
        if (upgrade) {
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
        }
        String xff = h.get(X_FORWARDED_FOR);
        h.set(X_FORWARDED_FOR, xff == null || xff.isEmpty() ? clientAddress : xff + ", " + clientAddress);
        if (!h.contains(X_FORWARDED_PROTO)) {
            h.set(X_FORWARDED_PROTO, "http");
        }
        if (!h.contains(X_FORWARDED_HOST) && forwardedHost != null) {
            h.set(X_FORWARDED_HOST, forwardedHost);
        }
        SplitterConfig config = snapshot.config;
        if (config.requestVariantHeader() != null) {
            h.set(config.requestVariantHeader(), route.variant().name());
        }
        request.setProtocolVersion(HttpVersion.HTTP_1_1);
    }

    private void connect(ServerAddress server) {
        attempts++;
        Channel pooled = proxy.pool().pooled(client.channel().eventLoop(), server);
        if (pooled != null) {
            attach(pooled, server);
            return;
        }
        if (!request.headers().contains(HttpHeaderNames.HOST)) {
            request.headers().set(HttpHeaderNames.HOST, server.authority());
        }
        io.netty.util.concurrent.Future<Channel> f = proxy.pool().connect(client.channel().eventLoop(), server);
        f.addListener(done -> {
            if (finished) {
                if (done.isSuccess()) {
                    proxy.pool().release(f.getNow());
                }
                return;
            }
            if (done.isSuccess()) {
                attach(f.getNow(), server);
            } else {
                connectFailed(server, done.cause());
            }
        });
    }

    private void connectFailed(ServerAddress server, Throwable cause) {
        boolean timeout = cause instanceof ConnectTimeoutException;
        meters.upstreamError(timeout ? "timeout" : "connect");
        LOG.log(Level.WARNING, "variant " + route.variant().name() + ": cannot connect to " + server + ": "
                + (cause instanceof java.net.UnknownHostException ? "no such host" : cause.getMessage()));
        // Nothing was sent yet: an idempotent request may try the variant's next server.
        if (IDEMPOTENT.contains(request.method()) && attempts < balancer.size()) {
            connect(balancer.next());
            return;
        }
        fail(timeout ? HttpResponseStatus.GATEWAY_TIMEOUT : HttpResponseStatus.BAD_GATEWAY);
    }

    private void attach(Channel channel, ServerAddress server) {
        if (!request.headers().contains(HttpHeaderNames.HOST)) {
            request.headers().set(HttpHeaderNames.HOST, server.authority());
        }
        backend = channel;
        backendHandler = channel.pipeline().get(BackendHandler.class);
        backendHandler.attach(this, snapshot.config.timeouts().read(), head, upgrade);
        channel.config().setAutoRead(true);
        channel.write(request).addListener(writeDone);
        if (expectContinue) {
            client.writeAndFlush(CONTINUE.duplicate());
        }
        frontend.readRequest();
    }

    private void backendWriteDone(io.netty.util.concurrent.Future<? super Void> f) {
        if (!f.isSuccess() && !finished) {
            // The upstream stopped taking the request (often after answering early, e.g. 413): stop
            // sending, and let the read side decide: its response if one comes, else 502.
            backendReusable = false;
            closeClient = true;
            uploadBroken = true;
            backendHandler.arm();
        }
    }

    /** A part of the request body from the client (the frontend reads one at a time). */
    void requestContent(HttpContent content) {
        if (finished || responseDone || backend == null || uploadBroken) {
            ReferenceCountUtil.release(content);
            if (content instanceof LastHttpContent) {
                requestDone = true;
            } else if (!finished) {
                frontend.readRequest();
            }
            return;
        }
        int size = content.content().readableBytes();
        requestBodyBytes += size;
        if (mirror != null) {
            mirror = mirror.add(content);
        }
        boolean last = content instanceof LastHttpContent;
        backend.writeAndFlush(content).addListener(writeDone);
        if (last) {
            requestDone = true;
            backendHandler.arm();
            if (mirror != null) {
                mirror.send();
                mirror = null;
            }
            if (responseDone) {
                finish();
            }
        } else if (backend.isWritable()) {
            frontend.readRequest();
        } else {
            clientPaused = true;
        }
    }

    @Override
    public void onWritabilityChanged(boolean writable) {
        if (writable && clientPaused && !finished) {
            clientPaused = false;
            frontend.readRequest();
        }
    }

    /** The client's channel can take more again. */
    void clientWritable() {
        if (backendPaused && backend != null && !finished) {
            backendPaused = false;
            backend.config().setAutoRead(true);
        }
    }

    @Override
    public void head(ResponseReader.Head h) {
        if (finished) {
            return;
        }
        responseStarted = true;
        status = h.status;
        if (!h.keepAlive()) {
            backendReusable = false;
        }
        boolean http11 = clientVersion.equals(HttpVersion.HTTP_1_1);
        boolean switching = h.framing == ResponseReader.Framing.SWITCH;
        // An HTTP/1.0 client cannot read chunked: the body goes to it as payload, ended by the close.
        boolean dropTransferEncoding = !http11 && h.transferEncoding && h.chunked;
        if (h.framing == ResponseReader.Framing.CLOSE) {
            closeDelimited = true; // the body ends when the upstream closes
            backendReusable = false;
            if (http11 && !h.transferEncoding) {
                chunkForClient = true; // so that the client's connection can stay open
            } else {
                closeClient = true;
            }
        } else if (h.framing == ResponseReader.Framing.CHUNKED && !http11) {
            h.unchunk();
            closeClient = true;
        }
        if (!switching && (!clientKeepAlive || frontend.closing() || !requestDone)) {
            closeClient = true;
        }
        String variantHeader = snapshot.config.responseVariantHeader();
        String variantHeaderLower = snapshot.responseVariantHeaderLower;
        ByteBuf out = client.alloc().buffer(h.size() + 160);
        out.writeBytes(HTTP11_SPACE);
        h.writeStatus(out);
        out.writeShort(CRLF);
        for (int i = 0; i < h.count; i++) {
            if (h.drop[i] || dropTransferEncoding && h.is(i, "transfer-encoding")
                    || variantHeaderLower != null && h.is(i, variantHeaderLower)) {
                continue;
            }
            h.writeHeader(i, out);
        }
        if (chunkForClient) {
            out.writeBytes(TRANSFER_ENCODING_CHUNKED);
        }
        if (switching) {
            out.writeBytes(CONNECTION_UPGRADE);
        } else if (closeClient) {
            out.writeBytes(CONNECTION_CLOSE);
        } else if (!http11) {
            out.writeBytes(CONNECTION_KEEP_ALIVE);
        }
        if (variantHeader != null) {
            header(out, variantHeader, route.variant().name());
        }
        if (route.setCookie() != null) {
            header(out, "Set-Cookie", route.setCookie());
        }
        out.writeShort(CRLF);
        client.write(out);
        unflushed = true;
    }

    private static void header(ByteBuf out, String name, String value) {
        out.writeCharSequence(name, StandardCharsets.ISO_8859_1);
        out.writeByte(':').writeByte(' ');
        out.writeCharSequence(value, StandardCharsets.ISO_8859_1);
        out.writeShort(CRLF);
    }

    @Override
    public void body(ByteBuf bytes, int payload) {
        if (finished) {
            bytes.release();
            return;
        }
        responseBodyBytes += payload;
        if (chunkForClient) {
            ByteBuf size = client.alloc().buffer(12);
            size.writeCharSequence(Integer.toHexString(bytes.readableBytes()), StandardCharsets.US_ASCII);
            size.writeShort(CRLF);
            client.write(size);
            client.write(bytes);
            client.writeAndFlush(CRLF_BYTES.duplicate());
        } else {
            client.writeAndFlush(bytes);
        }
        unflushed = false;
        if (!client.channel().isWritable()) {
            backendPaused = true;
            backend.config().setAutoRead(false);
        }
    }

    @Override
    public void end() {
        if (finished) {
            return;
        }
        responseDone = true;
        backendHandler.disarm();
        if (chunkForClient) {
            client.writeAndFlush(LAST_CHUNK.duplicate());
        } else if (unflushed) {
            client.flush();
        }
        unflushed = false;
        if (!requestDone && status != 101) {
            // The upstream answered before the whole request body was sent: the connection is out
            // of step now, on both sides.
            backendReusable = false;
            closeClient = true;
        }
        finish();
    }

    @Override
    public void malformed(String why) {
        if (finished) {
            return;
        }
        meters.upstreamError("invalid");
        LOG.log(Level.WARNING, "variant " + route.variant().name() + ": invalid response from upstream: " + why);
        backendReusable = false;
        if (!responseStarted) {
            fail(HttpResponseStatus.BAD_GATEWAY);
        } else {
            abort();
        }
    }

    @Override
    public void onInactive() {
        if (finished) {
            return;
        }
        backendReusable = false;
        if (!responseStarted) {
            meters.upstreamError("reset");
            LOG.log(Level.WARNING, "variant " + route.variant().name() + ": upstream closed the connection before responding");
            fail(HttpResponseStatus.BAD_GATEWAY);
        } else if (!responseDone) {
            meters.upstreamError("reset");
            abort();
        }
    }

    @Override
    public void onException(Throwable cause) {
        LOG.log(Level.DEBUG, "upstream connection failed", cause);
    }

    @Override
    public void onReadTimeout() {
        if (finished) {
            return;
        }
        if (backendPaused) {
            backendHandler.arm(); // we stopped reading ourselves: the client is slow, not the upstream
            return;
        }
        meters.upstreamError("timeout");
        LOG.log(Level.WARNING, "variant " + route.variant().name() + ": upstream read timed out after "
                + snapshot.config.timeouts().read().toMillis() + " ms");
        backendReusable = false;
        if (!responseStarted) {
            fail(HttpResponseStatus.GATEWAY_TIMEOUT);
        } else {
            abort();
        }
    }

    /** Answers with an error of our own if nothing was sent to the client yet, else cuts the connection. */
    private void fail(HttpResponseStatus errorStatus) {
        if (finished) {
            return;
        }
        if (responseStarted) {
            abort();
            return;
        }
        finished = true;
        status = errorStatus.code();
        closeBackend();
        releaseMirror();
        record();
        frontend.exchangeFailed(this, errorStatus, !requestDone);
    }

    /** Cuts both connections: the response cannot be completed. */
    private void abort() {
        if (finished) {
            return;
        }
        finished = true;
        closeBackend();
        releaseMirror();
        record();
        client.close();
    }

    /** The client went away. */
    void clientGone() {
        if (finished) {
            return;
        }
        finished = true;
        closeBackend();
        releaseMirror();
        if (status == 0) {
            status = 499; // nginx's "client closed request"
        }
        record();
    }

    private void finish() {
        finished = true;
        record();
        releaseMirror();
        if (status == 101 && upgrade) {
            frontend.tunnel(backend);
            return;
        }
        if (requestDone && backendReusable && !closeDelimited && backend.isActive()) {
            proxy.pool().release(backend);
        } else {
            closeBackend();
        }
        frontend.exchangeDone(this, closeClient || !clientKeepAlive);
    }

    private void closeBackend() {
        if (backend != null) {
            if (backendHandler != null) {
                backendHandler.detach();
            }
            backend.close();
        }
    }

    private void releaseMirror() {
        if (mirror != null) {
            mirror.discard();
            mirror = null;
        }
    }

    private void record() {
        if (meters != null) {
            meters.completed(status, System.nanoTime() - startNanos, requestBodyBytes, responseBodyBytes);
        }
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** A constant to write as {@code constant.duplicate()}: never released, never copied. */
    private static ByteBuf constant(String s) {
        return Unpooled.unreleasableBuffer(Unpooled.directBuffer(s.length()).writeBytes(ascii(s)).asReadOnly());
    }
}
