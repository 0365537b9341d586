package dev.podkit.runtime.admin;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.timeout.ReadTimeoutException;
import io.netty.util.AttributeKey;
import java.lang.System.Logger.Level;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;

/**
 * Routes admin requests. Cheap routes (probes) answer on the event loop; the others run on the
 * worker executor. Responses on one connection leave in request order, also when pipelined.
 */
@Sharable
final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final System.Logger LOG = System.getLogger(AdminHandler.class.getName());
    /** The response the next request on a connection has to wait for. */
    private static final AttributeKey<CompletableFuture<Void>> PREVIOUS = AttributeKey.valueOf("podkit.admin.previous");

    private final Function<String, AdminServer.Registered> routes;
    private final Executor worker;

    AdminHandler(Function<String, AdminServer.Registered> routes, Executor worker) {
        this.routes = routes;
        this.worker = worker;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        boolean head = HttpMethod.HEAD.equals(request.method());
        CompletableFuture<AdminResponse> response = dispatch(request);

        CompletableFuture<Void> previous = ctx.channel().attr(PREVIOUS).get();
        CompletableFuture<Void> written = (previous == null ? response : previous.thenCompose(v -> response))
                .thenAcceptAsync(r -> write(ctx, r, keepAlive, head), ctx.executor());
        ctx.channel().attr(PREVIOUS).set(written.exceptionally(e -> null));
    }

    private CompletableFuture<AdminResponse> dispatch(FullHttpRequest request) {
        if (!request.decoderResult().isSuccess()) {
            return CompletableFuture.completedFuture(AdminResponse.text(400, "bad request"));
        }
        QueryStringDecoder uri = new QueryStringDecoder(request.uri());
        AdminServer.Registered route = routes.apply(uri.path());
        if (route == null) {
            return CompletableFuture.completedFuture(AdminResponse.text(404, "not found: " + uri.path()));
        }
        if (!HttpMethod.GET.equals(request.method()) && !HttpMethod.HEAD.equals(request.method())) {
            return CompletableFuture.completedFuture(AdminResponse.text(405, "method not allowed: use GET"));
        }
        AdminRequest adminRequest = new AdminRequest(request.method().name(), uri.path(), uri.parameters(),
                request.headers().get(HttpHeaderNames.ACCEPT));
        if (route.inline()) {
            return CompletableFuture.completedFuture(call(route.route(), adminRequest));
        }
        try {
            return CompletableFuture.supplyAsync(() -> call(route.route(), adminRequest), worker);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.completedFuture(AdminResponse.text(503, "busy: too many admin requests at once"));
        }
    }

    private static AdminResponse call(AdminRoute route, AdminRequest request) {
        try {
            return route.handle(request);
        } catch (Exception | LinkageError e) {
            LOG.log(Level.WARNING, "admin " + request.path() + " failed", e);
            return AdminResponse.text(500, "internal error: " + e);
        }
    }

    private static void write(ChannelHandlerContext ctx, AdminResponse r, boolean keepAlive, boolean head) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(r.status()),
                head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(r.body()));
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, r.contentType())
                .setInt(HttpHeaderNames.CONTENT_LENGTH, r.body().length)
                .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
        if (r.status() == 405) {
            response.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
        }
        HttpUtil.setKeepAlive(response, keepAlive);
        var future = ctx.writeAndFlush(response);
        if (!keepAlive) {
            future.addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!(cause instanceof ReadTimeoutException)) {
            LOG.log(Level.DEBUG, "admin connection from " + ctx.channel().remoteAddress() + " failed", cause);
        }
        ctx.close();
    }
}
