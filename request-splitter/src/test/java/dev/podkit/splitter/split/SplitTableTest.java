package dev.podkit.splitter.split;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SplitTableTest {
    static SplitTable<String> table(String... lines) {
        List<SplitTable.Line<String>> parsed = java.util.Arrays.stream(lines).map(l -> {
            String[] p = l.split(" ");
            return new SplitTable.Line<>(Weight.parse(p[0]), p[1]);
        }).toList();
        return new SplitTable<>(parsed);
    }

    static final SplitTable<String> FIVE = table("12.5% a", "33.33% b", "0.5% c", "20% d", "* e");

    /** Recorded from nginx 1.22.1: split_clients $arg_token $w { 12.5% a; 33.33% b; 0.5% c; 20% d; * e; }. */
    @ParameterizedTest(name = "\"{0}\" -> {1}")
    @CsvSource(delimiter = '|', value = {"''|a", "a|d", "b|d", "abc|a", "token|d", "0|b", "1|b", "2|b", "3|d", "42|d",
            "user-1|a", "user-2|b", "user-3|e", "user-4|a", "user-5|b", "user-6|d", "user-7|b", "user-8|e", "%C3%A9|b",
            "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx|a", "12345678|e", "1234567|d", "123456|b", "12345|e"})
    void bucketsAsNginxDoes(String key, String expected) {
        assertEquals(expected, FIVE.pick(key.getBytes(StandardCharsets.ISO_8859_1)));
    }

    @Test
    void thresholdsAreCumulativeWithIntegerDivisionPerLine() {
        // 1250 * 0xffffffff / 10000 = 536870911 (.875 dropped), then + 3333 * ... and so on
        long[] t = FIVE.thresholds();
        assertEquals(536_870_911L, t[0]);
        assertEquals(536_870_911L + 3333L * 0xffffffffL / 10000, t[1]);
        assertEquals(t[1] + 50L * 0xffffffffL / 10000, t[2]);
        assertEquals(-1L, t[4]);
        assertEquals(2_147_483_647L, table("50% a", "50% b").thresholds()[0]);
    }

    @Test
    void comparisonIsStrictAndTheRestTakesEverythingAfter() {
        SplitTable<String> half = table("50% a", "* b");
        assertEquals("a", half.pick(2_147_483_646L));
        assertEquals("b", half.pick(2_147_483_647L));
        assertEquals("b", half.pick(0xffffffffL));
        assertEquals("a", half.pick(0L));
    }

    @Test
    void theEmptyKeyHashesToZeroAndLandsOnTheFirstLine() {
        assertEquals(0L, MurmurHash2.hash(new byte[0]));
        assertEquals("a", FIVE.pick(new byte[0]));
    }

    @Test
    void withoutRestTheRoundingGapGoesToTheLastLine() {
        SplitTable<String> half = table("50% a", "50% b");
        assertEquals("b", half.pick(0xffffffffL)); // nginx: empty variable
    }

    @Test
    void weightZeroLinesTakeNoKeys() {
        SplitTable<String> drained = table("0% a", "50% b", "* c");
        assertEquals("b", drained.pick(0L));
        for (int i = 0; i < 1000; i++) {
            assertTrue(!drained.pick(("k" + i).getBytes(StandardCharsets.UTF_8)).equals("a"));
        }
    }

    @Test
    void badTablesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> table("60% a", "50% b"));
        assertThrows(IllegalArgumentException.class, () -> table("* a", "10% b"));
        assertThrows(IllegalArgumentException.class, () -> table("40% a", "40% b"));
        assertThrows(IllegalArgumentException.class, () -> table("0% a"));
    }

    @Test
    void randomPicksFollowTheWeights() {
        SplitTable<String> t = table("10% a", "* b");
        int a = 0;
        for (int i = 0; i < 20_000; i++) {
            if (t.pickRandom().equals("a")) {
                a++;
            }
        }
        assertTrue(a > 1500 && a < 2500, "about 10% of 20000: " + a);
    }

    @Test
    void hashOfASliceEqualsHashOfTheBytes() {
        byte[] all = "xxabcdefgyy".getBytes(StandardCharsets.US_ASCII);
        for (int len = 0; len <= 7; len++) {
            byte[] part = java.util.Arrays.copyOfRange(all, 2, 2 + len);
            assertEquals(MurmurHash2.hash(part), MurmurHash2.hash(all, 2, len));
        }
    }
}
