package dev.podkit.ambassador.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.ssl.SslCloseCompletionEvent;
import io.netty.util.ReferenceCountUtil;

/** The target side of a {@link Connection}: hands every event of the target's channel to it. */
final class BackendHandler extends ChannelInboundHandlerAdapter {
    private final Connection connection;

    BackendHandler(Connection connection) {
        this.connection = connection;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf data) {
            connection.targetRead(data);
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        connection.readComplete(Connection.Side.TARGET);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        // A TLS target's close_notify ends its direction like a FIN does.
        if (evt instanceof ChannelInputShutdownEvent
                || evt instanceof SslCloseCompletionEvent close && close.isSuccess()) {
            connection.inputShutdown(Connection.Side.TARGET);
        }
        ReferenceCountUtil.release(evt);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        connection.writabilityChanged(Connection.Side.TARGET);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        connection.failed(Connection.Side.TARGET, cause);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        connection.inactive(Connection.Side.TARGET);
    }
}
