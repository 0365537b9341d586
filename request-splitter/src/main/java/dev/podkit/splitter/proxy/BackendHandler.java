package dev.podkit.splitter.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The last handler of an upstream connection: reads responses ({@link ResponseReader}) for the
 * request the connection is lent to, times out reads, and closes the connection when it
 * misbehaves while idle in the pool.
 */
final class BackendHandler extends ChannelInboundHandlerAdapter {
    private ChannelHandlerContext ctx;
    private ResponseReader reader;
    private BackendListener listener;
    private long readTimeoutNanos;
    private boolean armed;
    private long lastReadNanos;
    private ScheduledFuture<?> readTimer;

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.reader = new ResponseReader(ctx.alloc());
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        reader.release();
    }

    /**
     * Lends the connection to {@code listener} for one response, to a HEAD request or not, to a
     * request that asked to upgrade or not; reads are timed out after {@code readTimeout}.
     */
    void attach(BackendListener listener, Duration readTimeout, boolean headRequest, boolean upgradeRequested) {
        this.listener = listener;
        this.readTimeoutNanos = readTimeout.toNanos();
        reader.expect(listener, headRequest, upgradeRequested);
    }

    /** Back to the pool: no one listens any more. */
    void detach() {
        listener = null;
        reader.release();
        disarm();
    }

    boolean attached() {
        return listener != null;
    }

    /**
     * Starts (or restarts) the read timeout: a response is due. One timer per connection checks the
     * time of the last read when it fires and goes again for the rest, so a request or a read costs
     * a clock read, not a timer scheduled and cancelled.
     */
    void arm() {
        armed = true;
        lastReadNanos = System.nanoTime();
        if (readTimer != null && readTimer.getDelay(TimeUnit.NANOSECONDS) > readTimeoutNanos) {
            readTimer.cancel(false); // a shorter timeout came with a new configuration
            readTimer = null;
        }
        if (readTimer == null) {
            readTimer = ctx.executor().schedule(this::checkTimeout, readTimeoutNanos, TimeUnit.NANOSECONDS);
        }
    }

    /** No response is due (the timer, if one is set, stops when it next fires). */
    void disarm() {
        armed = false;
    }

    private void checkTimeout() {
        readTimer = null;
        if (!armed) {
            return;
        }
        long quiet = System.nanoTime() - lastReadNanos;
        if (quiet < readTimeoutNanos) {
            readTimer = ctx.executor().schedule(this::checkTimeout, readTimeoutNanos - quiet, TimeUnit.NANOSECONDS);
            return;
        }
        armed = false;
        BackendListener l = listener;
        if (l != null) {
            l.onReadTimeout();
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (listener == null || !(msg instanceof ByteBuf bytes) || reader.idle()) {
            // Bytes no response explains (an idle pooled connection): it is out of step, never reuse it.
            ReferenceCountUtil.release(msg);
            ctx.close();
            return;
        }
        if (armed) {
            lastReadNanos = System.nanoTime();
        }
        if (!reader.feed(bytes)) {
            ctx.close(); // more than the response: out of step
        }
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
        if (readTimer != null) {
            readTimer.cancel(false);
            readTimer = null;
        }
        if (listener != null && reader.endsOnClose()) {
            reader.closed(); // the end of a close-delimited body
        }
        BackendListener l = listener;
        listener = null;
        reader.release();
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
