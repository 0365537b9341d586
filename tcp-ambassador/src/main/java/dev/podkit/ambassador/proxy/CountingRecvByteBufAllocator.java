package dev.podkit.ambassador.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelConfig;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.util.UncheckedBooleanSupplier;

/**
 * Counts the bytes a channel reads from its socket, whether Netty copies them into buffers or
 * splices them (splice reports through the same handle). One per channel: it reports to that
 * channel's side of a {@link Connection}, which is how bytes moved by splice are counted at all.
 */
final class CountingRecvByteBufAllocator implements RecvByteBufAllocator {

    /** Where the counts go; called on the channel's event loop. */
    interface Sink {
        void bytesRead(int bytes);

        void readComplete();
    }

    private final RecvByteBufAllocator delegate;
    private final Sink sink;

    CountingRecvByteBufAllocator(RecvByteBufAllocator delegate, Sink sink) {
        this.delegate = delegate;
        this.sink = sink;
    }

    @Override
    public Handle newHandle() {
        return new CountingHandle((ExtendedHandle) delegate.newHandle(), sink);
    }

    private static final class CountingHandle implements ExtendedHandle {
        private final ExtendedHandle delegate;
        private final Sink sink;

        CountingHandle(ExtendedHandle delegate, Sink sink) {
            this.delegate = delegate;
            this.sink = sink;
        }

        @Override
        public void lastBytesRead(int bytes) {
            delegate.lastBytesRead(bytes);
            if (bytes > 0) {
                sink.bytesRead(bytes);
            }
        }

        @Override
        public void readComplete() {
            delegate.readComplete();
            sink.readComplete();
        }

        @Override
        public ByteBuf allocate(ByteBufAllocator alloc) {
            return delegate.allocate(alloc);
        }

        @Override
        public int guess() {
            return delegate.guess();
        }

        @Override
        public void reset(ChannelConfig config) {
            delegate.reset(config);
        }

        @Override
        public void incMessagesRead(int numMessages) {
            delegate.incMessagesRead(numMessages);
        }

        @Override
        public int lastBytesRead() {
            return delegate.lastBytesRead();
        }

        @Override
        public boolean continueReading() {
            return delegate.continueReading();
        }

        @Override
        public boolean continueReading(UncheckedBooleanSupplier maybeMoreDataSupplier) {
            return delegate.continueReading(maybeMoreDataSupplier);
        }

        @Override
        public int attemptedBytesRead() {
            return delegate.attemptedBytesRead();
        }

        @Override
        public void attemptedBytesRead(int bytes) {
            delegate.attemptedBytesRead(bytes);
        }
    }
}
