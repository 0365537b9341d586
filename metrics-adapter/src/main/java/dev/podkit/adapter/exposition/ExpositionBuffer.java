package dev.podkit.adapter.exposition;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A growable UTF-8 byte buffer for exposition text. Scrapes of a few thousand series are written
 * byte by byte, without the intermediate strings and the two full copies a StringBuilder would cost.
 */
public final class ExpositionBuffer {
    private byte[] buf;
    private int len;

    public ExpositionBuffer(int capacity) {
        buf = new byte[Math.max(64, capacity)];
    }

    private void ensure(int extra) {
        if (len + extra > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + extra));
        }
    }

    public ExpositionBuffer append(byte[] bytes) {
        return append(bytes, 0, bytes.length);
    }

    public ExpositionBuffer append(byte[] bytes, int offset, int length) {
        ensure(length);
        System.arraycopy(bytes, offset, buf, len, length);
        len += length;
        return this;
    }

    public ExpositionBuffer append(char c) {
        if (c < 0x80) {
            ensure(1);
            buf[len++] = (byte) c;
            return this;
        }
        return append(String.valueOf(c));
    }

    /** Text as UTF-8. */
    public ExpositionBuffer append(String s) {
        int n = s.length();
        ensure(n);
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c >= 0x80) {
                // Rare (names and most label values are ASCII): encode the rest as UTF-8 in one go.
                byte[] rest = s.substring(i).getBytes(StandardCharsets.UTF_8);
                return append(rest);
            }
            buf[len++] = (byte) c;
        }
        return this;
    }

    /** Text with backslash and newline escaped, and the double quote too if {@code quotes}. */
    public ExpositionBuffer appendEscaped(String s, boolean quotes) {
        int n = s.length();
        boolean plain = true;
        for (int i = 0; i < n && plain; i++) {
            char c = s.charAt(i);
            plain = c != '\\' && c != '\n' && (c != '"' || !quotes);
        }
        if (plain) {
            return append(s);
        }
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> append("\\\\");
                case '\n' -> append("\\n");
                case '"' -> append(quotes ? "\\\"" : "\"");
                default -> append(c);
            }
        }
        return this;
    }

    /** A sample value as Prometheus reads it: integers without a fraction, NaN, +Inf, -Inf. */
    public ExpositionBuffer appendValue(double v) {
        if (Double.isNaN(v)) {
            return append("NaN");
        }
        if (Double.isInfinite(v)) {
            return append(v > 0 ? "+Inf" : "-Inf");
        }
        long whole = (long) v;
        if (whole == v && whole > -1_000_000_000_000_000L && whole < 1_000_000_000_000_000L) {
            return appendLong(whole);
        }
        // Go's spelling of exponents (1.5e-05 reads the same as Java's 1.5E-5 everywhere).
        return append(Double.toString(v).replace('E', 'e'));
    }

    /** Empties the buffer for reuse; a buffer that grew past {@code maxKept} bytes gives its memory back. */
    public ExpositionBuffer reset(int maxKept) {
        len = 0;
        if (buf.length > maxKept) {
            buf = new byte[maxKept];
        }
        return this;
    }

    /** Digits straight into the buffer: most values are whole numbers (counts, bytes, Unix times). */
    private ExpositionBuffer appendLong(long value) {
        ensure(20);
        if (value < 0) {
            buf[len++] = '-';
            value = -value;
        }
        if (value == 0) {
            buf[len++] = '0';
            return this;
        }
        int start = len;
        while (value > 0) {
            buf[len++] = (byte) ('0' + (int) (value % 10));
            value /= 10;
        }
        for (int i = start, j = len - 1; i < j; i++, j--) {
            byte t = buf[i];
            buf[i] = buf[j];
            buf[j] = t;
        }
        return this;
    }

    public int length() {
        return len;
    }

    public byte[] toByteArray() {
        return Arrays.copyOf(buf, len);
    }

    @Override
    public String toString() {
        return new String(buf, 0, len, StandardCharsets.UTF_8);
    }
}
