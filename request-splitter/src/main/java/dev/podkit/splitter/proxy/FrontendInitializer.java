package dev.podkit.splitter.proxy;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.flow.FlowControlHandler;

/**
 * The client side's pipeline: strict request decoder, one message per read, the frontend. Responses
 * are written as bytes (the upstream's head checked and rewritten, see {@link ResponseReader}).
 */
final class FrontendInitializer extends ChannelInitializer<SocketChannel> {
    static final int MAX_INITIAL_LINE = 8 * 1024;
    static final int MAX_HEADER_SIZE = 32 * 1024;
    static final int MAX_CHUNK = 64 * 1024;

    private final ProxyContext proxy;
    private final ChannelGroup clients;

    FrontendInitializer(ProxyContext proxy, ChannelGroup clients) {
        this.proxy = proxy;
        this.clients = clients;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        clients.add(ch);
        ChannelPipeline p = ch.pipeline();
        p.addLast("decoder", new StrictRequestDecoder(MAX_INITIAL_LINE, MAX_HEADER_SIZE, MAX_CHUNK));
        p.addLast("flow", new FlowControlHandler());
        p.addLast("frontend", new FrontendHandler(proxy));
    }
}
