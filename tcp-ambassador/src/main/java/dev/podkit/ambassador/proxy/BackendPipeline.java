package dev.podkit.ambassador.proxy;

import dev.podkit.ambassador.config.ClientTls;
import dev.podkit.ambassador.config.HostPort;
import dev.podkit.ambassador.config.ProxyProtocol;
import dev.podkit.ambassador.config.TargetConfig;
import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.haproxy.HAProxyMessageEncoder;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/**
 * Sets up a target channel before it is registered: PROXY header (before anything, TLS included),
 * TLS origination, then the backend handler. Done directly rather than by a ChannelInitializer,
 * which a connection per second more would pay for in handler bookkeeping.
 */
final class BackendPipeline {
    private BackendPipeline() {
    }

    static void setUp(ProxyContext context, Channel ch, Connection connection, TargetConfig target, SslContext tls,
            Duration connectTimeout) {
        context.applySocketOptions(ch.config());
        ch.config().setConnectTimeoutMillis((int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()));
        ch.config().setRecvByteBufAllocator(
                new CountingRecvByteBufAllocator(ProxyContext.READ_SIZES, connection.targetSink()));
        ChannelPipeline p = ch.pipeline();
        if (target.sendProxy() != ProxyProtocol.OFF) {
            p.addLast(HAProxyMessageEncoder.INSTANCE); // sends the header, see sendProxyHeader()
        }
        if (tls != null) {
            ClientTls config = target.tls().orElseThrow();
            String host = config.serverName().orElse(target.address().host());
            SslHandler ssl = tls.newHandler(ch.alloc(), host, target.address().port());
            if (!HostPort.isIpLiteral(host)) {
                // The JDK sends SNI only for names with a dot; Kubernetes service names often have none.
                SSLEngine engine = ssl.engine();
                SSLParameters params = engine.getSSLParameters();
                params.setServerNames(List.of(new SNIHostName(host)));
                engine.setSSLParameters(params);
            }
            ssl.setHandshakeTimeoutMillis(connectTimeout.toMillis());
            p.addLast(ssl);
        }
        p.addLast(new BackendHandler(connection));
    }

    /**
     * Writes the PROXY header as the first bytes of a just connected channel: called from the
     * connect listener, which runs before channelActive, where a TLS handshake would start.
     */
    static void sendProxyHeader(Channel ch, TargetConfig target, Connection connection) {
        ChannelPipeline p = ch.pipeline();
        if (target.sendProxy() == ProxyProtocol.OFF || p.get(HAProxyMessageEncoder.class) == null) {
            return;
        }
        // Written from the handler after the encoder, so that it passes the encoder but not the TLS handler.
        List<String> names = p.names();
        String after = names.get(names.indexOf(p.context(HAProxyMessageEncoder.INSTANCE).name()) + 1);
        p.context(after).writeAndFlush(ProxyHeaders.of(target.sendProxy(), connection.clientAddress(),
                connection.destinationAddress()));
        p.remove(HAProxyMessageEncoder.INSTANCE);
    }

}
