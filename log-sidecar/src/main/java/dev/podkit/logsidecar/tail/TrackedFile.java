package dev.podkit.logsidecar.tail;

import dev.podkit.logsidecar.lines.LineSplitter;
import dev.podkit.logsidecar.metrics.FileMeters;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * One file identity the tailer knows: where it is now, how far it has been read, and the
 * checksums that prove it is still the same file. Only the tailer thread touches it.
 */
public final class TrackedFile {
    final FileKey key;
    /** Where the file is now (a real path, no symlink). */
    Path path;
    /** The {@code LOG_PATHS} match it belongs to: its name in metrics and json output. */
    Path origin;
    /** Matched by {@code LOG_PATHS} right now; otherwise a rotated generation. */
    boolean live;
    long size;
    long mtimeNanos;
    FileChannel channel;
    final LineSplitter splitter;
    FileMeters meters;
    Path metersOrigin;
    /** In the tailer's list of files with lines since the last flush. */
    boolean dirty;

    /** Offset after the last line handed to the outputs. */
    long emitted;
    /** The last bytes before {@link #emitted}, for the tail check. */
    private final byte[] tail = new byte[Fingerprints.TAIL_BYTES];
    private int tailLength;
    /** The offset the ring ends at; the ring describes {@link #emitted} only when they are equal. */
    private long tailEnd;

    /** What the outputs confirmed: the checkpoint records this. */
    long committed;
    int committedTailLength;
    long committedTailCrc;

    int headLength;
    long headCrc;

    /** Its content came from the state file and was not checked against the disk yet. */
    boolean unverified;
    /** A copy of this file (copytruncate's copy): not read while the original is intact. */
    TrackedFile copyOf;
    /** The identity this file was found to be a copy of (copytruncate), for reading it first. */
    FileKey copiedFrom;
    boolean binary;
    /** Truncated just now: not read before this {@link System#nanoTime} unless its copy turns up. */
    long holdUntil;
    boolean warnedUnreadable;
    long lastGrowthNanos;
    long seenInScan;

    TrackedFile(FileKey key, Path path, Path origin, int maxLineBytes, boolean truncate) {
        this.key = key;
        this.path = path;
        this.origin = origin;
        this.splitter = new LineSplitter(maxLineBytes, truncate);
    }

    public FileKey key() {
        return key;
    }

    public Path origin() {
        return origin;
    }

    /** Where reading resumes: after the emitted lines and the held partial line. */
    long position() {
        return splitter.position();
    }

    /** Starts reading at {@code offset}, whose preceding bytes are unknown (no tail check possible). */
    void startAt(long offset) {
        splitter.reset(offset);
        emitted = offset;
        committed = offset;
        tailLength = 0;
        tailEnd = offset;
        committedTailLength = 0;
    }

    /** Continues a state file entry or another copy of the same bytes. */
    void startAt(long offset, byte[] tailBytes, int length) {
        startAt(offset);
        System.arraycopy(tailBytes, 0, tail, 0, length);
        tailLength = length;
        tailEnd = offset;
        commit();
    }

    void restoreCommitted(long offset, int tailLen, long tailCrc) {
        splitter.reset(offset);
        emitted = offset;
        committed = offset;
        tailLength = 0;
        tailEnd = offset;
        committedTailLength = tailLen;
        committedTailCrc = tailCrc;
    }

    /** Bytes up to {@code end} went to the outputs; {@code bytes} are the last of them (may be fewer). */
    void emitted(byte[] bytes, int offset, int length, boolean newline, long end) {
        int total = length + (newline ? 1 : 0);
        if (end - emitted != total || tailEnd != emitted) {
            tailLength = 0; // bytes were skipped: the ring no longer describes the end
        }
        if (total >= tail.length) {
            int fromLine = newline ? tail.length - 1 : tail.length;
            System.arraycopy(bytes, offset + length - fromLine, tail, 0, fromLine);
            if (newline) {
                tail[tail.length - 1] = '\n';
            }
            tailLength = tail.length;
        } else {
            int keep = Math.min(tailLength, tail.length - total);
            System.arraycopy(tail, tailLength - keep, tail, 0, keep);
            System.arraycopy(bytes, offset, tail, keep, length);
            if (newline) {
                tail[keep + length] = '\n';
            }
            tailLength = keep + total;
        }
        emitted = end;
        tailEnd = end;
    }

    /** A line went out on the hot path; the ring is brought up to date per chunk by {@link #tailFromChunk}. */
    void emittedFast(long end) {
        emitted = end;
    }

    /** Updates the ring from a chunk read at {@code chunkStart} (at index 0 of {@code buf}) whose lines were just emitted. */
    void tailFromChunk(ByteBuffer buf, long chunkStart, int n) {
        if (tailEnd == emitted || emitted <= chunkStart || emitted > chunkStart + n) {
            return;
        }
        int have = (int) (emitted - chunkStart);
        if (have >= tail.length) {
            buf.get(have - tail.length, tail, 0, tail.length);
            tailLength = tail.length;
        } else {
            int keep = tailEnd == chunkStart ? Math.min(tailLength, tail.length - have) : 0;
            System.arraycopy(tail, tailLength - keep, tail, 0, keep);
            buf.get(0, tail, keep, have);
            tailLength = keep + have;
        }
        tailEnd = emitted;
    }

    void skippedTo(long end) {
        tailLength = 0;
        emitted = end;
        tailEnd = end;
    }

    int tailLength() {
        return tailEnd == emitted ? tailLength : 0;
    }

    byte[] tailBytes() {
        return tail;
    }

    long tailCrc() {
        return Fingerprints.crc(tail, 0, tailLength());
    }

    /** The outputs confirmed everything emitted so far. */
    void commit() {
        committed = emitted;
        committedTailLength = tailLength();
        committedTailCrc = committedTailLength == 0 ? 0 : tailCrc();
    }

    void commit(long offset, int tailLen, long tailCrc) {
        committed = offset;
        committedTailLength = tailLen;
        committedTailCrc = tailCrc;
    }

    void closeChannel() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                // nothing left to do with it
            }
            channel = null;
        }
    }

    @Override
    public String toString() {
        return path + " (" + key + ")";
    }
}
