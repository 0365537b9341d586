package dev.podkit.ambassador.proxy;

import dev.podkit.ambassador.config.ProxyProtocol;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import java.net.Inet4Address;
import java.net.InetSocketAddress;

/** The PROXY protocol header for a target: who the client is and which address it connected to. */
final class ProxyHeaders {
    private ProxyHeaders() {
    }

    static HAProxyMessage of(ProxyProtocol version, InetSocketAddress source, InetSocketAddress destination) {
        HAProxyProtocolVersion v = version == ProxyProtocol.V1 ? HAProxyProtocolVersion.V1 : HAProxyProtocolVersion.V2;
        boolean srcV4 = source.getAddress() instanceof Inet4Address;
        boolean dstV4 = destination.getAddress() instanceof Inet4Address;
        String src = source.getAddress().getHostAddress();
        String dst = destination.getAddress().getHostAddress();
        if (srcV4 && dstV4) {
            return new HAProxyMessage(v, HAProxyCommand.PROXY, HAProxyProxiedProtocol.TCP4, src, dst,
                    source.getPort(), destination.getPort());
        }
        // One header holds one family: an IPv4 address next to an IPv6 one is written IPv4-mapped.
        return new HAProxyMessage(v, HAProxyCommand.PROXY, HAProxyProxiedProtocol.TCP6,
                srcV4 ? "::ffff:" + src : stripScope(src), dstV4 ? "::ffff:" + dst : stripScope(dst),
                source.getPort(), destination.getPort());
    }

    private static String stripScope(String v6) {
        int percent = v6.indexOf('%');
        return percent < 0 ? v6 : v6.substring(0, percent);
    }
}
