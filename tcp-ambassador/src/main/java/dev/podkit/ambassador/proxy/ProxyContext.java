package dev.podkit.ambassador.proxy;

import dev.podkit.ambassador.config.Splice;
import dev.podkit.ambassador.config.TargetConfig;
import dev.podkit.ambassador.resolve.TargetResolver;
import dev.podkit.ambassador.route.Target;
import dev.podkit.runtime.net.Transport;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.nio.NioChannelOption;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.unix.Socket;
import io.netty.channel.unix.UnixChannel;
import io.netty.channel.uring.IoUringChannelOption;
import io.netty.channel.uring.IoUringSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * What all connections share: the transport, DNS, TLS contexts, socket options, the connection
 * log and the set of open connections (for the SIGTERM drain).
 */
public final class ProxyContext {
    private static final System.Logger LOG = System.getLogger(ProxyContext.class.getName());

    /** Read sizes adapt between these; the largest is also the most one splice(2) call moves. */
    static final RecvByteBufAllocator READ_SIZES = new AdaptiveRecvByteBufAllocator(512, 16 * 1024, 128 * 1024);

    private static final int KEEPALIVE_INTERVAL_SECONDS = 10;
    private static final int KEEPALIVE_PROBES = 6;
    /** Linux's numbers (netinet/tcp.h), for setsockopt(2) on an epoll listening socket. */
    private static final int IPPROTO_TCP = 6;
    private static final int TCP_KEEPIDLE = 4;
    private static final int TCP_KEEPINTVL = 5;
    private static final int TCP_KEEPCNT = 6;

    private final Transport transport;
    private final TargetResolver resolver;
    private final Splice splice;
    private final ConnectionLog connectionLog;
    private final Duration keepAlive;
    private final Map<TargetConfig, Supplier<SslContext>> targetTls;
    private final Set<Connection> open = ConcurrentHashMap.newKeySet();
    private final RateLimitedLog limitLog = new RateLimitedLog(LOG, TimeUnit.SECONDS.toNanos(10));
    private final RateLimitedLog fdLog = new RateLimitedLog(LOG, TimeUnit.SECONDS.toNanos(10));
    private volatile CompletableFuture<Void> drained;

    public ProxyContext(Transport transport, TargetResolver resolver, Splice splice, ConnectionLog connectionLog,
            Duration keepAlive, Map<TargetConfig, Supplier<SslContext>> targetTls) {
        this.transport = transport;
        this.resolver = resolver;
        this.splice = transport == Transport.EPOLL ? splice : Splice.OFF;
        this.connectionLog = connectionLog;
        this.keepAlive = keepAlive;
        this.targetTls = Map.copyOf(targetTls);
    }

    public Transport transport() {
        return transport;
    }

