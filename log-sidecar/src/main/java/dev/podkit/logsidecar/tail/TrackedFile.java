package dev.podkit.logsidecar.tail;

import dev.podkit.logsidecar.lines.LineSplitter;
import dev.podkit.logsidecar.metrics.FileMeters;
import java.io.IOException;
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

    /** Offset after the last line handed to the outputs. */
    long emitted;
    /** The last bytes before {@link #emitted}, for the tail check. */
    private final byte[] tail = new byte[Fingerprints.TAIL_BYTES];
    private int tailLength;

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
        committedTailLength = 0;
    }

    /** Continues a state file entry or another copy of the same bytes. */
    void startAt(long offset, byte[] tailBytes, int length) {
        startAt(offset);
        System.arraycopy(tailBytes, 0, tail, 0, length);
        tailLength = length;
        commit();
    }

    void restoreCommitted(long offset, int tailLen, long tailCrc) {
        splitter.reset(offset);
        emitted = offset;
        committed = offset;
        tailLength = 0;
        committedTailLength = tailLen;
        committedTailCrc = tailCrc;
    }

    /** Bytes up to {@code end} went to the outputs; {@code bytes} are the last of them (may be fewer). */
    void emitted(byte[] bytes, int offset, int length, boolean newline, long end) {
        int total = length + (newline ? 1 : 0);
        if (end - emitted != total) {
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
    }

    void skippedTo(long end) {
        tailLength = 0;
        emitted = end;
    }

    int tailLength() {
        return tailLength;
    }

    byte[] tailBytes() {
        return tail;
    }

    long tailCrc() {
        return Fingerprints.crc(tail, 0, tailLength);
    }

    /** The outputs confirmed everything emitted so far. */
    void commit() {
        committed = emitted;
        committedTailLength = tailLength;
        committedTailCrc = tailLength == 0 ? 0 : tailCrc();
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
