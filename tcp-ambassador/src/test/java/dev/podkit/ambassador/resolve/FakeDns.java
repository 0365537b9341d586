package dev.podkit.ambassador.resolve;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.dns.DatagramDnsQuery;
import io.netty.handler.codec.dns.DatagramDnsQueryDecoder;
import io.netty.handler.codec.dns.DatagramDnsResponse;
import io.netty.handler.codec.dns.DatagramDnsResponseEncoder;
import io.netty.handler.codec.dns.DefaultDnsRawRecord;
import io.netty.handler.codec.dns.DnsQuestion;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.netty.handler.codec.dns.DnsSection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** A DNS server on loopback answering A queries for one name, with addresses and a TTL the test changes. */
final class FakeDns implements AutoCloseable {
    private final String name;
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel channel;
    private final AtomicInteger queries = new AtomicInteger();
    private volatile List<InetAddress> addresses = List.of();
    private volatile int ttlSeconds = 1;

    FakeDns(String name) throws InterruptedException {
        this.name = name;
        channel = new Bootstrap().group(group).channel(NioDatagramChannel.class)
                .handler(new ChannelInitializer<NioDatagramChannel>() {
                    @Override
                    protected void initChannel(NioDatagramChannel ch) {
                        ch.pipeline().addLast(new DatagramDnsQueryDecoder(), new DatagramDnsResponseEncoder(),
                                new SimpleChannelInboundHandler<DatagramDnsQuery>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, DatagramDnsQuery query) {
                                        ctx.writeAndFlush(answer(query));
                                    }
                                });
                    }
                })
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).sync().channel();
    }

    private DatagramDnsResponse answer(DatagramDnsQuery query) {
        DnsQuestion q = query.recordAt(DnsSection.QUESTION);
        DatagramDnsResponse response = new DatagramDnsResponse(query.recipient(), query.sender(), query.id());
        response.addRecord(DnsSection.QUESTION, q);
        String asked = q.name().endsWith(".") ? q.name().substring(0, q.name().length() - 1) : q.name();
        if (!asked.equalsIgnoreCase(name)) {
            response.setCode(DnsResponseCode.NXDOMAIN);
        } else if (q.type() == DnsRecordType.A) {
            queries.incrementAndGet();
            for (InetAddress a : addresses) {
                response.addRecord(DnsSection.ANSWER, new DefaultDnsRawRecord(q.name(), DnsRecordType.A, ttlSeconds,
                        Unpooled.wrappedBuffer(a.getAddress())));
            }
        }
        return response;
    }

    int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    void answer(int ttlSeconds, InetAddress... addresses) {
        this.ttlSeconds = ttlSeconds;
        this.addresses = List.of(addresses);
    }

    int queries() {
        return queries.get();
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS);
    }
}
