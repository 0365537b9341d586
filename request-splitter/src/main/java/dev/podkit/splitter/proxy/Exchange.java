package dev.podkit.splitter.proxy;

import dev.podkit.splitter.config.ServerAddress;
import dev.podkit.splitter.config.SplitterConfig;
import dev.podkit.splitter.metrics.SplitterMetrics;
import dev.podkit.splitter.route.Route;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.lang.System.Logger.Level;
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
        backendHandler.attach(this, snapshot.config.timeouts().read());
        channel.config().setAutoRead(true);
        channel.write(request).addListener(writeDone);
        if (expectContinue) {
            client.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
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
    public void onMessage(HttpObject message) {
        if (finished) {
            ReferenceCountUtil.release(message);
            return;
        }
        if (message instanceof HttpResponse response) {
            int code = response.status().code();
            if (code >= 100 && code < 200 && code != 101) {
                ReferenceCountUtil.release(message); // 100 Continue & co: we answered Expect ourselves
                return;
            }
            responseHead(response);
            if (status == 101 && upgrade) {
                // Switch now: what follows is the new protocol's, whatever the head says about a body.
                ReferenceCountUtil.release(message);
                client.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
                responseDone = true;
                backendHandler.disarm();
                finish();
                return;
            }
        }
        if (message instanceof HttpContent content) {
            responseBodyBytes += content.content().readableBytes();
            boolean last = content instanceof LastHttpContent;
            if (last) {
                responseDone = true;
                backendHandler.disarm();
                client.writeAndFlush(content);
                if (requestDone || status == 101) {
                    finish();
                } else {
                    // The upstream answered before the whole request body was sent: the
                    // connection is out of step now, on both sides.
                    backendReusable = false;
                    closeClient = true;
                    finish();
                }
                return;
            }
            client.writeAndFlush(content);
            if (!client.channel().isWritable()) {
                backendPaused = true;
                backend.config().setAutoRead(false);
            }
        }
    }

    private void responseHead(HttpResponse response) {
        responseStarted = true;
        status = response.status().code();
        HttpHeaders h = response.headers();
        if (!HttpUtil.isKeepAlive(response)) {
            backendReusable = false;
        }
        boolean switching = status == 101 && upgrade;
        HopByHop.strip(h, switching);
        boolean chunked = HttpUtil.isTransferEncodingChunked(response);
        boolean sized = h.contains(HttpHeaderNames.CONTENT_LENGTH);
        boolean bodyless = head || status == 204 || status == 304 || (status >= 100 && status < 200);
        if (!chunked && !sized && !bodyless) {
            closeDelimited = true; // the body ends when the upstream closes
            backendReusable = false;
            if (clientVersion.equals(HttpVersion.HTTP_1_1)) {
                HttpUtil.setTransferEncodingChunked(response, true);
            } else {
                closeClient = true;
            }
        } else if (chunked && !clientVersion.equals(HttpVersion.HTTP_1_1)) {
            HttpUtil.setTransferEncodingChunked(response, false);
            closeClient = true;
        }
        if (switching) {
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
        } else {
            if (!clientKeepAlive || frontend.closing() || !requestDone) {
                closeClient = true;
            }
            if (closeClient) {
                h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            } else if (!clientVersion.equals(HttpVersion.HTTP_1_1)) {
                h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            }
        }
        SplitterConfig config = snapshot.config;
        if (config.responseVariantHeader() != null) {
            h.set(config.responseVariantHeader(), route.variant().name());
        }
        if (route.setCookie() != null) {
            h.add(HttpHeaderNames.SET_COOKIE, route.setCookie());
        }
        response.setProtocolVersion(HttpVersion.HTTP_1_1);
        frontend.answering(head);
        client.write(response);
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
}
