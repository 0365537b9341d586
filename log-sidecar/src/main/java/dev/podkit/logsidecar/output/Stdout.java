package dev.podkit.logsidecar.output;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.concurrent.locks.LockSupport;

/**
 * Where the lines go. A {@link FileOutputStream} (the process's stdout) is written through its
 * {@link FileChannel}, so lines that wait in a direct buffer go to {@code write(2)} as they are:
 * {@code FileOutputStream.write} would first copy them into native memory. Any other stream (tests)
 * gets byte arrays.
 *
 * <p>Only one thread may use it, and that thread must not be interrupted while it writes: an
 * interrupt closes a {@code FileChannel}, and with it the file descriptor.
 */
public final class Stdout {
    /** Heap bytes go to the channel in pieces of at most this, so the JDK's temporary direct buffer stays small. */
    private static final int PIECE = 128 * 1024;

    private final OutputStream stream;
    private final FileChannel channel;
    /** A view of the last direct buffer written from, so its position and limit stay untouched. */
    private ByteBuffer view;
    private ByteBuffer viewOf;
    private byte[] scratch;
    private final ByteBuffer[] pair = new ByteBuffer[2];

    public Stdout(OutputStream stream) {
        this.stream = stream;
        this.channel = stream instanceof FileOutputStream file ? file.getChannel() : null;
    }

    /** Whether bytes in a direct buffer are written without a copy. */
    public boolean direct() {
        return channel != null;
    }

    public void write(byte[] bytes, int offset, int length) throws IOException {
        if (channel == null) {
            stream.write(bytes, offset, length);
            return;
        }
        for (int at = offset, end = offset + length; at < end; ) {
            int n = Math.min(PIECE, end - at);
            writeFully(ByteBuffer.wrap(bytes, at, n));
            at += n;
        }
    }

    /** Writes {@code buffer[from, to)}; the buffer's position and limit are left as they are. */
    public void write(ByteBuffer buffer, int from, int to) throws IOException {
        if (channel == null || !buffer.isDirect()) {
            if (scratch == null) {
                scratch = new byte[8192];
            }
            for (int at = from; at < to; ) {
                int n = Math.min(scratch.length, to - at);
                buffer.get(at, scratch, 0, n);
                stream.write(scratch, 0, n);
                at += n;
            }
            return;
        }
        writeFully(range(buffer, from, to));
    }

    /**
     * {@code bytes[offset, offset + length)}, then {@code buffer[from, to)}: one gathering write(2)
     * where stdout is a channel (a pipe's reader is woken once, not twice). The buffer's position and
     * limit are left as they are.
     */
    public void write(byte[] bytes, int offset, int length, ByteBuffer buffer, int from, int to) throws IOException {
        if (length == 0 || channel == null || !buffer.isDirect() || length > PIECE) {
            write(bytes, offset, length);
            write(buffer, from, to);
            return;
        }
        pair[0] = ByteBuffer.wrap(bytes, offset, length);
        pair[1] = range(buffer, from, to);
        while (pair[0].hasRemaining() || pair[1].hasRemaining()) {
            if (channel.write(pair) == 0) {
                LockSupport.parkNanos(1_000_000); // see writeFully
            }
        }
        pair[0] = null;
    }

    public void flush() throws IOException {
        if (channel == null) {
            stream.flush();
        }
    }

    /** {@code buffer[from, to)} as a view, so the buffer's own position and limit stay untouched. */
    private ByteBuffer range(ByteBuffer buffer, int from, int to) {
        if (viewOf != buffer) {
            view = buffer.duplicate();
            viewOf = buffer;
        }
        return view.limit(to).position(from);
    }

    private void writeFully(ByteBuffer src) throws IOException {
        while (src.hasRemaining()) {
            if (channel.write(src) == 0) {
                // A non-blocking stdout that is full (FileOutputStream would have failed): wait for the reader.
                LockSupport.parkNanos(1_000_000);
            }
        }
    }
}
