package dev.podkit.runtime.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podkit.runtime.config.ConfigException;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class TransportTest {

    @ParameterizedTest
    @EnumSource(Transport.class)
    void everyAvailableTransportCarriesBytesAndUnavailableOnesAreAConfigError(Transport transport) throws Exception {
        Transport.Choice choice = Transport.Choice.valueOf(transport.name());
        if (!transport.isAvailable()) {
            ConfigException e = assertThrows(ConfigException.class, () -> Transport.select(choice));
            assertTrue(e.getMessage().startsWith("config error: TRANSPORT: " + transport.displayName() + " is not available here: "),
                    e.getMessage());
            return;
        }
        assertEquals(transport, Transport.select(choice));
        EventLoopGroup group = transport.newGroup(1, "test-" + transport.displayName());
        try {
            Channel server = new ServerBootstrap().group(group).channel(transport.serverChannel())
                    .childHandler(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                            ctx.writeAndFlush(msg); // echo
                        }
                    }).bind("127.0.0.1", 0).sync().channel();
            CompletableFuture<String> echoed = new CompletableFuture<>();
            Channel client = new Bootstrap().group(group).channel(transport.socketChannel())
                    .handler(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                            ByteBuf buf = (ByteBuf) msg;
                            echoed.complete(buf.toString(StandardCharsets.UTF_8));
                            buf.release();
                        }
                    }).connect(server.localAddress()).sync().channel();
            client.writeAndFlush(Unpooled.copiedBuffer("ping", StandardCharsets.UTF_8));
            assertEquals("ping", echoed.get(10, TimeUnit.SECONDS));
            client.close().sync();
            server.close().sync();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void autoPrefersEpollThenIoUringThenNio(Transport ignored) {
        Transport auto = Transport.select(Transport.Choice.AUTO);
        Transport expected = Transport.EPOLL.isAvailable() ? Transport.EPOLL
                : Transport.IO_URING.isAvailable() ? Transport.IO_URING : Transport.NIO;
        assertEquals(expected, auto);
        if (System.getProperty("os.name").toLowerCase().contains("linux")) {
            assertEquals(Transport.EPOLL, auto, "epoll loads on Linux: " + Transport.EPOLL.unavailabilityCause());
        }
    }
}
