package dev.podkit.ambassador.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;

/** The client side of a {@link Connection}: hands every event of the client's channel to it. */
final class FrontendHandler extends ChannelInboundHandlerAdapter {
    private final Connection connection;

    FrontendHandler(Connection connection) {
        this.connection = connection;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        connection.clientActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf data) {
            connection.clientRead(data);
        } else if (msg instanceof HAProxyMessage header) {
            connection.proxyHeader(header);
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        connection.readComplete(Connection.Side.CLIENT);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            connection.inputShutdown(Connection.Side.CLIENT);
        } else if (evt instanceof SslHandshakeCompletionEvent handshake && !handshake.isSuccess()) {
            connection.clientHandshakeFailed();
        }
        ReferenceCountUtil.release(evt);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        connection.writabilityChanged(Connection.Side.CLIENT);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        connection.failed(Connection.Side.CLIENT, cause);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        connection.inactive(Connection.Side.CLIENT);
    }
}
