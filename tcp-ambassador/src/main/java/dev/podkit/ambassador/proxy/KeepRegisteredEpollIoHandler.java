package dev.podkit.ambassador.proxy;

import io.netty.channel.IoHandle;
import io.netty.channel.IoHandler;
import io.netty.channel.IoHandlerContext;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.IoOps;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollIoOps;

/**
 * Netty's epoll handler with one repair for half-closed sockets. When a socket's interest set
 * becomes empty (its input is shut after a FIN and nothing waits to be written), Netty 4.2 removes
 * it from epoll but still treats it as added, so the next write that fills the socket buffer fails
 * with {@code epoll_ctl(..) failed: No such file or directory} and the rest of that direction is
 * lost. Exactly what a half-closed proxied connection does. Here an empty interest set is
 * registered as {@code EPOLLET} alone: the socket stays in epoll, reports nothing but an edge-
 * triggered error or hang-up, and later writes can ask for {@code EPOLLOUT} again.
 */
final class KeepRegisteredEpollIoHandler implements IoHandler {
    private final IoHandler delegate;

    private KeepRegisteredEpollIoHandler(IoHandler delegate) {
        this.delegate = delegate;
    }

    static IoHandlerFactory newFactory() {
        IoHandlerFactory epoll = EpollIoHandler.newFactory();
        return executor -> new KeepRegisteredEpollIoHandler(epoll.newHandler(executor));
    }

    @Override
    public void initialize() {
        delegate.initialize();
    }

    @Override
    public int run(IoHandlerContext context) {
        return delegate.run(context);
    }

    @Override
    public void prepareToDestroy() {
        delegate.prepareToDestroy();
    }

    @Override
    public void destroy() {
        delegate.destroy();
    }

    @Override
    public IoRegistration register(IoHandle handle) throws Exception {
        return new Registration(delegate.register(handle));
    }

    @Override
    public void wakeup() {
        delegate.wakeup();
    }

    @Override
    public boolean isCompatible(Class<? extends IoHandle> handleType) {
        return delegate.isCompatible(handleType);
    }

    private static final class Registration implements IoRegistration {
        private final IoRegistration delegate;

        Registration(IoRegistration delegate) {
            this.delegate = delegate;
        }

        @Override
        public <T> T attachment() {
            return delegate.attachment();
        }

        @Override
        public long submit(IoOps ops) {
            if (ops instanceof EpollIoOps epoll && epoll.value() == 0) {
                return delegate.submit(EpollIoOps.EPOLLET);
            }
            return delegate.submit(ops);
        }

        @Override
        public boolean isValid() {
            return delegate.isValid();
        }

        @Override
        public boolean cancel() {
            return delegate.cancel();
        }
    }
}
