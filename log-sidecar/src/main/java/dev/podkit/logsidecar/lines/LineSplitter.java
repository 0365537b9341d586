package dev.podkit.logsidecar.lines;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Cuts one file's bytes into lines. A line without its newline yet is held (up to the maximum
 * length) until the newline arrives or {@link #flushPartial} is called; a longer line is split or
 * truncated, never stopping the file. Every callback carries the file offset after the bytes it
 * consumed, which is what a checkpoint may record once the line has been written out.
 */
public final class LineSplitter {
    /** The line is a piece of a longer one, cut at {@code MAX_LINE_BYTES}. */
    public static final int SPLIT = 1;
    /** The line was cut at {@code MAX_LINE_BYTES}; the rest up to the newline is skipped. */
    public static final int TRUNCATED = 2;
    /** The line had no newline yet and was emitted on timeout or because its file is finished. */
    public static final int PARTIAL = 4;

    /** Receives lines (without the newline) and skipped byte ranges. */
    public interface Sink {
        void line(byte[] bytes, int offset, int length, long startOffset, long endOffset, int flags) throws IOException;

        /** Bytes up to {@code endOffset} were consumed without producing a line (the skipped rest of a truncated line). */
        void skipped(long endOffset) throws IOException;

        /**
         * {@code count} whole lines, each with its newline, that fill {@code bytes[offset, offset + length)}
         * (the last byte is a newline), none longer than the maximum, none held before them. Only
         * {@link #feed(ByteBuffer, int, int, long, Sink)} calls it.
         */
        default void run(ByteBuffer bytes, int offset, int length, long startOffset, long endOffset, int count) throws IOException {
            throw new UnsupportedOperationException("a sink fed from a ByteBuffer implements run");
        }
    }

    private final int max;
    private final boolean truncate;
    private byte[] pending = new byte[128];
    private int pendingLength;
    private long pendingStart;
    private long pendingSince;
    private boolean skipping;

    public LineSplitter(int maxLineBytes, boolean truncate) {
        this.max = maxLineBytes;
        this.truncate = truncate;
    }

    /** Starts over at a file offset (a new file, a truncation). */
    public void reset(long offset) {
        pendingLength = 0;
        pendingStart = offset;
        skipping = false;
        if (pending.length > 4096) {
            pending = new byte[128];
        }
    }

    /** Bytes held for a line whose newline has not arrived. */
    public int pendingLength() {
        return pendingLength;
    }

    /** The file offset after everything fed so far. */
    public long position() {
        return pendingStart + pendingLength;
    }

    /** {@link System#nanoTime} when the held partial line got its first byte. */
    public long pendingSince() {
        return pendingSince;
    }

    /** Feeds bytes that follow everything fed before, line by line. */
    public void feed(byte[] buf, int off, int len, long nanoTime, Sink sink) throws IOException {
        int end = off + len;
        int i = off;
        long base = pendingStart + pendingLength - off; // file offset of buf[x] is base + x
        while (i < end) {
            int nl = indexOf(buf, i, end);
            if (nl < 0) {
                append(buf, i, end, nanoTime, sink);
                return;
            }
            if (skipping) {
                skipping = false;
                pendingStart = base + nl + 1;
                pendingLength = 0;
                sink.skipped(pendingStart);
            } else if (pendingLength == 0 && nl - i <= max) {
                // The common case: a whole line inside the buffer, emitted without copying.
                pendingStart = base + nl + 1;
                sink.line(buf, i, nl - i, base + i, pendingStart, 0);
            } else {
                append(buf, i, nl, nanoTime, sink);
                endHeld(base + nl + 1, sink);
            }
            i = nl + 1;
        }
    }

    /**
     * Feeds bytes that follow everything fed before, from a (direct) buffer that is not copied: the
     * whole lines in it go to {@link Sink#run} in runs (counted word by word); only a line that
     * completes a held one or is longer than the maximum is copied. The buffer must be little-endian.
     */
    public void feed(ByteBuffer buf, int off, int len, long nanoTime, Sink sink) throws IOException {
        if (buf.order() != ByteOrder.LITTLE_ENDIAN) {
            throw new IllegalArgumentException("the buffer is read as little-endian words");
        }
        int end = off + len;
        int i = off;
        long base = pendingStart + pendingLength - off; // file offset of buf[x] is base + x
        while (i < end) {
            if (pendingLength == 0 && !skipping) {
                // Every line that ends within max + 1 bytes is whole and no longer than the maximum.
                int window = (int) Math.min(end, (long) i + max + 1);
                int last = lastIndexOf(buf, i, window);
                if (last >= 0) {
                    pendingStart = base + last + 1;
                    sink.run(buf, i, last + 1 - i, base + i, pendingStart, countNewlines(buf, i, last + 1));
                    i = last + 1;
                    continue;
                }
                if (window == end) {
                    append(buf, i, end, nanoTime, sink); // a partial line
                    return;
                }
                // else a line longer than the maximum: cut below
            }
            int nl = indexOf(buf, i, end);
            if (nl < 0) {
                append(buf, i, end, nanoTime, sink);
                return;
            }
            if (!skipping) {
                append(buf, i, nl, nanoTime, sink); // may cut (split) or start skipping (truncate)
            }
            endHeld(base + nl + 1, sink);
            i = nl + 1;
        }
    }

    /** A newline ends the held line (or the skipped rest of a too long one); the next starts at file offset {@code next}. */
    private void endHeld(long next, Sink sink) throws IOException {
        long start = pendingStart;
        int length = pendingLength;
        pendingStart = next;
        pendingLength = 0;
        if (skipping) {
            skipping = false;
            sink.skipped(next);
        } else {
            sink.line(pending, 0, length, start, next, 0);
        }
    }

    /** Emits the held partial line as it is (timeout, or its file will never grow again). */
    public boolean flushPartial(Sink sink) throws IOException {
        if (pendingLength == 0) {
            return false;
        }
        long start = pendingStart;
        int length = pendingLength;
        pendingStart += length;
        pendingLength = 0;
        sink.line(pending, 0, length, start, pendingStart, PARTIAL);
        return true;
    }

    /** Appends bytes without a newline to the held line, emitting pieces when it outgrows the maximum. */
    private void append(byte[] buf, int from, int to, long nanoTime, Sink sink) throws IOException {
        append(ByteBuffer.wrap(buf), from, to, nanoTime, sink); // partial and long lines only: not the hot path
    }

    /** {@link #append(byte[], int, int, long, Sink)} from a buffer (absolute reads: its position stays). */
    private void append(ByteBuffer buf, int from, int to, long nanoTime, Sink sink) throws IOException {
        while (from < to) {
            if (skipping) {
                pendingStart += to - from;
                sink.skipped(pendingStart);
                return;
            }
            if (pendingLength == 0) {
                pendingSince = nanoTime;
            }
            int take = Math.min(max - pendingLength, to - from);
            ensure(pendingLength + take);
            buf.get(from, pending, pendingLength, take);
            pendingLength += take;
            from += take;
            if (pendingLength == max && from < to) {
                cut(sink);
            }
        }
    }

    /** The held line is full and more follows: emit a piece (split) or the truncated line. */
    private void cut(Sink sink) throws IOException {
        long start = pendingStart;
        if (truncate) {
            pendingStart += pendingLength;
            int length = pendingLength;
            pendingLength = 0;
            skipping = true;
            sink.line(pending, 0, length, start, pendingStart, TRUNCATED);
            return;
        }
        int piece = utf8Boundary(pending, pendingLength);
        int rest = pendingLength - piece;
        pendingStart += piece;
        byte[] line = Arrays.copyOf(pending, piece);
        System.arraycopy(pending, piece, pending, 0, rest);
        pendingLength = rest;
        sink.line(line, 0, piece, start, pendingStart, SPLIT);
    }

    /** The largest length ≤ {@code length} that does not cut a UTF-8 sequence in two (invalid bytes: {@code length}). */
    static int utf8Boundary(byte[] bytes, int length) {
        for (int s = length - 1; s >= 0 && s >= length - 4; s--) {
            int b = bytes[s] & 0xFF;
            if ((b & 0xC0) == 0x80) {
                continue; // a continuation byte: look further back for the sequence's first byte
            }
            int needed = b < 0x80 ? 1 : (b & 0xE0) == 0xC0 ? 2 : (b & 0xF0) == 0xE0 ? 3 : (b & 0xF8) == 0xF0 ? 4 : 1;
            return s + needed <= length || s == 0 ? length : s;
        }
        return length;
    }

    private void ensure(int capacity) {
        if (capacity > pending.length) {
            pending = Arrays.copyOf(pending, Math.min(Math.max(capacity, pending.length * 2), max + 4));
        }
    }

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long NEWLINES = 0x0A0A0A0A0A0A0A0AL;
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;

    private static final long LOW7 = 0x7F7F7F7F7F7F7F7FL;

    /** The first '\n' in {@code buf[from, to)}, eight bytes at a time (the lowest zero byte of word ^ newlines). */
    static int indexOf(byte[] buf, int from, int to) {
        int i = from;
        for (; i + 8 <= to; i += 8) {
            long word = (long) LONGS.get(buf, i) ^ NEWLINES;
            long found = (word - ONES) & ~word & HIGHS;
            if (found != 0) {
                return i + (Long.numberOfTrailingZeros(found) >>> 3);
            }
        }
        for (; i < to; i++) {
            if (buf[i] == '\n') {
                return i;
            }
        }
        return -1;
    }
    /** The number of '\n' in {@code buf[from, to)}, eight bytes at a time (exact per byte, unlike {@link #indexOf}'s test). */
    static int countNewlines(ByteBuffer buf, int from, int to) {
        int count = 0;
        int i = from;
        for (; i + 64 <= to; i += 64) {
            // Eight words' zero-byte flags (bit 7 of each byte) shifted into distinct bits: one bit count for 64 bytes.
            long flags = 0;
            for (int k = 0; k < 8; k++) {
                long word = buf.getLong(i + 8 * k) ^ NEWLINES;
                flags |= (~(((word & LOW7) + LOW7) | word) & HIGHS) >>> k;
            }
            count += Long.bitCount(flags);
        }
        for (; i + 8 <= to; i += 8) {
            long word = buf.getLong(i) ^ NEWLINES;
            // High bit of each byte set exactly where the byte is zero: no borrow crosses bytes.
            long zero = ~(((word & LOW7) + LOW7) | word | LOW7);
            count += Long.bitCount(zero);
        }
        for (; i < to; i++) {
            if (buf.get(i) == '\n') {
                count++;
            }
        }
        return count;
    }

    /** The last '\n' in {@code buf[from, to)}, or -1. */
    public static int lastIndexOf(ByteBuffer buf, int from, int to) {
        for (int i = to - 1; i >= from; i--) {
            if (buf.get(i) == '\n') {
                return i;
            }
        }
        return -1;
    }

    /** {@link #indexOf(byte[], int, int)} in a little-endian buffer. */
    static int indexOf(ByteBuffer buf, int from, int to) {
        int i = from;
        for (; i + 8 <= to; i += 8) {
            long word = buf.getLong(i) ^ NEWLINES;
            long found = (word - ONES) & ~word & HIGHS;
            if (found != 0) {
                return i + (Long.numberOfTrailingZeros(found) >>> 3);
            }
        }
        for (; i < to; i++) {
            if (buf.get(i) == '\n') {
                return i;
            }
        }
        return -1;
    }
}
