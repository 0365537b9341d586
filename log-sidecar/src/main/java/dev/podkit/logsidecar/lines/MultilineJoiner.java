package dev.podkit.logsidecar.lines;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.regex.Pattern;

/**
 * Joins continuation lines (a stack trace's "at ..." lines) to the record they belong to: a line
 * that matches the start pattern begins a record, others are appended with a newline between.
 * A record is emitted when the next one begins, when it would outgrow the limit, or on timeout.
 */
public final class MultilineJoiner {
    /** Receives whole records; {@code endOffset} is the file offset after the record's last line. */
    public interface Sink {
        void record(byte[] bytes, int offset, int length, long startOffset, long endOffset, int flags) throws IOException;
    }

    private final Pattern start;
    private final int maxBytes;
    private byte[] held = new byte[256];
    private int heldLength;
    private boolean holding;
    private long heldStart;
    private long heldEnd;
    private int heldFlags;
    private long heldSince;

    public MultilineJoiner(Pattern start, int maxBytes) {
        this.start = start;
        this.maxBytes = maxBytes;
    }

    public void line(byte[] bytes, int offset, int length, long startOffset, long endOffset, int flags, long nowNanos,
            Sink sink) throws IOException {
        boolean begins = start.matcher(new String(bytes, offset, length, StandardCharsets.UTF_8)).find();
        if (holding && (begins || heldLength + 1 + length > maxBytes)) {
            flush(sink);
        }
        if (!holding) {
            holding = true;
            heldLength = 0;
            heldStart = startOffset;
            heldFlags = 0;
            heldSince = nowNanos;
        } else {
            append(new byte[] {'\n'}, 0, 1);
        }
        append(bytes, offset, length);
        heldEnd = endOffset;
        heldFlags |= flags;
    }

    public boolean holding() {
        return holding;
    }

    /** Where the held record starts: nothing from here on may be checkpointed yet. */
    public long heldStart() {
        return heldStart;
    }

    public long heldSince() {
        return heldSince;
    }

    public void flush(Sink sink) throws IOException {
        if (holding) {
            holding = false;
            sink.record(held, 0, heldLength, heldStart, heldEnd, heldFlags);
            if (held.length > 64 * 1024) {
                held = new byte[256];
            }
        }
    }

    /** Forgets the held record (its file was truncated; the bytes are read again from the copy). */
    public void reset() {
        holding = false;
        heldLength = 0;
    }

    private void append(byte[] bytes, int offset, int length) {
        if (heldLength + length > held.length) {
            held = Arrays.copyOf(held, Math.max(heldLength + length, held.length * 2));
        }
        System.arraycopy(bytes, offset, held, heldLength, length);
        heldLength += length;
    }
}
