package dev.podkit.logsidecar.lines;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
            }
        }
        byte[] two = "ab\ncd\n".getBytes(StandardCharsets.UTF_8);
        assertEquals(5, LineSplitter.indexOf(two, 3, two.length));
    }
}