    /** The event loops of the listeners and their connections. */
    public EventLoopGroup newEventLoopGroup(int threads) {
        if (transport == Transport.EPOLL) {
            return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory("ambassador", true),
                    KeepRegisteredEpollIoHandler.newFactory());
        }
        return transport.newGroup(threads, "ambassador");
    }

    TargetResolver resolver() {
        return resolver;
    }

    /** When plain connections move their bytes with splice(2): never without epoll. */
    public Splice splice() {
        return splice;
    }

    ConnectionLog connectionLog() {
        return connectionLog;
    }

    RateLimitedLog limitLog() {
        return limitLog;
    }

    public RateLimitedLog fdLog() {
        return fdLog;
    }

    /**
     * The socket options of both sides of a proxied connection. TCP_NODELAY is not set here:
     * Netty's socket channels of every transport turn it on when they are created.
     */
    public void applySocketOptions(ChannelConfig config) {
        applySocketOptions(config, false);
    }

    /**
     * The socket options of a client channel accepted by a listener that went through {@link
     * #applyListenerOptions}: on epoll its socket inherited the keepalive options from the listening
     * socket (Linux copies them at accept), which saves four setsockopt(2) per connection.
     */
    void applyAcceptedSocketOptions(ChannelConfig config) {
        applySocketOptions(config, transport == Transport.EPOLL);
    }

    private void applySocketOptions(ChannelConfig config, boolean keepAliveInherited) {
        config.setAutoRead(false);
        config.setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
        if (!keepAlive.isZero() && !keepAliveInherited) {
            config.setOption(ChannelOption.SO_KEEPALIVE, true);
            int idle = keepAliveIdleSeconds();
            switch (transport) {
                case EPOLL -> {
                    config.setOption(EpollChannelOption.TCP_KEEPIDLE, idle);
                    config.setOption(EpollChannelOption.TCP_KEEPINTVL, KEEPALIVE_INTERVAL_SECONDS);
                    config.setOption(EpollChannelOption.TCP_KEEPCNT, KEEPALIVE_PROBES);
                }
                case IO_URING -> {
                    config.setOption(IoUringChannelOption.TCP_KEEPIDLE, idle);
                    config.setOption(IoUringChannelOption.TCP_KEEPINTVL, KEEPALIVE_INTERVAL_SECONDS);
                    config.setOption(IoUringChannelOption.TCP_KEEPCNT, KEEPALIVE_PROBES);
                }
                case NIO -> {
                    config.setOption(NioChannelOption.of(jdk.net.ExtendedSocketOptions.TCP_KEEPIDLE), idle);
                    config.setOption(NioChannelOption.of(jdk.net.ExtendedSocketOptions.TCP_KEEPINTERVAL),
                            KEEPALIVE_INTERVAL_SECONDS);
                    config.setOption(NioChannelOption.of(jdk.net.ExtendedSocketOptions.TCP_KEEPCOUNT), KEEPALIVE_PROBES);
                }
            }
        }
    }

    /**
     * Sets the keepalive options on a bound epoll listening socket, for its accepted sockets to
     * inherit (see {@link #applyAcceptedSocketOptions}); nothing on the other transports.
     */
    void applyListenerOptions(Channel server) throws IOException {
        if (transport != Transport.EPOLL || keepAlive.isZero()) {
            return;
        }
        Socket socket = (Socket) ((UnixChannel) server).fd();
        socket.setKeepAlive(true);
        socket.setIntOpt(IPPROTO_TCP, TCP_KEEPIDLE, keepAliveIdleSeconds());
        socket.setIntOpt(IPPROTO_TCP, TCP_KEEPINTVL, KEEPALIVE_INTERVAL_SECONDS);
        socket.setIntOpt(IPPROTO_TCP, TCP_KEEPCNT, KEEPALIVE_PROBES);
    }

    private int keepAliveIdleSeconds() {
        return (int) Math.max(1, Math.min(32767, keepAlive.toSeconds()));
    }

    /**
     * A new, unregistered channel for one connect attempt to {@code target}, its pipeline set up.
     * Throws when no socket can be had (out of file descriptors).
     */
    Channel newTargetChannel(Connection connection, Target target, Duration connectTimeout) {
        Channel ch = switch (transport) {
            case EPOLL -> new EpollSocketChannel();
            case IO_URING -> new IoUringSocketChannel();
            case NIO -> new NioSocketChannel();
        };
        Supplier<SslContext> tls = targetTls.get(target.config());
        try {
            BackendPipeline.setUp(this, ch, connection, target.config(), tls == null ? null : tls.get(), connectTimeout);
        } catch (RuntimeException e) {
            ch.unsafe().closeForcibly();
            throw e;
        }
        return ch;
    }

    void opened(Connection c) {
        open.add(c);
    }

    void closed(Connection c) {
        open.remove(c);
        CompletableFuture<Void> d = drained;
        if (d != null && open.isEmpty()) {
            d.complete(null);
        }
    }

    public int openConnections() {
        return open.size();
    }

    /** Completes once no connection is open any more (new ones must already be refused). */
    public CompletableFuture<Void> drain() {
        CompletableFuture<Void> d = new CompletableFuture<>();
        drained = d;
        if (open.isEmpty()) {
            d.complete(null);
        }
        return d;
    }

    /** Ends every connection still open (after the drain timeout). */
    public void closeAll() {
        for (Connection c : open) {
            c.shutdown();
        }
    }
}
