package dev.podkit.runtime.admin;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.ReadTimeoutHandler;
import java.util.concurrent.TimeUnit;

/** The admin connection's pipeline: small HTTP/1.1 limits, an idle timeout, then the router. */
final class AdminInitializer extends ChannelInitializer<SocketChannel> {
    /** Probes and scrapes send no bodies; anything larger is refused by the aggregator (413). */
    private static final int MAX_BODY = 8 * 1024;
    private static final int IDLE_SECONDS = 60;

    private final AdminHandler handler;

    AdminInitializer(AdminHandler handler) {
        this.handler = handler;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        ch.pipeline()
                .addLast(new ReadTimeoutHandler(IDLE_SECONDS, TimeUnit.SECONDS))
                .addLast(new HttpServerCodec(4096, 8192, 8192))
                .addLast(new HttpObjectAggregator(MAX_BODY))
                .addLast(handler);
    }
}
