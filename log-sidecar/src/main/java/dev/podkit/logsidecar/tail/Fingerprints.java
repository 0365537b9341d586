package dev.podkit.logsidecar.tail;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.zip.CRC32C;

/**
 * Checksums that tell whether a file is still the one we read: its first bytes (the head
 * fingerprint, which a copy or a truncated-and-rewritten file reveals) and the bytes just before
 * the read position (which a new file that happens to start alike does not have).
 */
public final class Fingerprints {
    /** How many first bytes make a file's fingerprint. */
    public static final int HEAD_BYTES = 1024;
    /** How many bytes before the read position are checked. */
    public static final int TAIL_BYTES = 64;

    private Fingerprints() {
    }

    /** A reusable direct buffer per thread: a check at every read allocates nothing and copies nothing twice. */
    private static final ThreadLocal<ByteBuffer> SCRATCH = ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(HEAD_BYTES));

    /** CRC32C of {@code length} bytes at {@code position}, or -1 if the file has fewer. */
    public static long crc(FileChannel channel, long position, int length) throws IOException {
        ByteBuffer buf = length <= HEAD_BYTES ? SCRATCH.get().clear().limit(length) : ByteBuffer.allocate(length);
        while (buf.hasRemaining()) {
            int n = channel.read(buf, position + buf.position());
            if (n < 0) {
                return -1;
            }
        }
        CRC32C crc = new CRC32C();
        crc.update(buf.flip());
        return crc.getValue();
    }

    public static long crc(byte[] bytes, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, offset, length);
        return crc.getValue();
    }
}
