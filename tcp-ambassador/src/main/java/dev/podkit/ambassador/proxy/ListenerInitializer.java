package dev.podkit.ambassador.proxy;

import dev.podkit.ambassador.route.Route;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import java.util.function.Supplier;

/** Sets up each accepted client channel: PROXY header decoder, TLS termination, then the frontend handler. */
final class ListenerInitializer extends ChannelInitializer<Channel> {
    private final ProxyContext context;
    private final Route route;
    private final Supplier<SslContext> tls;

    ListenerInitializer(ProxyContext context, Route route, Supplier<SslContext> tls) {
        this.context = context;
        this.route = route;
        this.tls = tls;
    }

    @Override
    protected void initChannel(Channel ch) {
        Connection connection = new Connection(context, route, ch);
        context.applyAcceptedSocketOptions(ch.config());
        ch.config().setRecvByteBufAllocator(
                new CountingRecvByteBufAllocator(ProxyContext.READ_SIZES, connection.clientSink()));
        ChannelPipeline p = ch.pipeline();
        if (route.config().acceptProxy()) {
            // The PROXY header precedes the TLS handshake, as HAProxy sends it.
            p.addLast(new HAProxyMessageDecoder());
        }
        if (tls != null) {
            SslHandler ssl = tls.get().newHandler(ch.alloc());
            ssl.setHandshakeTimeoutMillis(route.config().timeouts().connect().toMillis());
            p.addLast(ssl);
        }
        p.addLast(new FrontendHandler(connection));
    }
}
