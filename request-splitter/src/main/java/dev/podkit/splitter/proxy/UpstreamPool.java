package dev.podkit.splitter.proxy;

import dev.podkit.runtime.net.Transport;
import dev.podkit.splitter.config.ServerAddress;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.AttributeKey;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicInteger;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Keep-alive connections to upstream servers, pooled per event loop and server, so a request and
 * its upstream connection always share one thread (no locks, no hand-offs), as in Netty's proxy
 * example. Names are resolved again for every new connection, off the event loop (the JDK's
 * resolver blocks): through glibc, so {@code /etc/hosts} and the pod's search domains apply, with
 * the JDK's cache (30 s for answers, {@code networkaddress.cache.ttl}); the addresses of a name are
 * used in turn.
 */
final class UpstreamPool {
    static final AttributeKey<ServerAddress> SERVER = AttributeKey.valueOf("podkit.splitter.server");

    private final Transport transport;
    private final ThreadPoolExecutor resolver = new ThreadPoolExecutor(1, 2, 30, TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(1024), new DefaultThreadFactory("splitter-dns", true));
    private final Map<String, AtomicInteger> nextAddress = new ConcurrentHashMap<>();
    private volatile int connectTimeoutMillis;
    private volatile int maxIdle;
    private volatile long idleNanos;
    private final FastThreadLocal<Map<ServerAddress, ArrayDeque<Channel>>> idle = new FastThreadLocal<>() {
        @Override
        protected Map<ServerAddress, ArrayDeque<Channel>> initialValue() {
            return new HashMap<>();
        }
    };

    UpstreamPool(Transport transport) {
        this.transport = transport;
    }

    void configure(Duration connectTimeout, int maxIdlePerServer, Duration idleTimeout) {
        this.connectTimeoutMillis = (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis());
        this.maxIdle = maxIdlePerServer;
        this.idleNanos = idleTimeout.toNanos();
    }

    /** An idle pooled connection to {@code server} on {@code loop}, or {@code null}. Call on {@code loop}. */
    Channel pooled(EventLoop loop, ServerAddress server) {
        ArrayDeque<Channel> channels = idle.get().get(server);
        if (channels == null) {
            return null;
        }
        Channel c;
        while ((c = channels.pollLast()) != null) {
            if (c.isActive()) {
                return c;
            }
        }
        return null;
    }

    /** A new connection to {@code server}, registered on {@code loop}; completes on {@code loop}. */
    Future<Channel> connect(EventLoop loop, ServerAddress server) {
        Promise<Channel> promise = loop.newPromise();
        byte[] literal = NetUtil.createByteArrayFromIpAddressString(server.host());
        if (literal != null) {
            try {
                connect(loop, server, InetAddress.getByAddress(literal), promise);
            } catch (UnknownHostException e) {
                promise.setFailure(e);
            }
            return promise;
        }
        try {
            resolver.execute(() -> {
                try {
                    InetAddress[] all = InetAddress.getAllByName(server.host());
                    int i = Math.floorMod(nextAddress.computeIfAbsent(server.host(), h -> new AtomicInteger())
                            .getAndIncrement(), all.length);
                    loop.execute(() -> connect(loop, server, all[i], promise));
                } catch (UnknownHostException | RuntimeException e) {
                    promise.tryFailure(e);
                }
            });
        } catch (RejectedExecutionException e) {
            promise.setFailure(e);
        }
        return promise;
    }

    private void connect(EventLoop loop, ServerAddress server, InetAddress address, Promise<Channel> promise) {
        Bootstrap b = new Bootstrap()
                .group(loop)
                .channel(transport.socketChannel())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMillis)
                .option(ChannelOption.TCP_NODELAY, true)
                .attr(SERVER, server)
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast("idle", new IdleStateHandler(0, 0, idleNanos, TimeUnit.NANOSECONDS));
                        ch.pipeline().addLast("encoder", new HttpRequestEncoder());
                        ch.pipeline().addLast("backend", new BackendHandler());
                    }
                });
        ChannelFuture f = b.connect(new InetSocketAddress(address, server.port()));
        f.addListener(done -> {
            if (done.isSuccess()) {
                if (!promise.trySuccess(f.channel())) {
                    f.channel().close();
                }
            } else {
                promise.tryFailure(done.cause());
            }
        });
    }

    void close() {
        resolver.shutdownNow();
    }

    /** Returns a healthy connection after a complete exchange; closes it when the pool is full. */
    void release(Channel channel) {
        BackendHandler handler = channel.pipeline().get(BackendHandler.class);
        if (handler != null) {
            handler.detach();
        }
        ServerAddress server = channel.attr(SERVER).get();
        if (!channel.isActive() || server == null || maxIdle == 0) {
            channel.close();
            return;
        }
        ArrayDeque<Channel> channels = idle.get().computeIfAbsent(server, s -> new ArrayDeque<>());
        if (channels.size() >= maxIdle) {
            channel.close();
            return;
        }
        channels.addLast(channel);
        channel.read(); // notice a close (or stray bytes) while idle
    }
}
