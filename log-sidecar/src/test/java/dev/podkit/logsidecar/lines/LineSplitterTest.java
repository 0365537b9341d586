package dev.podkit.logsidecar.lines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LineSplitterTest {
    /** What the splitter emitted, as "text|start-end|flags" (and "skip-end"). */
    private final List<String> got = new ArrayList<>();
    private final LineSplitter.Sink sink = new LineSplitter.Sink() {
        @Override
        public void line(byte[] bytes, int offset, int length, long start, long end, int flags) {
            got.add(new String(bytes, offset, length, StandardCharsets.UTF_8) + "|" + start + "-" + end + "|" + flags);
        }

        @Override
        public void skipped(long end) {
            got.add("skip-" + end);
        }
    };

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @ParameterizedTest(name = "chunks of {0} bytes")
    @ValueSource(ints = {1, 2, 3, 7, 1000})
    void linesComeOutWholeWithTheirOffsetsHoweverTheBytesArrive(int chunk) throws Exception {
        LineSplitter s = new LineSplitter(1024, false);
        byte[] all = b("one\ntwo\n\nthree\nfour-partial");
        for (int i = 0; i < all.length; i += chunk) {
            s.feed(all, i, Math.min(chunk, all.length - i), 0, sink);
        }
        assertEquals(List.of("one|0-4|0", "two|4-8|0", "|8-9|0", "three|9-15|0"), got);
        assertEquals(12, s.pendingLength(), "the partial line is held");
        assertEquals(all.length, s.position());
    }

    @Test
    void aPartialLineIsEmittedOnceWhenFlushedAndItsRestBecomesTheNextLine() throws Exception {
        LineSplitter s = new LineSplitter(1024, false);
        s.feed(b("abc"), 0, 3, 0, sink);
        assertEquals(List.of(), got);
        s.flushPartial(sink);
        s.flushPartial(sink); // nothing held any more: not emitted twice
        s.feed(b("def\n"), 0, 4, 0, sink);
        assertEquals(List.of("abc|0-3|" + LineSplitter.PARTIAL, "def|3-7|0"), got);
    }

    @Test
    void aLongLineIsSplitIntoPiecesOfAtMostTheMaximumAndTheFileGoesOn() throws Exception {
        LineSplitter s = new LineSplitter(4, false);
        s.feed(b("abcdefghij\nok\n"), 0, 14, 0, sink);
        assertEquals(List.of("abcd|0-4|1", "efgh|4-8|1", "ij|8-11|0", "ok|11-14|0"), got);
    }

    @Test
    void splittingNeverCutsAUtf8Sequence() throws Exception {
        LineSplitter s = new LineSplitter(4, false);
        byte[] line = b("ab漢字\n"); // 1 + 1 + 3 + 3 bytes: cuts at 4 would fall inside 漢, then inside 字
        s.feed(line, 0, line.length, 0, sink);
        assertEquals(List.of("ab|0-2|1", "漢|2-5|1", "字|5-9|0"), got);
    }

    @Test
    void aTruncatedLineKeepsItsStartAndSkipsTheRest() throws Exception {
        LineSplitter s = new LineSplitter(4, true);
        byte[] in = b("abcdefghij\nok\n");
        s.feed(in, 0, 6, 0, sink);
        s.feed(in, 6, in.length - 6, 0, sink);
        assertEquals(List.of("abcd|0-4|2", "skip-6", "skip-11", "ok|11-14|0"), got);
    }

    @Test
    void utf8BoundaryBacksUpOnlyOverAnIncompleteSequence() {
        assertEquals(3, LineSplitter.utf8Boundary(b("abc"), 3));
        byte[] han = b("a漢");
        assertEquals(1, LineSplitter.utf8Boundary(han, 3), "漢 incomplete");
        assertEquals(4, LineSplitter.utf8Boundary(han, 4), "漢 complete");
        assertEquals(2, LineSplitter.utf8Boundary(new byte[] {(byte) 0xff, (byte) 0xfe}, 2), "invalid bytes: no back-up");
    }

    @Test
    void theWordAtATimeSearchFindsEveryNewlinePosition() {
        for (int len = 0; len < 40; len++) {
            for (int at = 0; at <= len; at++) {
                byte[] b = new byte[len];
                java.util.Arrays.fill(b, (byte) 0x8A); // high bytes around: no false matches
                if (at < len) {
                    b[at] = '\n';
                }
                assertEquals(at < len ? at : -1, LineSplitter.indexOf(b, 0, len), "length " + len + ", newline at " + at);
                // 0x0B is one above '\n': a borrow from the newline's byte marks it too, which must not win.
                for (byte around : new byte[] {(byte) 0x8A, 0x0B}) {
                    java.util.Arrays.fill(b, around);
                    if (at < len) {
                        b[at] = '\n';
                    }
                    ByteBuffer direct = ByteBuffer.allocateDirect(len + 1).order(ByteOrder.LITTLE_ENDIAN).put(1, b);
                    assertEquals(at < len ? at + 1 : -1, LineSplitter.indexOf(direct, 1, len + 1), "buffer, length " + len + ", newline at " + at);
                }
            }
        }
        byte[] two = "ab\ncd\n".getBytes(StandardCharsets.UTF_8);
        assertEquals(5, LineSplitter.indexOf(two, 3, two.length));
    }

    /** Records like {@link #sink}, but takes runs of whole lines (from a buffer) and checks what each run promises. */
    private static LineSplitter.Sink runSink(List<String> into, int max, int[] runs) {
        return new LineSplitter.Sink() {
            @Override
            public void line(byte[] bytes, int offset, int length, long start, long end, int flags) {
                into.add(new String(bytes, offset, length, StandardCharsets.UTF_8) + "|" + start + "-" + end + "|" + flags);
            }

            @Override
            public void skipped(long end) {
                into.add("skip-" + end);
            }

            @Override
            public void run(ByteBuffer buffer, int offset, int length, long start, long end, int count) {
                runs[0]++;
                byte[] bytes = new byte[buffer.capacity()];
                buffer.get(0, bytes);
                assertEquals('\n', bytes[offset + length - 1], "a run ends with a newline");
                assertEquals(start + length, end);
                int lines = 0;
                long at = start;
                for (int i = offset, from = offset; i < offset + length; i++) {
                    if (bytes[i] == '\n') {
                        assertTrue(i - from <= max, "no line in a run is longer than the maximum");
                        into.add(new String(bytes, from, i - from, StandardCharsets.UTF_8) + "|" + at + "-" + (at + i - from + 1) + "|0");
                        at += i - from + 1;
                        from = i + 1;
                        lines++;
                    }
                }
                assertEquals(lines, count, "the run's line count");
            }
        };
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8})
    void aDirectBufferInRunsGivesExactlyWhatAByteArrayLineByLineGives(int seed) throws Exception {
        java.util.Random random = new java.util.Random(seed);
        StringBuilder text = new StringBuilder();
        for (int l = 0; l < 400; l++) {
            int len = random.nextInt(10) == 0 ? random.nextInt(60) : random.nextInt(12);
            for (int c = 0; c < len; c++) {
                text.append((char) ('a' + random.nextInt(26)));
            }
            text.append(random.nextInt(30) == 0 ? "\n\n" : "\n");
        }
        text.append("tail-without-newline");
        byte[] all = b(text.toString());
        int max = 8 + random.nextInt(40);
        boolean truncate = random.nextBoolean();
        List<String> byLine = new ArrayList<>();
        List<String> byRun = new ArrayList<>();
        int[] runs = {0};
        LineSplitter.Sink lineSink = runSink(byLine, max, new int[1]);
        LineSplitter.Sink perLine = new LineSplitter.Sink() {
            @Override
            public void line(byte[] bytes, int offset, int length, long start, long end, int flags) throws java.io.IOException {
                lineSink.line(bytes, offset, length, start, end, flags);
            }

            @Override
            public void skipped(long end) throws java.io.IOException {
                lineSink.skipped(end);
            }
        };
        LineSplitter a = new LineSplitter(max, truncate);
        LineSplitter r = new LineSplitter(max, truncate);
        LineSplitter.Sink withRuns = runSink(byRun, max, runs);
        for (int i = 0; i < all.length; ) {
            int n = Math.min(all.length - i, 1 + random.nextInt(3 * max));
            a.feed(all, i, n, 0, perLine);
            // At an offset in a direct buffer with bytes around it that are not fed, as the tailer's read buffer.
            int at = random.nextInt(9);
            ByteBuffer direct = ByteBuffer.allocateDirect(at + n + 9).order(ByteOrder.LITTLE_ENDIAN);
            for (int k = 0; k < direct.capacity(); k++) {
                direct.put(k, (byte) '\n');
            }
            direct.put(at, all, i, n);
            r.feed(direct, at, n, 0, withRuns);
            i += n;
        }
        a.flushPartial(perLine);
        r.flushPartial(withRuns);
        assertEquals(byLine, byRun);
        assertEquals(a.position(), r.position());
        assertTrue(runs[0] > 0, "runs were used");
    }

    @Test
    void newlinesAreCountedExactlyWordByWord() {
        // Bytes that trip word-wise tests: 0x0B (a borrow from '\n' reaches it), 0x8A (high bit), NUL, '\n' runs.
        byte[] alphabet = {'\n', '\n', 0x01, 0x0B, 0x0A ^ 0x01, (byte) 0x8A, 0x00, 'x', (byte) 0xFF};
        java.util.Random random = new java.util.Random(7);
        for (int round = 0; round < 200; round++) {
            byte[] bytes = new byte[random.nextInt(300)];
            for (int i = 0; i < bytes.length; i++) {
                bytes[i] = alphabet[random.nextInt(alphabet.length)];
            }
            ByteBuffer buffer = ByteBuffer.allocateDirect(bytes.length).order(ByteOrder.LITTLE_ENDIAN).put(0, bytes);
            int from = bytes.length == 0 ? 0 : random.nextInt(bytes.length);
            for (int to = from; to <= bytes.length; to++) {
                int expected = 0;
                for (int i = from; i < to; i++) {
                    expected += bytes[i] == '\n' ? 1 : 0;
                }
                assertEquals(expected, LineSplitter.countNewlines(buffer, from, to), from + ".." + to);
            }
        }
    }
}
