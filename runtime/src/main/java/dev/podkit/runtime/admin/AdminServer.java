package dev.podkit.runtime.admin;

import dev.podkit.runtime.health.Health;
import dev.podkit.runtime.metrics.Metrics;
import dev.podkit.runtime.net.Transport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The admin HTTP server every helper runs on {@code ADMIN_ADDRESS:ADMIN_PORT}: {@code /healthz},
 * {@code /readyz}, {@code /metrics}, plus routes a helper adds. It has its own single event-loop
 * thread, so probes answer even while the helper's own loops are saturated.
 */
public final class AdminServer implements AutoCloseable {
    /** A route and whether it is cheap enough to answer on the event loop. */
    record Registered(AdminRoute route, boolean inline) {
    }

    private final Map<String, Registered> routes = new ConcurrentHashMap<>();
    private final ThreadPoolExecutor worker = new ThreadPoolExecutor(1, 2, 30, TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(32), new DefaultThreadFactory("podkit-admin-worker", true));
    private final Transport transport;
    private final EventLoopGroup group;
    private volatile Channel channel;

    public AdminServer(Health health, Metrics metrics) {
        this(health, metrics, Transport.select(Transport.Choice.AUTO));
    }

    public AdminServer(Health health, Metrics metrics, Transport transport) {
        this.transport = transport;
        this.group = transport.newGroup(1, "podkit-admin");
        routes.put("/healthz", new Registered(request -> probe(health.liveness()), true));
        routes.put("/readyz", new Registered(request -> probe(health.readiness()), true));
        routes.put("/metrics", new Registered(request -> {
            Metrics.Scrape scrape = metrics.scrape(request.accept());
            return new AdminResponse(200, scrape.contentType(), scrape.body());
        }, false));
    }

    private static AdminResponse probe(Health.Status status) {
        return AdminResponse.text(status.ok() ? 200 : 503, status.detail());
    }

    /** Adds (or replaces) a route; it runs on the admin worker thread and may block. */
    public void route(String path, AdminRoute route) {
        routes.put(path, new Registered(route, false));
    }

    /** Binds and starts serving; returns the bound address (port 0 picks a free port). */
    public InetSocketAddress start(String address, int port) throws InterruptedException {
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new AdminInitializer(new AdminHandler(routes::get, worker)));
        channel = bootstrap.bind(address, port).sync().channel();
        return (InetSocketAddress) channel.localAddress();
    }

    /** The Netty transport the admin server runs on (epoll where the native library loads). */
    public Transport transport() {
        return transport;
    }

    @Override
    public void close() {
        Channel c = channel;
        if (c != null) {
            c.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
        worker.shutdownNow();
    }
}
