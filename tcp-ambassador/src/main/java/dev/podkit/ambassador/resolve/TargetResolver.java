package dev.podkit.ambassador.resolve;

import dev.podkit.ambassador.config.HostPort;
import dev.podkit.runtime.net.Transport;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.uring.IoUringDatagramChannel;
import io.netty.resolver.dns.DefaultDnsCache;
import io.netty.resolver.dns.DefaultDnsCnameCache;
import io.netty.resolver.dns.DnsNameResolver;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.resolver.dns.DnsServerAddressStreamProviders;
import io.netty.resolver.dns.SequentialDnsServerAddressStreamProvider;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.Future;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Non-blocking DNS for target names, with one cache shared by all event loops that keeps each
 * answer for its TTL (at most {@code DNS_MAX_TTL}). Names are looked up per connection, so a
 * changed address is used as soon as the cached answer expires, or at once after a connect to
 * the old address failed ({@link #forget}). {@code /etc/hosts}, {@code /etc/resolv.conf}'s
 * servers, search domains and ndots apply as for any program in the pod.
 */
public final class TargetResolver implements AutoCloseable {
    private final DnsNameResolverBuilder template;
    private final DefaultDnsCache cache;
    private final Map<EventLoop, DnsNameResolver> resolvers = new ConcurrentHashMap<>();

    @SuppressWarnings("unchecked")
    public TargetResolver(Transport transport, List<HostPort> nameservers, Duration maxTtl, Duration negativeTtl,
            Duration queryTimeout) {
        int max = (int) Math.max(0, Math.min(Integer.MAX_VALUE, maxTtl.toSeconds()));
        int negative = (int) Math.max(0, Math.min(Integer.MAX_VALUE, negativeTtl.toSeconds()));
        this.cache = new DefaultDnsCache(0, max, negative);
        this.template = new DnsNameResolverBuilder()
                .datagramChannelType(datagramChannel(transport))
                .socketChannelType((Class<? extends SocketChannel>) transport.socketChannel())
                .resolveCache(cache)
                .cnameCache(new DefaultDnsCnameCache(0, max))
                .queryTimeoutMillis(Math.max(100, queryTimeout.toMillis()))
                .consolidateCacheSize(256)
                .nameServerProvider(nameservers.isEmpty() ? DnsServerAddressStreamProviders.platformDefault()
                        : new SequentialDnsServerAddressStreamProvider(nameservers.stream()
                                .map(h -> new InetSocketAddress(NetUtil.createInetAddressFromIpAddressString(h.host()), h.port()))
                                .toArray(InetSocketAddress[]::new)));
    }

    private static Class<? extends DatagramChannel> datagramChannel(Transport transport) {
        return switch (transport) {
            case EPOLL -> EpollDatagramChannel.class;
            case IO_URING -> IoUringDatagramChannel.class;
            case NIO -> NioDatagramChannel.class;
        };
    }

    /** All addresses of {@code host} (A and AAAA), on {@code loop}; from the cache when fresh. */
    public Future<List<InetAddress>> resolveAll(EventLoop loop, String host) {
        if (HostPort.isIpLiteral(host)) {
            return loop.newSucceededFuture(List.of(NetUtil.createInetAddressFromIpAddressString(host)));
        }
        return resolvers.computeIfAbsent(loop, l -> template.copy().eventLoop(l).build()).resolveAll(host);
    }

    /** Drops the cached answer for {@code host}, e.g. after a connect to one of its addresses failed. */
    public void forget(String host) {
        if (!HostPort.isIpLiteral(host)) {
            cache.clear(host);
        }
    }

    @Override
    public void close() {
        resolvers.values().forEach(DnsNameResolver::close);
        resolvers.clear();
        cache.clear();
    }
}
