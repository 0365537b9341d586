package dev.podkit.runtime.net;

import dev.podkit.runtime.config.ConfigException;
import dev.podkit.runtime.config.Setting;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The Netty transport a helper's own event loops use. The native ones need their JNI library: the
 * images carry it on {@code java.library.path}, so nothing is unpacked into the read-only root
 * filesystem. io_uring is often blocked by the container runtime's seccomp profile.
 */
public enum Transport {
    EPOLL(EpollIoHandler::newFactory, EpollServerSocketChannel.class, EpollSocketChannel.class) {
        @Override
        public Optional<Throwable> unavailabilityCause() {
            return Optional.ofNullable(Epoll.unavailabilityCause());
        }
    },
    IO_URING(IoUringIoHandler::newFactory, IoUringServerSocketChannel.class, IoUringSocketChannel.class) {
        @Override
        public Optional<Throwable> unavailabilityCause() {
            return Optional.ofNullable(IoUring.unavailabilityCause());
        }
    },
    NIO(NioIoHandler::newFactory, NioServerSocketChannel.class, NioSocketChannel.class) {
        @Override
        public Optional<Throwable> unavailabilityCause() {
            return Optional.empty();
        }
    };

    /** What the {@code TRANSPORT} setting may say. */
    public enum Choice { AUTO, EPOLL, IO_URING, NIO }

    /**
     * {@code TRANSPORT}: for helpers that move bytes. {@code auto} takes epoll (the only one with
     * splice), else io_uring, else NIO.
     */
    public static final Setting<Choice> SETTING = Setting.oneOf("TRANSPORT", Choice.class, Choice.AUTO,
            "Netty transport of the helper's own sockets: auto (epoll, else io_uring, else nio), epoll, io-uring or nio.");

    private final Supplier<IoHandlerFactory> ioHandler;
    private final Class<? extends ServerChannel> serverChannel;
    private final Class<? extends Channel> socketChannel;

    Transport(Supplier<IoHandlerFactory> ioHandler, Class<? extends ServerChannel> serverChannel,
            Class<? extends Channel> socketChannel) {
        this.ioHandler = ioHandler;
        this.serverChannel = serverChannel;
        this.socketChannel = socketChannel;
    }

    /** Why this transport cannot be used here, if it cannot. */
    public abstract Optional<Throwable> unavailabilityCause();

    public boolean isAvailable() {
        return unavailabilityCause().isEmpty();
    }

    /**
     * The transport for a choice. An explicit choice that is unavailable here is a configuration
     * error (exit 2), naming why, rather than a silent fallback.
     */
    public static Transport select(Choice choice) {
        return switch (choice) {
            case AUTO -> EPOLL.isAvailable() ? EPOLL : IO_URING.isAvailable() ? IO_URING : NIO;
            case EPOLL -> require(EPOLL);
            case IO_URING -> require(IO_URING);
            case NIO -> NIO;
        };
    }

    private static Transport require(Transport t) {
        t.unavailabilityCause().ifPresent(cause -> {
            throw ConfigException.of(SETTING.name(), t.displayName() + " is not available here: " + cause);
        });
        return t;
    }

    /** An event loop group of this transport with named daemon threads. */
    public EventLoopGroup newGroup(int threads, String threadName) {
        return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(threadName, true), ioHandler.get());
    }

    public Class<? extends ServerChannel> serverChannel() {
        return serverChannel;
    }

    public Class<? extends Channel> socketChannel() {
        return socketChannel;
    }

    /** As the setting writes it: {@code epoll}, {@code io-uring}, {@code nio}. */
    public String displayName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
