package dev.podkit.ambassador.health;

import dev.podkit.ambassador.config.HealthCheck;
import dev.podkit.ambassador.resolve.TargetResolver;
import dev.podkit.ambassador.route.Endpoint;
import dev.podkit.ambassador.route.Route;
import dev.podkit.ambassador.route.Target;
import dev.podkit.runtime.net.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.resolver.NoopAddressResolverGroup;
import java.net.InetAddress;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Active TCP health checks of one route: every interval, the targets' names are looked up again
 * and each address gets a connect (closed at once); {@code fall} failures in a row mark it down,
 * {@code rise} successes up. A TLS target is checked at the TCP level only.
 */
public final class HealthChecker implements AutoCloseable {
    private final Route route;
    private final HealthCheck config;
    private final EventLoop loop;
    private final Transport transport;
    private final TargetResolver resolver;
    private final Set<Endpoint> inFlight = new HashSet<>();
    private ScheduledFuture<?> schedule;

    public HealthChecker(Route route, EventLoop loop, Transport transport, TargetResolver resolver) {
        this.route = route;
        this.config = route.config().healthCheck();
        this.loop = loop;
        this.transport = transport;
        this.resolver = resolver;
    }

    public void start() {
        long interval = config.interval().toNanos();
        schedule = loop.scheduleWithFixedDelay(this::round, 0, interval, TimeUnit.NANOSECONDS);
    }

    private void round() {
        for (Target target : route.targets()) {
            resolver.resolveAll(loop, target.config().address().host()).addListener(done -> {
                if (done.isSuccess()) {
                    @SuppressWarnings("unchecked")
                    List<InetAddress> addresses = (List<InetAddress>) done.getNow();
                    target.update(addresses);
                } else {
                    target.resolveFailed(String.valueOf(done.cause().getMessage()));
                }
                for (Endpoint e : target.endpoints()) {
                    check(e);
                }
            });
        }
    }

    private void check(Endpoint endpoint) {
        if (!inFlight.add(endpoint)) {
            return; // the previous check of this address has not finished yet
        }
        new Bootstrap()
                .group(loop)
                .channel(transport.socketChannel())
                .resolver(NoopAddressResolverGroup.INSTANCE)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, config.timeout().toMillis()))
                .option(ChannelOption.AUTO_READ, false)
                .handler(new ChannelInboundHandlerAdapter())
                .connect(endpoint.address())
                .addListener(f -> {
                    inFlight.remove(endpoint);
                    if (f.isSuccess()) {
                        endpoint.checked(true, config, "connected");
                        ((io.netty.channel.ChannelFuture) f).channel().close();
                    } else {
                        endpoint.checked(false, config, String.valueOf(f.cause().getMessage()));
                    }
                });
    }

    @Override
    public void close() {
        if (schedule != null) {
            schedule.cancel(false);
        }
    }
}
