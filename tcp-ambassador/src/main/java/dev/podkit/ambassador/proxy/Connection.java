package dev.podkit.ambassador.proxy;

import dev.podkit.ambassador.config.Splice;
import dev.podkit.ambassador.config.Timeouts;
import dev.podkit.ambassador.metrics.TargetMetrics;
import dev.podkit.ambassador.route.Endpoint;
import dev.podkit.ambassador.route.Route;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.epoll.AbstractEpollStreamChannel;
import io.netty.channel.socket.DuplexChannel;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.Socket;
import io.netty.channel.unix.UnixChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyProtocolException;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/**
 * One proxied connection: the client's channel, the target's channel once connected, and the
 * state between them. Everything runs on the client channel's event loop (the target channel is
 * registered on the same one), so nothing here needs a lock.
 *
 * <p>Both directions are independent: a FIN from one side is passed on once everything before
 * it was written, and the other direction keeps flowing; a reset is passed on as a reset. Bytes
 * move either through Netty buffers (backpressure: a side stops reading while the other side's
 * outbound buffer is above its high-water mark) or, between two plain sockets on epoll, with
 * splice(2) inside the kernel (backpressure: the pipe between them).
 */
public final class Connection {
    private static final System.Logger LOG = System.getLogger(Connection.class.getName());
    /** Data a client may send before its target is connected (what one read of the socket gives). */
    private static final int MAX_PENDING_BYTES = 4 * 1024 * 1024;

    enum Side {
        CLIENT, TARGET;

        Side other() {
            return this == CLIENT ? TARGET : CLIENT;
        }
    }

    private final ProxyContext context;
    private final Route route;
    private final Channel client;
    private final long startNanos = System.nanoTime();
    private final CountingRecvByteBufAllocator.Sink clientSink = new SideSink(Side.CLIENT);
    private final CountingRecvByteBufAllocator.Sink targetSink = new SideSink(Side.TARGET);

    private InetSocketAddress clientAddress;
    private InetSocketAddress destinationAddress;
    private boolean awaitingProxyHeader;
    private TargetConnector connector;
    private Channel target;
    private Endpoint endpoint;
    private boolean established;
    /** Both sides are plain sockets on epoll: splice(2) can move the bytes. */
    private boolean spliceable;
    private boolean spliced;
    /** A FIN (end of stream) came from that side. */
    private boolean clientFin;
    private boolean targetFin;
    /** The FIN was passed on: to the target, to the client. */
    private boolean upstreamShut;
    private boolean downstreamShut;
    /** After a FIN under splice: reading what the splice left in that side's socket. */
    private boolean drainingClient;
    private boolean drainingTarget;
    private EndReason ended;
    private ArrayDeque<ByteBuf> pendingFromClient;
    private ArrayDeque<ByteBuf> pendingFromTarget;
    private int pendingBytes;
    private long lastActivityNanos = startNanos;
    private long upstreamBytes;
    private long downstreamBytes;
    private long upstreamReported;
    private long downstreamReported;
    private ScheduledFuture<?> timer;

    Connection(ProxyContext context, Route route, Channel client) {
        this.context = context;
        this.route = route;
        this.client = client;
    }

    CountingRecvByteBufAllocator.Sink clientSink() {
        return clientSink;
    }

    CountingRecvByteBufAllocator.Sink targetSink() {
        return targetSink;
    }

    Route route() {
        return route;
    }

    Channel client() {
        return client;
    }

    boolean isEnded() {
        return ended != null;
    }

    /** The client's address: from its PROXY header when one came, else the socket's peer. */
    InetSocketAddress clientAddress() {
        return clientAddress;
    }

    /** The address the client connected to: from its PROXY header when one came, else the listener's. */
    InetSocketAddress destinationAddress() {
        return destinationAddress;
    }

    // ---- setting up ----

