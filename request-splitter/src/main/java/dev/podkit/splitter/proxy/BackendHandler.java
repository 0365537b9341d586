package dev.podkit.splitter.proxy;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The last handler of an upstream connection: hands responses to the request the connection is
 * lent to, times out reads, and closes the connection when it misbehaves while idle in the pool.
 */
final class BackendHandler extends ChannelInboundHandlerAdapter {
    private ChannelHandlerContext ctx;
    private BackendListener listener;
    private long readTimeoutNanos;
    private ScheduledFuture<?> readTimer;

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    /** Lends the connection to {@code listener}; reads are timed out after {@code readTimeout}. */
    void attach(BackendListener listener, Duration readTimeout) {
        this.listener = listener;
        this.readTimeoutNanos = readTimeout.toNanos();
    }

    /** Back to the pool: no one listens any more. */
    void detach() {
        listener = null;
        disarm();
    }

    boolean attached() {
        return listener != null;
    }

    /** Starts (or restarts) the read timeout: a response is due. */
    void arm() {
        disarm();
        readTimer = ctx.executor().schedule(this::timedOut, readTimeoutNanos, TimeUnit.NANOSECONDS);
    }

    void disarm() {
        if (readTimer != null) {
            readTimer.cancel(false);
            readTimer = null;
        }
    }

    private void timedOut() {
        readTimer = null;
        BackendListener l = listener;
        if (l != null) {
            l.onReadTimeout();
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        BackendListener l = listener;
        if (l == null || !(msg instanceof HttpObject http)) {
            // Bytes from an idle pooled connection: it is out of step, never reuse it.
            ReferenceCountUtil.release(msg);
            ctx.close();
            return;
        }
        if (readTimer != null) {
            arm();
        }
        l.onMessage(http);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        BackendListener l = listener;
        if (l != null) {
            l.onWritabilityChanged(ctx.channel().isWritable());
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        disarm();
        BackendListener l = listener;
        listener = null;
        if (l != null) {
            l.onInactive();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent && listener == null) {
            ctx.close(); // idle too long in the pool
            return;
        }
        ReferenceCountUtil.release(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        BackendListener l = listener;
        if (l != null) {
            l.onException(cause);
        }
        ctx.close();
    }
}
