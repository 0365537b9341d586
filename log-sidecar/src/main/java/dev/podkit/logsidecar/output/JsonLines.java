package dev.podkit.logsidecar.output;

import dev.podkit.runtime.log.Json;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * Encodes a line as one JSON object: {@code {"time":..,"file":..,"offset":..,"pod":..,
 * "namespace":..,"container":..,"message":..}} plus {@code "split"}, {@code "truncated"} or
 * {@code "partial"} when they apply. The message is escaped byte by byte: valid UTF-8 is kept,
 * each invalid byte becomes U+FFFD, so the output is always valid JSON in valid UTF-8.
 */
public final class JsonLines {
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] REPLACEMENT = {(byte) 0xEF, (byte) 0xBF, (byte) 0xBD};

    private final byte[] metadata;

    public JsonLines(String pod, String namespace, String container) {
        StringBuilder m = new StringBuilder();
        field(m, "pod", pod);
        field(m, "namespace", namespace);
        field(m, "container", container);
        metadata = m.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void field(StringBuilder m, String name, String value) {
        if (!value.isEmpty()) {
            m.append(",\"").append(name).append("\":");
            Json.quote(m, value);
        }
    }

    /** Appends the object and a newline. {@code file} is already JSON-quoted (see {@link #quote}). */
    public void encode(Bytes out, Instant time, byte[] quotedFile, long offset, byte[] line, int off, int len,
            boolean split, boolean truncated, boolean partial) {
        out.ascii("{\"time\":\"");
        out.ascii(time.toString());
        out.ascii("\",\"file\":");
        out.add(quotedFile);
        out.ascii(",\"offset\":");
        out.ascii(offset);
        out.add(metadata);
        if (split) {
            out.ascii(",\"split\":true");
        }
        if (truncated) {
            out.ascii(",\"truncated\":true");
        }
        if (partial) {
            out.ascii(",\"partial\":true");
        }
        out.ascii(",\"message\":\"");
        escape(out, line, off, len);
        out.ascii("\"}\n");
    }

    public static byte[] quote(String text) {
        return Json.quote(new StringBuilder(), text).toString().getBytes(StandardCharsets.UTF_8);
    }

    /** JSON string content for UTF-8 bytes; invalid sequences become U+FFFD. */
    static void escape(Bytes out, byte[] b, int off, int len) {
        int end = off + len;
        int i = off;
        while (i < end) {
            int c = b[i] & 0xFF;
            if (c < 0x80) {
                if (c == '"' || c == '\\') {
                    out.add((byte) '\\');
                    out.add((byte) c);
                } else if (c == '\n') {
                    out.ascii("\\n");
                } else if (c == '\r') {
                    out.ascii("\\r");
                } else if (c == '\t') {
                    out.ascii("\\t");
                } else if (c < 0x20 || c == 0x7F) {
                    out.ascii("\\u00");
                    out.add(HEX[c >> 4]);
                    out.add(HEX[c & 0xF]);
                } else {
                    out.add((byte) c);
                }
                i++;
                continue;
            }
            int n = sequenceLength(b, i, end);
            if (n == 0) {
                out.add(REPLACEMENT, 0, 3);
                i++;
            } else {
                out.add(b, i, n);
                i += n;
            }
        }
    }

    /** Length of the valid UTF-8 sequence at {@code i} (2-4), or 0 if it is not valid. */
    static int sequenceLength(byte[] b, int i, int end) {
        int c = b[i] & 0xFF;
        int n;
        int min;
        if (c >= 0xC2 && c <= 0xDF) {
            n = 2;
            min = 0x80;
        } else if (c >= 0xE0 && c <= 0xEF) {
            n = 3;
            min = 0x800;
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 4;
            min = 0x10000;
        } else {
            return 0;
        }
        if (i + n > end) {
            return 0;
        }
        int cp = c & (0x7F >> n);
        for (int k = 1; k < n; k++) {
            int cc = b[i + k] & 0xFF;
            if ((cc & 0xC0) != 0x80) {
                return 0;
            }
            cp = cp << 6 | (cc & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
            return 0;
        }
        return n;
    }
}