    /** The client connected. */
    void clientActive() {
        clientAddress = (InetSocketAddress) client.remoteAddress();
        destinationAddress = (InetSocketAddress) client.localAddress();
        int open = route.metrics().opened();
        context.opened(this);
        int max = route.config().maxConnections();
        if (max > 0 && open > max) {
            context.limitLog().warn("route " + route + ": MAX_CONNECTIONS=" + max
                    + " reached; resetting new connections until some close");
            end(EndReason.LIMIT, true, false);
            return;
        }
        if (route.config().acceptProxy()) {
            // The PROXY header comes before anything else; connecting waits for it.
            awaitingProxyHeader = true;
            armTimer();
            client.read();
            return;
        }
        if (route.config().tls().isPresent()) {
            client.read(); // drives the TLS handshake while the target connects
        }
        connectTarget();
    }

    /** The client's PROXY header arrived. */
    void proxyHeader(HAProxyMessage header) {
        try {
            if (header.command() == HAProxyCommand.PROXY && header.sourceAddress() != null) {
                clientAddress = new InetSocketAddress(header.sourceAddress(), header.sourcePort());
                destinationAddress = new InetSocketAddress(header.destinationAddress(), header.destinationPort());
            }
        } finally {
            header.release();
        }
        if (!awaitingProxyHeader || ended != null) {
            return;
        }
        awaitingProxyHeader = false;
        cancelTimer();
        connectTarget();
    }

    private void connectTarget() {
        if (ended != null) {
            return;
        }
        connector = new TargetConnector(context, this, route, client.eventLoop());
        connector.start();
    }

    /** A target accepted the connection (and finished its TLS handshake, if it speaks TLS). */
    void established(Channel channel, Endpoint e, long connectNanos) {
        connector = null;
        if (ended != null) {
            channel.close();
            return;
        }
        target = channel;
        endpoint = e;
        established = true;
        e.connectionOpened();
        e.target().metrics().connected(connectNanos);
        lastActivityNanos = System.nanoTime();
        flushPending(pendingFromClient, target);
        pendingFromClient = null;
        flushPending(pendingFromTarget, client);
        pendingFromTarget = null;
        pendingBytes = 0;
        reportBytes();
        spliceable = context.splice() != Splice.OFF && route.config().plainOnBothSides(e.target().config());
        if (spliceable && context.splice() == Splice.ON) {
            startSplice();
        } else {
            if (!clientFin) {
                client.config().setAutoRead(true);
            }
            target.config().setAutoRead(true);
        }
        if (clientFin) {
            finFrom(Side.CLIENT);
        }
        armTimer();
    }

    private static void flushPending(ArrayDeque<ByteBuf> pending, Channel to) {
        if (pending == null) {
            return;
        }
        for (ByteBuf b = pending.poll(); b != null; b = pending.poll()) {
            to.write(b, to.voidPromise());
        }
        to.flush();
    }

    /** No target could be connected: the client is reset at once, so it fails fast instead of hanging. */
    void connectFailed() {
        connector = null;
        end(EndReason.NO_TARGET, true, false);
    }

    private void startSplice() {
        spliced = true;
        route.metrics().spliced();
        AbstractEpollStreamChannel c = (AbstractEpollStreamChannel) client;
        AbstractEpollStreamChannel t = (AbstractEpollStreamChannel) target;
        if (!clientFin) {
            c.spliceTo(t, Integer.MAX_VALUE).addListener(spliceFailure(Side.CLIENT));
            client.config().setAutoRead(true);
        }
        t.spliceTo(c, Integer.MAX_VALUE).addListener(spliceFailure(Side.TARGET));
        target.config().setAutoRead(true);
    }

    /**
     * A splice fails when a reset cut it: reading {@code from} failed, or writing to the other side
     * did (which also closed that side's channel). The reset is passed on at once.
     */
    private ChannelFutureListener spliceFailure(Side from) {
        return f -> {
            if (!f.isSuccess() && ended == null) {
                Side culprit = channel(from.other()).isActive() ? from : from.other();
                end(culprit == Side.CLIENT ? EndReason.CLIENT_RESET : EndReason.TARGET_RESET, true, true);
            }
        };
    }

    // ---- bytes ----

