package dev.podkit.ambassador.proxy;

import dev.podkit.ambassador.config.HostPort;
import dev.podkit.ambassador.route.Route;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** One listening socket and the route its connections take. */
public final class Listener {
    private final ProxyContext context;
    private final Route route;
    private final Supplier<SslContext> tls;
    private volatile Channel channel;

    public Listener(ProxyContext context, Route route, Supplier<SslContext> tls) {
        this.context = context;
        this.route = route;
        this.tls = tls;
    }

    /** Binds; throws a {@link BindException} whose message says what to do about it. */
    public InetSocketAddress bind(EventLoopGroup group) throws Exception {
        HostPort listen = route.config().listen();
        String host = listen.host().isEmpty() ? "0.0.0.0" : listen.host();
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channel(context.transport().serverChannel())
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(ChannelOption.SO_BACKLOG, 4096)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel server) throws IOException {
                        context.applyListenerOptions(server); // before bind: every accepted socket inherits them
                        server.pipeline().addLast(new AcceptErrors());
                    }
                })
                .childHandler(new ListenerInitializer(context, route, tls));
        try {
            channel = bootstrap.bind(host, listen.port()).sync().channel();
        } catch (Exception e) {
            String why = String.valueOf(e.getMessage());
            String hint = why.toLowerCase(Locale.ROOT).contains("permission denied") && listen.port() < 1024
                    ? "; ports below 1024 need the sysctl net.ipv4.ip_unprivileged_port_start=0 (docker run --sysctl, or the pod's securityContext.sysctls)"
                    : "";
            throw new BindException("route " + route + " cannot listen on " + listen + ": " + why + hint);
        }
        return (InetSocketAddress) channel.localAddress();
    }

    public Route route() {
        return route;
    }

    /** Stops accepting; connections already open stay. */
    public void close() {
        Channel c = channel;
        if (c != null) {
            c.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
    }

    /**
     * Accept failures, mostly "Too many open files": one warning per 10 s, and a short pause in
     * accepting (the pending connections wait in the backlog) so the loop does not spin on them.
     */
    private final class AcceptErrors extends ChannelInboundHandlerAdapter {
        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            String why = String.valueOf(cause.getMessage());
            if (cause instanceof IOException && why.toLowerCase(Locale.ROOT).contains("too many open files")) {
                context.fdLog().warn("route " + route + ": out of file descriptors, cannot accept new connections ("
                        + why + "); open connections keep working; raise the container's nofile limit or lower MAX_CONNECTIONS");
            } else {
                context.fdLog().warn("route " + route + ": accepting a connection failed: " + why);
            }
            Channel server = ctx.channel();
            server.config().setAutoRead(false);
            server.eventLoop().schedule(() -> server.config().setAutoRead(true), 250, TimeUnit.MILLISECONDS);
        }
    }
}
