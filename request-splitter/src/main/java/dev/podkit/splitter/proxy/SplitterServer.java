package dev.podkit.splitter.proxy;

import dev.podkit.runtime.net.Transport;
import dev.podkit.splitter.config.SplitterConfig;
import dev.podkit.splitter.metrics.SplitterMetrics;
import dev.podkit.splitter.mirror.MirrorPolicy;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP side of the splitter: the listening socket, the client connections, the upstream pool
 * and the configuration they all read. A new configuration is swapped in atomically; requests in
 * flight finish with the one they started with, and no connection is dropped.
 */
public final class SplitterServer implements ProxyContext, AutoCloseable {
    private final Transport transport;
    private final EventLoopGroup group;
    private final UpstreamPool pool;
    private final SplitterMetrics metrics;
    private final MirrorPolicy mirrorPolicy = new MirrorPolicy();
    private final ChannelGroup clients = new DefaultChannelGroup("splitter-clients", GlobalEventExecutor.INSTANCE);
    private volatile Snapshot snapshot;
    private volatile boolean draining;
    private volatile Channel server;

    public SplitterServer(Transport transport, int threads, SplitterConfig config, SplitterMetrics metrics) {
        this.transport = transport;
        this.metrics = metrics;
        this.group = transport.newGroup(threads, "splitter");
        this.pool = new UpstreamPool(transport);
        metrics.mirrorInFlight(mirrorPolicy::inFlight);
        apply(config);
    }

    /** Makes {@code config} the one new requests use. */
    public void apply(SplitterConfig config) {
        pool.configure(config.timeouts().connect(), config.upstreamKeepalive(), config.timeouts().upstreamIdle());
        snapshot = new Snapshot(config);
        metrics.configApplied();
    }

    public SplitterConfig config() {
        return snapshot.config;
    }

    /** Binds the listening socket; returns the bound address. */
    public InetSocketAddress start() throws InterruptedException {
        SplitterConfig config = snapshot.config;
        ServerBootstrap b = new ServerBootstrap()
                .group(group)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.AUTO_READ, false)
                .childHandler(new FrontendInitializer(this, clients));
        server = b.bind(config.listenAddress(), config.listenPort()).sync().channel();
        return (InetSocketAddress) server.localAddress();
    }

    /**
     * Stops accepting connections; idle keep-alive connections close now, busy ones after their
     * current response (which says {@code Connection: close}). Completes when all are closed.
     */
    public CompletableFuture<Void> drain() {
        draining = true;
        Channel s = server;
        if (s != null) {
            s.close();
        }
        for (Channel c : clients) {
            FrontendHandler handler = c.pipeline().get(FrontendHandler.class);
            if (handler != null) {
                c.eventLoop().execute(handler::drain);
            }
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        GlobalEventExecutor.INSTANCE.scheduleAtFixedRate(() -> {
            if (clients.isEmpty()) {
                done.complete(null);
            }
        }, 0, 50, TimeUnit.MILLISECONDS);
        return done;
    }

    @Override
    public void close() {
        Channel s = server;
        if (s != null) {
            s.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
        clients.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        pool.close();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    public Transport transport() {
        return transport;
    }

    @Override
    public UpstreamPool pool() {
        return pool;
    }

    @Override
    public SplitterMetrics metrics() {
        return metrics;
    }

    @Override
    public MirrorPolicy mirrorPolicy() {
        return mirrorPolicy;
    }

    @Override
    public Snapshot snapshot() {
        return snapshot;
    }

    @Override
    public boolean draining() {
        return draining;
    }
}
