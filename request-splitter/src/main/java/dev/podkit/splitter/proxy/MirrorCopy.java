package dev.podkit.splitter.proxy;

import dev.podkit.splitter.config.MirrorConfig;
import dev.podkit.splitter.config.ServerAddress;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;

/**
 * The shadow copy of one request: its head and up to {@code max_body_bytes} of its body, collected
 * while the real request streams on. It is sent once the real request is complete, on the same
 * event loop, and its response is read and dropped. It never holds the real exchange up: when the
 * body outgrows the limit, or the shadow cannot take it, the copy is dropped.
 */
final class MirrorCopy implements BackendListener {
    private final ProxyContext proxy;
    private final MirrorConfig config;
    private final Balancer balancer;
    private final EventLoop loop;
    private final HttpRequest head;
    private CompositeByteBuf body;
    private Channel channel;
    private boolean reusable = true;
    private boolean done;

    private MirrorCopy(ProxyContext proxy, MirrorConfig config, Balancer balancer, EventLoop loop, HttpRequest original) {
        this.proxy = proxy;
        this.config = config;
        this.balancer = balancer;
        this.loop = loop;
        this.head = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, original.method(), original.uri());
        this.head.headers().set(original.headers());
        this.body = io.netty.buffer.ByteBufAllocator.DEFAULT.compositeBuffer(64);
    }

    /** A copy of {@code request} if the mirror policy picks it, else {@code null}. */
    static MirrorCopy maybe(ProxyContext proxy, Snapshot snapshot, HttpRequest request, EventLoop loop) {
        MirrorConfig config = snapshot.config.mirror();
        long length = HttpUtil.getContentLength(request, -1L);
        if (!proxy.mirrorPolicy().select(config, length)) {
            return null;
        }
        if (!proxy.mirrorPolicy().acquire(config)) {
            proxy.metrics().mirror("skipped");
            return null;
        }
        return new MirrorCopy(proxy, config, snapshot.mirror, loop, request);
    }

    /** Adds a part of the body; returns {@code null} (and drops the copy) when it outgrows the limit. */
    MirrorCopy add(HttpContent content) {
        ByteBuf bytes = content.content();
        if (body.readableBytes() + bytes.readableBytes() > config.maxBodyBytes()) {
            proxy.metrics().mirror("skipped");
            discard();
            return null;
        }
        if (bytes.isReadable()) {
            body.addComponent(true, bytes.retainedDuplicate());
        }
        return this;
    }

    /** Sends the complete copy. */
    void send() {
        ServerAddress server = balancer.next();
        HttpRequest full = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, head.method(), head.uri(), body);
        body = null;
        full.headers().set(head.headers());
        full.headers().remove(HttpHeaderNames.TRANSFER_ENCODING);
        full.headers().remove(HttpHeaderNames.UPGRADE);
        HttpUtil.setContentLength(full, ((DefaultFullHttpRequest) full).content().readableBytes());
        Channel pooled = proxy.pool().pooled(loop, server);
        if (pooled != null) {
            write(pooled, full);
            return;
        }
        io.netty.util.concurrent.Future<Channel> f = proxy.pool().connect(loop, server);
        f.addListener(connected -> {
            if (connected.isSuccess()) {
                write(f.getNow(), full);
            } else {
                ReferenceCountUtil.release(full);
                end("failed");
            }
        });
    }

    private void write(Channel ch, HttpRequest full) {
        channel = ch;
        BackendHandler handler = ch.pipeline().get(BackendHandler.class);
        handler.attach(this, proxy.snapshot().config.timeouts().read(), HttpMethod.HEAD.equals(full.method()), false);
        ch.config().setAutoRead(true);
        proxy.metrics().mirror("sent");
        ch.writeAndFlush(full).addListener(w -> {
            if (!w.isSuccess()) {
                ch.close();
            } else if (!done) {
                handler.arm();
            }
        });
    }

    /** Drops a copy that will not be sent. */
    void discard() {
        if (body != null) {
            body.release();
            body = null;
        }
        if (!done) {
            done = true;
            proxy.mirrorPolicy().release();
        }
    }

    private void end(String result) {
        if (done) {
            return;
        }
        done = true;
        proxy.mirrorPolicy().release();
        if (result != null) {
            proxy.metrics().mirror(result);
        }
    }

    @Override
    public void head(ResponseReader.Head head) {
        if (!head.keepAlive() || head.framing == ResponseReader.Framing.CLOSE) {
            reusable = false;
        }
    }

    @Override
    public void body(ByteBuf bytes, int payload) {
        bytes.release(); // a shadow's response is never looked at
    }

    @Override
    public void end() {
        if (!done) {
            end(null);
            if (reusable) {
                proxy.pool().release(channel);
            } else {
                channel.close();
            }
        }
    }

    @Override
    public void malformed(String why) {
        end("failed");
        channel.close();
    }

    @Override
    public void onWritabilityChanged(boolean writable) {
    }

    @Override
    public void onInactive() {
        end("failed");
    }

    @Override
    public void onException(Throwable cause) {
    }

    @Override
    public void onReadTimeout() {
        end("failed");
        channel.close();
    }
}