    void clientRead(ByteBuf data) {
        if (ended != null) {
            data.release();
        } else if (!established) {
            hold(Side.CLIENT, data);
        } else {
            target.write(data, target.voidPromise());
        }
    }

    void targetRead(ByteBuf data) {
        if (ended != null) {
            data.release();
        } else if (!established) {
            hold(Side.TARGET, data); // a TLS target's first bytes can come before its handshake listener ran
        } else {
            client.write(data, client.voidPromise());
        }
    }

    private void hold(Side from, ByteBuf data) {
        pendingBytes += data.readableBytes();
        if (from == Side.CLIENT) {
            (pendingFromClient == null ? pendingFromClient = new ArrayDeque<>() : pendingFromClient).add(data);
        } else {
            (pendingFromTarget == null ? pendingFromTarget = new ArrayDeque<>() : pendingFromTarget).add(data);
        }
        if (pendingBytes > MAX_PENDING_BYTES) {
            LOG.log(Level.WARNING, "route " + route + ": client " + clientAddress + " sent more than "
                    + MAX_PENDING_BYTES + " bytes before its target was connected; resetting it");
            end(EndReason.ERROR, true, true);
        }
    }

    void readComplete(Side side) {
        // What this read burst brought (the counters were last reported at the previous burst's end).
        long burst = side == Side.CLIENT ? upstreamBytes - upstreamReported : downstreamBytes - downstreamReported;
        reportBytes();
        if (!established || spliced || ended != null) {
            return;
        }
        Channel from = channel(side);
        Channel to = channel(side.other());
        to.flush();
        if (spliceable && !clientFin && !targetFin && burst >= Splice.AUTO_BURST_BYTES
                && upstreamBytes + downstreamBytes >= Splice.AUTO_THRESHOLD_BYTES) {
            // A bulk transfer (SPLICE=auto): from now on the kernel moves the bytes. What was read
            // so far is already queued on the other side, ahead of anything spliced. Small messages
            // stay copied however many there were: a splice costs two calls where a copy costs one.
            startSplice();
            return;
        }
        if (!to.isWritable()) {
            // Backpressure: stop reading until the other side has taken what is queued for it.
            from.config().setAutoRead(false);
        }
    }

    void writabilityChanged(Side side) {
        Channel ch = channel(side);
        if (ended != null || !established || !ch.isWritable()) {
            return;
        }
        Side feeder = side.other();
        if (spliced) {
            if (draining(feeder)) {
                drainAfterFin(feeder);
            }
            return;
        }
        if (!finReceived(feeder)) {
            channel(feeder).config().setAutoRead(true);
        }
    }

    private void counted(Side side, int bytes) {
        lastActivityNanos = System.nanoTime();
        if (side == Side.CLIENT) {
            upstreamBytes += bytes;
        } else {
            downstreamBytes += bytes;
        }
    }

    private void reportBytes() {
        if (!established) {
            return;
        }
        TargetMetrics m = endpoint.target().metrics();
        if (upstreamBytes != upstreamReported) {
            m.upstream(upstreamBytes - upstreamReported);
            upstreamReported = upstreamBytes;
        }
        if (downstreamBytes != downstreamReported) {
            m.downstream(downstreamBytes - downstreamReported);
            downstreamReported = downstreamBytes;
        }
    }

    /** Counts what a side's socket reads, copied or spliced. */
    private final class SideSink implements CountingRecvByteBufAllocator.Sink {
        private final Side side;

        SideSink(Side side) {
            this.side = side;
        }

        @Override
        public void bytesRead(int bytes) {
            counted(side, bytes);
        }

        @Override
        public void readComplete() {
            // reported in readComplete(Side), which also runs for spliced reads
        }
    }

    // ---- half-close ----

    /** A side sent its FIN (or a TLS close_notify): pass it on once all before it is written. */
    void inputShutdown(Side side) {
        if (ended != null || finReceived(side) || side == Side.TARGET && !established) {
            return;
        }
        if (side == Side.CLIENT) {
            clientFin = true;
        } else {
            targetFin = true;
        }
        reportBytes();
        if (!established) {
            return; // passed on when the target is there
        }
        finFrom(side);
        armTimer(); // the half-closed timeouts apply from now
    }

