package dev.podkit.splitter.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Reads an upstream's HTTP/1.x responses straight from the socket's bytes: the head is parsed in
 * place (offsets, no header objects), and the body is handed on as slices of what was read, with
 * chunked framing kept (or taken off, for HTTP/1.0 clients). Forwarding the bytes it has checked,
 * instead of decoding responses into objects and encoding them again, is what makes the proxy cheap.
 *
 * <p>Strict where a proxy must be (RFC 9112): a status line of {@code HTTP/1.x NNN}; header names
 * of token characters with the colon right after them; no obs-fold; no control characters in
 * values; Content-Length values all equal and decimal; chunk sizes in hex within bounds. Anything
 * else is {@link Events#malformed}. Interim (1xx) responses are skipped, except 101 when the
 * request asked to upgrade.
 */
final class ResponseReader {
    static final int MAX_HEAD = 4096 + 64 * 1024;
    private static final int MAX_CHUNK_LINE = 4096;
    private static final int MAX_TRAILERS = 64 * 1024;

    /** How the body of a response ends. */
    enum Framing {
        /** No body (HEAD, 204, 304). */
        NONE,
        /** Content-Length bytes. */
        LENGTH,
        /** Chunked transfer coding. */
        CHUNKED,
        /** Until the upstream closes the connection. */
        CLOSE,
        /** 101: the connection now speaks another protocol; what follows the head is passed on raw. */
        SWITCH
    }

    /** What the reader found; called on the reader's thread, during {@link #feed}. */
    interface Events {
        /** A final (or switching) response head, valid during the call only. */
        void head(Head head);

        /** Body bytes (owned by the callee) and how many of them are payload (not chunk framing). */
        void body(ByteBuf bytes, int payload);

        /** The response is complete. */
        void end();

        /** The response cannot be read on: the connection is out of step. */
        void malformed(String why);
    }

    private enum State { HEAD, LENGTH, CHUNK_SIZE, CHUNK_EXT, CHUNK_DATA, CHUNK_CR, CHUNK_LF, TRAILERS, CLOSE, TUNNEL, DONE, FAILED }

    private final ByteBufAllocator alloc;
    private final Head head = new Head();
    private Events events;
    private State state = State.DONE;
    private boolean headRequest;
    private boolean upgradeRequested;
    private boolean unchunk;
    private ByteBuf partial;
    private long remaining;
    private int lineLength;
    private int trailerBytes;
    private boolean lineOnlyCr;
    private boolean sawDigit;

    ResponseReader(ByteBufAllocator alloc) {
        this.alloc = alloc;
    }

    /** Expects the response to a new request. */
    void expect(Events events, boolean headRequest, boolean upgradeRequested) {
        this.events = events;
        this.headRequest = headRequest;
        this.upgradeRequested = upgradeRequested;
        this.unchunk = false;
        this.state = State.HEAD;
        releasePartial();
    }

    /** Whether no response is due or in progress (bytes now would be out of step). */
    boolean idle() {
        return state == State.DONE || state == State.FAILED;
    }

    /** Whether the upstream closing the connection now ends the response properly. */
    boolean endsOnClose() {
        return state == State.CLOSE;
    }

    /** The upstream closed the connection: ends a close-delimited body. */
    void closed() {
        if (state == State.CLOSE) {
            state = State.DONE;
            events.end();
        }
    }

    /** No more events: the connection is given back, closed, or handed to a tunnel. */
    void release() {
        releasePartial();
        state = State.FAILED;
    }

    private void releasePartial() {
        if (partial != null) {
            partial.release();
            partial = null;
        }
    }

    /**
     * Reads {@code in} (released here). Returns false when bytes came that no response explains
     * (nothing was due, or they follow a complete response): the connection must not be reused.
     */
    boolean feed(ByteBuf in) {
        ByteBuf buf = in;
        if (partial != null) {
            // The start of a head is waiting: this read goes after it, all of it (the head's end
            // and the body may be in it). At most one read more than a head: readHead limits it.
            partial.writeBytes(in);
            in.release();
            buf = partial;
            partial = null;
        }
        try {
            return read(buf);
        } finally {
            buf.release();
        }
    }

    private boolean read(ByteBuf buf) {
        while (buf.isReadable()) {
            switch (state) {
                case HEAD -> {
                    if (!readHead(buf)) {
                        return true;
                    }
                }
                case LENGTH -> {
                    int n = (int) Math.min(remaining, buf.readableBytes());
                    remaining -= n;
                    emit(buf, n, n);
                    if (state == State.LENGTH && remaining == 0) {
                        finish();
                    }
                }
                case CLOSE, TUNNEL -> {
                    State was = state;
                    int n = buf.readableBytes();
                    emit(buf, n, n);
                    if (was == State.TUNNEL && state == State.TUNNEL) {
                        state = State.DONE;
                        events.end();
                        return true;
                    }
                }
                case CHUNK_SIZE, CHUNK_EXT, CHUNK_DATA, CHUNK_CR, CHUNK_LF, TRAILERS -> readChunked(buf);
                case DONE, FAILED -> {
                    buf.skipBytes(buf.readableBytes());
                    return false; // bytes after the response (or after giving up): out of step
                }
            }
        }
        if (state == State.TUNNEL) {
            state = State.DONE;
            events.end();
        }
        return true;
    }

    private void emit(ByteBuf buf, int length, int payload) {
        if (length > 0) {
            events.body(buf.readRetainedSlice(length), payload);
        }
    }

    private void finish() {
        state = State.DONE;
        events.end();
    }

    private void fail(String why) {
        state = State.FAILED;
        events.malformed(why);
    }

    // ---- head

    /** Parses one head if it is all there; false if more bytes are needed (kept for the next read). */
    private boolean readHead(ByteBuf buf) {
        int start = buf.readerIndex();
        int end = headEnd(buf, start, buf.writerIndex());
        if (end < 0) {
            if (buf.readableBytes() > MAX_HEAD) {
                fail("response head larger than " + MAX_HEAD + " bytes");
                buf.skipBytes(buf.readableBytes());
                return false;
            }
            partial = alloc.buffer(Math.max(256, buf.readableBytes() * 2));
            partial.writeBytes(buf);
            return false;
        }
        if (end - start > MAX_HEAD) {
            fail("response head larger than " + MAX_HEAD + " bytes");
            buf.skipBytes(buf.readableBytes());
            return false;
        }
        String problem = head.parse(buf, start, end);
        if (problem != null) {
            fail(problem);
            buf.skipBytes(buf.readableBytes());
            return false;
        }
        buf.readerIndex(end);
        int status = head.status;
        if (status < 200 && status != 101) {
            return true; // interim (100 Continue, 103 Early Hints): the final response follows
        }
        Framing framing;
        if (status == 101) {
            if (!upgradeRequested) {
                fail("101 Switching Protocols to a request that did not ask to upgrade");
                buf.skipBytes(buf.readableBytes());
                return false;
            }
            framing = Framing.SWITCH;
        } else if (headRequest || status == 204 || status == 304) {
            framing = Framing.NONE;
        } else if (head.transferEncoding) {
            framing = head.chunked ? Framing.CHUNKED : Framing.CLOSE;
        } else if (head.contentLength >= 0) {
            framing = Framing.LENGTH;
        } else {
            framing = Framing.CLOSE;
        }
        head.framing = framing;
        events.head(head);
        if (state != State.HEAD) {
            return false; // the listener gave up during the head
        }
        switch (framing) {
            case NONE -> finish();
            case LENGTH -> {
                remaining = head.contentLength;
                if (remaining == 0) {
                    finish();
                } else {
                    state = State.LENGTH;
                }
            }
            case CHUNKED -> startChunk();
            case CLOSE -> state = State.CLOSE;
            case SWITCH -> state = State.TUNNEL;
        }
        return true;
    }

    /** The index after the blank line that ends the head, or -1. Lines may end in CRLF or a bare LF. */
    private static int headEnd(ByteBuf buf, int from, int to) {
        int i = from;
        while (i < to) {
            int lf = buf.indexOf(i, to, (byte) '\n');
            if (lf < 0) {
                return -1;
            }
            int next = lf + 1;
            if (next < to && buf.getByte(next) == '\n') {
                return next + 1;
            }
            if (next + 1 < to && buf.getByte(next) == '\r' && buf.getByte(next + 1) == '\n') {
                return next + 2;
            }
            if (next >= to || next + 1 >= to && buf.getByte(next) == '\r') {
                return -1;
            }
            i = next;
        }
        return -1;
    }

    /** The head just parsed: status, framing, and where each header is, for the head sent on. */
    final class Head {
        private static final int MAX_HEADERS = 256;
        /** The head's bytes, copied once: parsed as an array, not through a buffer's accessors. */
        byte[] buf = new byte[512];
        int end;
        int version;
        int status;
        /** Where the status code starts, and where the status line ends (without its CR LF). */
        int statusStart;
        int statusLineEnd;
        int count;
        /** Per header: name start, name end, value start, value end (trimmed). */
        int[] at = new int[4 * 32];
        /** Per header: not to be passed on (hop-by-hop, or a duplicate of the framing). */
        boolean[] drop = new boolean[32];
        long contentLength;
        boolean transferEncoding;
        boolean chunked;
        boolean connectionClose;
        boolean connectionKeepAlive;
        Framing framing;

        /** A 101 to a request that asked to upgrade: Upgrade is the one hop-by-hop header passed on. */
        private boolean switching() {
            return status == 101 && upgradeRequested;
        }

        /** Whether the upstream lets the connection be reused after this response. */
        boolean keepAlive() {
            return version == 1 ? !connectionClose : connectionKeepAlive;
        }

        /** Passes a chunked body on as payload only (for a client that cannot read chunked). */
        void unchunk() {
            unchunk = true;
        }

        private String parse(ByteBuf in, int inFrom, int inTo) {
            if (buf.length < inTo - inFrom) {
                buf = new byte[Math.max(inTo - inFrom, 2 * buf.length)];
            }
            in.getBytes(inFrom, buf, 0, inTo - inFrom);
            byte[] b = buf;
            int from = 0;
            int to = inTo - inFrom;
            end = to;
            count = 0;
            contentLength = -1;
            transferEncoding = false;
            chunked = false;
            connectionClose = false;
            connectionKeepAlive = false;
            pendingDrops = null;
            int lineEnd = indexOf(b, from, to, (byte) '\n');
            int line = lineEnd > from && b[lineEnd - 1] == '\r' ? lineEnd - 1 : lineEnd;
            // HTTP/1.x SP 3DIGIT [SP reason]
            if (line - from < 12 || b[from] != 'H' || b[from + 1] != 'T' || b[from + 2] != 'T'
                    || b[from + 3] != 'P' || b[from + 4] != '/' || b[from + 5] != '1'
                    || b[from + 6] != '.' || b[from + 8] != ' ') {
                return "not an HTTP/1.x status line";
            }
            byte minor = b[from + 7];
            if (minor != '0' && minor != '1') {
                return "not an HTTP/1.x status line";
            }
            version = minor - '0';
            int s = 0;
            for (int i = from + 9; i < from + 12; i++) {
                byte d = b[i];
                if (d < '0' || d > '9') {
                    return "bad status code";
                }
                s = s * 10 + d - '0';
            }
            if (s < 100 || line > from + 12 && b[from + 12] != ' ') {
                return "bad status code";
            }
            status = s;
            statusStart = from + 9;
            statusLineEnd = line;
            for (int i = from + 12; i < line; i++) {
                if (control(b[i])) {
                    return "control character in the status line";
                }
            }
            int pos = lineEnd + 1;
            while (pos < to) {
                int lf = indexOf(b, pos, to, (byte) '\n');
                int eol = lf > pos && b[lf - 1] == '\r' ? lf - 1 : lf;
                if (eol == pos) {
                    break; // the blank line
                }
                String problem = header(b, pos, eol);
                if (problem != null) {
                    return problem;
                }
                pos = lf + 1;
            }
            applyConnectionDrops();
            if (transferEncoding) {
                for (int h = 0; h < count; h++) {
                    if (is(h, "content-length")) {
                        drop[h] = true; // RFC 9112 6.3: Transfer-Encoding overrides Content-Length
                    }
                }
            }
            return null;
        }

        private String header(byte[] b, int from, int to) {
            byte first = b[from];
            if (first == ' ' || first == '\t') {
                return "obs-fold in a response header";
            }
            int colon = -1;
            for (int i = from; i < to; i++) {
                byte c = b[i];
                if (c == ':') {
                    colon = i;
                    break;
                }
                if (!token(c)) {
                    return "bad character in a response header name";
                }
            }
            if (colon <= from) {
                return "response header without a name or a colon";
            }
            int vs = skipOws(colon + 1, to);
            int ve = trimOws(vs, to);
            for (int i = vs; i < ve; i++) {
                if (control(b[i])) {
                    return "control character in a response header value";
                }
            }
            if (count == MAX_HEADERS) {
                return "more than " + MAX_HEADERS + " response headers";
            }
            if (count == drop.length) {
                at = Arrays.copyOf(at, at.length * 2);
                drop = Arrays.copyOf(drop, drop.length * 2);
            }
            int h = count++;
            at[4 * h] = from;
            at[4 * h + 1] = colon;
            at[4 * h + 2] = vs;
            at[4 * h + 3] = ve;
            drop[h] = false;
            return classify(h);
        }

        /** Notes the headers that frame the body or describe the connection. */
        private String classify(int h) {
            if (is(h, "content-length")) {
                return contentLength(h);
            }
            if (is(h, "transfer-encoding")) {
                transferEncoding = true;
                chunked = lastCodingIsChunked(h);
            } else if (is(h, "connection")) {
                drop[h] = true;
                connectionTokens(h);
            } else if (is(h, "upgrade")) {
                drop[h] = !switching();
            } else {
                for (AsciiString name : HopByHop.ALWAYS) {
                    if (is(h, name)) {
                        drop[h] = true;
                        break;
                    }
                }
            }
            return null;
        }

        /** Skips optional whitespace (SP, HTAB) forward from {@code from}. */
        private int skipOws(int from, int to) {
            while (from < to && (buf[from] == ' ' || buf[from] == '\t')) {
                from++;
            }
            return from;
        }

        /** Where {@code [from, to)} ends without its trailing optional whitespace. */
        private int trimOws(int from, int to) {
            while (to > from && (buf[to - 1] == ' ' || buf[to - 1] == '\t')) {
                to--;
            }
            return to;
        }

        private String contentLength(int h) {
            int vs = at[4 * h + 2];
            int ve = at[4 * h + 3];
            // "n" or "n, n, ..." (all the same), possibly over several headers (RFC 9110 8.6)
            long value = -1;
            int i = vs;
            while (i <= ve) {
                i = skipOws(i, ve);
                long v = 0;
                int digits = 0;
                while (i < ve && buf[i] >= '0' && buf[i] <= '9') {
                    if (++digits > 18) {
                        return "Content-Length too large";
                    }
                    v = v * 10 + buf[i] - '0';
                    i++;
                }
                i = skipOws(i, ve);
                if (digits == 0 || i < ve && buf[i] != ',') {
                    return "bad Content-Length";
                }
                if (value >= 0 && v != value) {
                    return "conflicting Content-Length values";
                }
                value = v;
                i++;
            }
            if (contentLength >= 0 && contentLength != value) {
                return "conflicting Content-Length values";
            }
            contentLength = value;
            return null;
        }

        private boolean lastCodingIsChunked(int h) {
            int vs = at[4 * h + 2];
            int ve = at[4 * h + 3];
            int comma = ve;
            while (comma > vs && buf[comma - 1] != ',') {
                comma--;
            }
            return equalsIgnoreCase(skipOws(comma, ve), ve, "chunked");
        }

        private void connectionTokens(int h) {
            int vs = at[4 * h + 2];
            int ve = at[4 * h + 3];
            int i = vs;
            while (i < ve) {
                int e = indexOf(buf, i, ve, (byte) ',');
                if (e < 0) {
                    e = ve;
                }
                int s = skipOws(i, e);
                int t = trimOws(s, e);
                if (equalsIgnoreCase(s, t, "close")) {
                    connectionClose = true;
                } else if (equalsIgnoreCase(s, t, "keep-alive")) {
                    connectionKeepAlive = true;
                } else if (t > s && !(switching() && equalsIgnoreCase(s, t, "upgrade"))) {
                    dropNamed(s, t); // a header this connection's hop reserved for itself
                }
                i = e + 1;
            }
        }

        /** Drops the headers named {@code [s, t)}, before and after this one (marked when met). */
        private void dropNamed(int s, int t) {
            if (equalsIgnoreCase(s, t, "content-length") || equalsIgnoreCase(s, t, "transfer-encoding")) {
                return; // framing is never hop-by-hop to a proxy
            }
            if (pendingDrops == null) {
                pendingDrops = new ArrayList<>(2);
            }
            pendingDrops.add(new String(buf, s, t - s, StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT));
        }

        private List<String> pendingDrops;

        /** Marks the headers the Connection header named (once all are parsed). */
        private void applyConnectionDrops() {
            if (pendingDrops == null) {
                return;
            }
            for (int h = 0; h < count; h++) {
                for (String name : pendingDrops) {
                    if (is(h, name)) {
                        drop[h] = true;
                    }
                }
            }
            pendingDrops = null;
        }

        /** Whether header {@code h}'s name is {@code lower} (which must be lower case), ignoring case. */
        boolean is(int h, CharSequence lower) {
            return equalsIgnoreCase(at[4 * h], at[4 * h + 1], lower);
        }

        private boolean equalsIgnoreCase(int s, int e, CharSequence lower) {
            if (e - s != lower.length()) {
                return false;
            }
            for (int i = 0; i < lower.length(); i++) {
                int c = buf[s + i];
                if (c >= 'A' && c <= 'Z') {
                    c += 'a' - 'A';
                }
                if (c != lower.charAt(i)) {
                    return false;
                }
            }
            return true;
        }

        /** Copies header {@code h} as {@code Name: value} CR LF. */
        void writeHeader(int h, ByteBuf out) {
            out.writeBytes(buf, at[4 * h], at[4 * h + 1] - at[4 * h]);
            out.writeByte(':').writeByte(' ');
            out.writeBytes(buf, at[4 * h + 2], at[4 * h + 3] - at[4 * h + 2]);
            out.writeByte('\r').writeByte('\n');
        }

        /**
         * Copies the status line from the code on ({@code 200 OK}), without its line end; the space
         * after the code is written even when the upstream left it out with an empty reason.
         */
        void writeStatus(ByteBuf out) {
            out.writeBytes(buf, statusStart, statusLineEnd - statusStart);
            if (statusLineEnd == statusStart + 3) {
                out.writeByte(' ');
            }
        }

        int size() {
            return end;
        }
    }

    private static int indexOf(byte[] b, int from, int to, byte c) {
        for (int i = from; i < to; i++) {
            if (b[i] == c) {
                return i;
            }
        }
        return -1;
    }

    /** A control character other than HTAB (obs-text, 0x80-0xFF, is allowed). */
    private static boolean control(byte c) {
        return c != '\t' && (c >= 0 && c < 0x20 || c == 0x7f);
    }

    private static boolean token(byte c) {
        if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
            return true;
        }
        return switch (c) {
            case '!', '#', '$', '%', '&', '\'', '*', '+', '-', '.', '^', '_', '`', '|', '~' -> true;
            default -> false;
        };
    }

    // ---- chunked body

    private void startChunk() {
        state = State.CHUNK_SIZE;
        remaining = 0;
        lineLength = 0;
        sawDigit = false;
    }

    /**
     * Walks the chunked framing. Raw mode hands on everything it walked over; unchunk mode only the
     * chunk data.
     */
    private void readChunked(ByteBuf buf) {
        int from = buf.readerIndex();
        int i = from;
        int to = buf.writerIndex();
        int payload = 0;
        while (i < to && state != State.DONE && state != State.FAILED) {
            switch (state) {
                case CHUNK_SIZE -> {
                    byte c = buf.getByte(i);
                    int d = hex(c);
                    if (d >= 0) {
                        if (remaining > (Long.MAX_VALUE >> 5)) {
                            fail("chunk size too large");
                            return;
                        }
                        remaining = remaining * 16 + d;
                        sawDigit = true;
                        i++;
                    } else if (!sawDigit) {
                        fail("bad chunk size");
                        return;
                    } else if (c == ';' || c == ' ' || c == '\t') {
                        state = State.CHUNK_EXT;
                        i++;
                    } else if (c == '\r') {
                        state = State.CHUNK_LF;
                        i++;
                    } else if (c == '\n') {
                        i++;
                        chunkLineDone();
                    } else {
                        fail("bad chunk size");
                        return;
                    }
                    if (++lineLength > MAX_CHUNK_LINE) {
                        fail("chunk size line too long");
                        return;
                    }
                }
                case CHUNK_EXT -> {
                    int lf = buf.indexOf(i, to, (byte) '\n');
                    int stop = lf < 0 ? to : lf + 1;
                    lineLength += stop - i;
                    if (lineLength > MAX_CHUNK_LINE) {
                        fail("chunk extension too long");
                        return;
                    }
                    i = stop;
                    if (lf >= 0) {
                        chunkLineDone();
                    }
                }
                case CHUNK_LF -> {
                    if (buf.getByte(i) != '\n') {
                        fail("bad chunk size line");
                        return;
                    }
                    i++;
                    chunkLineDone();
                }
                case CHUNK_DATA -> {
                    int n = (int) Math.min(remaining, to - i);
                    if (unchunk) {
                        buf.readerIndex(i);
                        emit(buf, n, n);
                        if (state != State.CHUNK_DATA) {
                            return; // the listener gave up
                        }
                    }
                    payload += n;
                    i += n;
                    remaining -= n;
                    if (remaining == 0) {
                        state = State.CHUNK_CR;
                    }
                }
                case CHUNK_CR -> {
                    byte c = buf.getByte(i);
                    if (c == '\r') {
                        state = State.CHUNK_LF;
                        remaining = -1; // marks "the CR LF after data", see chunkLineDone
                        i++;
                    } else if (c == '\n') {
                        i++;
                        startChunk();
                    } else {
                        fail("chunk data longer than its size");
                        return;
                    }
                }
                case TRAILERS -> {
                    // trailer lines until an empty one; a line may span reads, so only its length
                    // and whether it is just a CR so far are kept
                    int lf = buf.indexOf(i, to, (byte) '\n');
                    int stop = lf < 0 ? to : lf;
                    int n = stop - i;
                    if (n > 0) {
                        lineOnlyCr = lineLength == 0 && n == 1 && buf.getByte(i) == '\r';
                        lineLength += n;
                        trailerBytes += n;
                        if (trailerBytes > MAX_TRAILERS) {
                            fail("trailers too large");
                            return;
                        }
                    }
                    if (lf < 0) {
                        i = to;
                    } else {
                        i = lf + 1;
                        if (lineLength == 0 || lineOnlyCr) {
                            state = State.DONE;
                        }
                        lineLength = 0;
                        lineOnlyCr = false;
                    }
                }
                default -> throw new IllegalStateException(state.name());
            }
        }
        boolean done = state == State.DONE;
        if (!unchunk) {
            buf.readerIndex(from);
            emit(buf, i - from, payload);
        } else {
            buf.readerIndex(i);
        }
        if (done && state == State.DONE) {
            events.end();
        }
    }

    /** The line after a chunk size (or after chunk data) ended. */
    private void chunkLineDone() {
        if (remaining == -1) {
            startChunk(); // the CR LF after a chunk's data
        } else if (remaining == 0) {
            state = State.TRAILERS;
            trailerBytes = 0;
            lineLength = 0;
            lineOnlyCr = false;
        } else {
            state = State.CHUNK_DATA;
        }
    }

    private static int hex(byte c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }
}