    private boolean finReceived(Side side) {
        return side == Side.CLIENT ? clientFin : targetFin;
    }

    private void finFrom(Side side) {
        if (spliced) {
            spliceFin(side);
        } else {
            passOnFin(side);
        }
    }

    /**
     * Passes a FIN on to the other side once everything before it is written there. The first FIN
     * of a connection half-closes the other side's socket; the second one, with the other
     * direction finished already, ends the connection: closing both sockets sends it.
     */
    private void passOnFin(Side from) {
        Channel to = channel(from.other());
        if (!spliced && !tls(from.other()) && nothingQueued(to)) {
            shutOutput(to, from); // the usual case: what came before the FIN is written already
            return;
        }
        to.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> {
            if (ended != null) {
                return;
            }
            if (!f.isSuccess()) {
                end(from == Side.CLIENT ? EndReason.TARGET_RESET : EndReason.CLIENT_RESET, true, true);
                return;
            }
            SslHandler ssl = to.pipeline().get(SslHandler.class);
            ChannelFuture closeNotify = ssl != null ? ssl.closeOutbound() : null;
            if (closeNotify != null) {
                closeNotify.addListener(c -> shutOutput(to, from));
            } else {
                shutOutput(to, from);
            }
        });
    }

    private boolean tls(Side side) {
        return side == Side.CLIENT ? route.config().tls().isPresent() : endpoint.target().config().tls().isPresent();
    }

    /** Nothing waits in Netty's outbound buffer of {@code ch}: all written to the socket. */
    private static boolean nothingQueued(Channel ch) {
        ChannelOutboundBuffer queue = ch.unsafe().outboundBuffer();
        return queue != null && queue.isEmpty() && queue.totalPendingWriteBytes() == 0;
    }

    private void shutOutput(Channel to, Side from) {
        if (ended != null) {
            return;
        }
        if (from == Side.CLIENT ? downstreamShut : upstreamShut) {
            // Both directions are finished: closing the sockets sends this FIN (nothing is unread
            // on either, so no reset) and saves a shutdown(2) per connection.
            setShut(from);
            end(EndReason.CLOSED, false, false);
            return;
        }
        if (!spliced && to instanceof AbstractEpollStreamChannel && nothingQueued(to)) {
            // What Netty's shutdownOutput() does on epoll, without the exception with a stack trace
            // that it creates for every call (to fail writes that nothing queued here).
            try {
                ((Socket) ((UnixChannel) to).fd()).shutdown(false, true);
            } catch (IOException | RuntimeException e) {
                // a reset or a closed socket: its read or close event ends the connection
            }
            outputShut(to, from);
        } else {
            ((DuplexChannel) to).shutdownOutput().addListener(f -> {
                if (ended == null) {
                    outputShut(to, from);
                }
            });
        }
    }

    /**
     * The FIN from {@code from} was passed on. Unless spliced, {@code to} needs no half-closure
     * from now on: its own FIN makes Netty close its channel, which {@link #inactive} takes as
     * that FIN (Netty's shutdown of an input whose output is shut already fails and throws).
     */
    private void outputShut(Channel to, Side from) {
        setShut(from);
        if (upstreamShut && downstreamShut) {
            end(EndReason.CLOSED, false, false); // both passed on at once (an asynchronous shutdown)
            return;
        }
        if (!spliced && !tls(from.other())) {
            to.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, false);
        }
    }

    private void setShut(Side from) {
        if (from == Side.CLIENT) {
            upstreamShut = true;
        } else {
            downstreamShut = true;
        }
    }

    /**
     * A FIN under splice. Netty stops splicing that socket once it sees the FIN, which can leave
     * bytes in its receive queue when the pipe to the other side was full (a slow reader): those
     * are read here, at the pace the other side takes them, and only then is the FIN passed on.
     */
    private void spliceFin(Side from) {
        Channel src = channel(from);
        Channel dst = channel(from.other());
        src.config().setAutoRead(false);
        // Completes after the bytes already in the pipe were spliced out.
        dst.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> {
            if (ended != null) {
                return;
            }
            if (!f.isSuccess()) {
                end(from == Side.CLIENT ? EndReason.TARGET_RESET : EndReason.CLIENT_RESET, true, true);
                return;
            }
            // A finished splice-out turns reading back on; at end of stream that would spin.
            src.config().setAutoRead(false);
            setDraining(from, true);
            drainAfterFin(from);
        });
    }

    private void drainAfterFin(Side from) {
        Channel src = channel(from);
        Channel dst = channel(from.other());
        FileDescriptor fd = ((UnixChannel) src).fd();
        while (dst.isWritable()) {
            ByteBuf buf = src.alloc().directBuffer(64 * 1024);
            int n;
            try {
                ByteBuffer nio = buf.internalNioBuffer(buf.writerIndex(), buf.writableBytes());
                n = fd.read(nio, nio.position(), nio.limit());
            } catch (IOException e) {
                buf.release();
                end(from == Side.CLIENT ? EndReason.CLIENT_RESET : EndReason.TARGET_RESET, true, true);
                return;
            }
            if (n > 0) {
                if (LOG.isLoggable(Level.DEBUG)) {
                    LOG.log(Level.DEBUG, "route " + route + ": read " + n + " bytes the splice left behind a FIN");
                }
                buf.writerIndex(buf.writerIndex() + n);
                counted(from, n);
                dst.write(buf, dst.voidPromise());
                continue;
            }
            buf.release();
            // End of stream (or nothing at all, which a FIN rules out): everything is passed on.
            if (LOG.isLoggable(Level.DEBUG)) {
                LOG.log(Level.DEBUG, "route " + route + ": " + from.name().toLowerCase(java.util.Locale.ROOT)
                        + " side of " + clientAddress + " at end of stream after splice, passing the FIN on");
            }
            setDraining(from, false);
            reportBytes();
            passOnFin(from);
            return;
        }
        dst.flush();
        reportBytes();
        // continues in writabilityChanged() once dst has taken its queue
    }

    private boolean draining(Side side) {
        return side == Side.CLIENT ? drainingClient : drainingTarget;
    }

    private void setDraining(Side side, boolean on) {
        if (side == Side.CLIENT) {
            drainingClient = on;
        } else {
            drainingTarget = on;
        }
    }

    // ---- timeouts ----

    private long idleLimitNanos() {
        Timeouts t = route.config().timeouts();
        if (!established) {
            return awaitingProxyHeader ? t.connect().toNanos() : 0;
        }
        return clientFin || targetFin ? t.halfClosedIdleNanos() : t.openIdleNanos();
    }

    private void armTimer() {
        cancelTimer();
        long limit = idleLimitNanos();
        if (limit > 0 && ended == null) {
            long since = established ? lastActivityNanos : startNanos;
            long delay = Math.max(0, since + limit - System.nanoTime());
            timer = client.eventLoop().schedule(this::checkIdle, delay, TimeUnit.NANOSECONDS);
        }
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void checkIdle() {
        timer = null;
        long limit = idleLimitNanos();
        if (ended != null || limit == 0) {
            return;
        }
        long since = established ? lastActivityNanos : startNanos;
        long idle = System.nanoTime() - since;
        if (idle < limit) {
            timer = client.eventLoop().schedule(this::checkIdle, limit - idle, TimeUnit.NANOSECONDS);
            return;
        }
        if (!established) {
            end(EndReason.PROXY_HEADER, true, false);
        } else {
            end(clientFin || targetFin ? EndReason.FIN_TIMEOUT : EndReason.IDLE_TIMEOUT, false, false);
        }
    }

    // ---- faults and the end ----

    /** An exception on one side's channel. */
    void failed(Side side, Throwable cause) {
        if (ended != null || side == Side.TARGET && !established) {
            return; // a failing connect attempt: the connector counts it and tries the next address
        }
        if (LOG.isLoggable(Level.DEBUG)) {
            LOG.log(Level.DEBUG, "route " + route + ": " + side.name().toLowerCase(java.util.Locale.ROOT)
                    + " side of " + clientAddress + " failed", cause);
        }
        if (side == Side.CLIENT) {
            if (cause instanceof HAProxyProtocolException
                    || cause instanceof DecoderException && cause.getCause() instanceof HAProxyProtocolException) {
                end(EndReason.PROXY_HEADER, true, true);
            } else if (isTls(cause)) {
                end(established ? EndReason.CLIENT_RESET : EndReason.CLIENT_TLS, true, true);
            } else if (cause instanceof IOException) {
                end(EndReason.CLIENT_RESET, true, true);
            } else {
                LOG.log(Level.WARNING, "route " + route + ": unexpected error on the client side of "
                        + clientAddress, cause);
                end(EndReason.ERROR, true, true);
            }
        } else {
            if (cause instanceof IOException || isTls(cause)) {
                end(EndReason.TARGET_RESET, true, true);
            } else {
                LOG.log(Level.WARNING, "route " + route + ": unexpected error on the target side of "
                        + clientAddress, cause);
                end(EndReason.ERROR, true, true);
            }
        }
    }

    private static boolean isTls(Throwable cause) {
        return cause instanceof SSLException || cause instanceof DecoderException && cause.getCause() instanceof SSLException;
    }

    /** The client's TLS handshake (TLS termination) failed. */
    void clientHandshakeFailed() {
        end(EndReason.CLIENT_TLS, true, true);
    }

    /** A side's channel closed without telling why first: treated as a reset of that side. */
    void inactive(Side side) {
        if (ended == null && (side == Side.CLIENT || established)) {
            if (finPassedTo(side) && !finReceived(side) && !spliced && !tls(side)) {
                // Its FIN, with half-closure off since ours reached it (see outputShut): a reset
                // would have come as an exception first.
                inputShutdown(side);
                return;
            }
            end(side == Side.CLIENT ? EndReason.CLIENT_RESET : EndReason.TARGET_RESET, true, true);
        }
    }

    /** A FIN was passed on to that side: its output is shut. */
    private boolean finPassedTo(Side side) {
        return side == Side.CLIENT ? downstreamShut : upstreamShut;
    }

    /** Closed by the process stopping (after the drain timeout). */
    void shutdown() {
        client.eventLoop().execute(() -> end(EndReason.SHUTDOWN, false, false));
    }

    /**
     * Ends the connection once: closes both sides (with a reset where asked, so the peer sees a
     * failure, not a clean end), updates the meters and writes the connection log line.
     */
    void end(EndReason how, boolean resetClient, boolean resetTarget) {
        if (ended != null) {
            return;
        }
        ended = how;
        cancelTimer();
        if (connector != null) {
            connector.cancel();
            connector = null;
        }
        reportBytes();
        release(pendingFromClient);
        release(pendingFromTarget);
        pendingFromClient = null;
        pendingFromTarget = null;
        close(client, resetClient);
        if (target != null) {
            close(target, resetTarget);
        }
        if (established) {
            endpoint.connectionClosed();
            endpoint.target().metrics().disconnected();
        }
        route.metrics().ended(how);
        context.closed(this);
        ConnectionLog log = context.connectionLog();
        if (log != null) {
            log.ended(route.name(), clientAddress, endpoint == null ? null : endpoint.target().toString(),
                    endpoint == null ? null : endpoint.address(), upstreamBytes, downstreamBytes,
                    System.nanoTime() - startNanos, how);
        }
    }

    private static void release(ArrayDeque<ByteBuf> pending) {
        if (pending != null) {
            pending.forEach(ReferenceCountUtil::safeRelease);
        }
    }

    private static void close(Channel ch, boolean reset) {
        if (reset && ch.isActive()) {
            try {
                // SO_LINGER 0: close() sends a RST instead of a FIN.
                ch.config().setOption(ChannelOption.SO_LINGER, 0);
            } catch (RuntimeException ignored) {
                // closing anyway
            }
        }
        ch.close();
    }

    private Channel channel(Side side) {
        return side == Side.CLIENT ? client : target;
    }
}
