package dev.podkit.splitter.split;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The bucket table of nginx's {@code split_clients}: per line, in order, a cumulative threshold
 * {@code last += percent * 0xffffffff / 10000} (64-bit product, integer division per line, as nginx
 * computes it at configuration time); a key goes to the first line with {@code hash < threshold}
 * (strict, unsigned), a {@code *} line takes every hash that reaches it. Lines at weight 0 are
 * skipped (nginx has no such lines). A hash past the last threshold (only possible without a
 * {@code *} line, from integer rounding) goes to the last line with a weight; nginx would yield an
 * empty variable there.
 *
 * @param <V> what a line names (a variant)
 */
public final class SplitTable<V> {
    private final List<V> targets = new ArrayList<>();
    private final long[] thresholds; // -1 marks '*'
    private final V fallback;

    /** One line of the table. */
    public record Line<V>(Weight weight, V target) {
        public Line {
            Objects.requireNonNull(weight);
            Objects.requireNonNull(target);
        }
    }

    /**
     * @throws IllegalArgumentException when the percentages add up to more than 100%, a line
     *         follows a {@code *} line, or there are no lines with a weight above 0
     */
    public SplitTable(List<Line<V>> lines) {
        long sum = 0;
        long last = 0;
        List<Long> limits = new ArrayList<>();
        boolean restSeen = false;
        V lastWeighted = null;
        for (Line<V> line : lines) {
            Weight w = line.weight();
            if (w.isZero()) {
                continue;
            }
            if (restSeen) {
                throw new IllegalArgumentException("a variant with a weight follows the '*' variant; '*' must come last");
            }
            lastWeighted = line.target();
            if (w.rest()) {
                restSeen = true;
                targets.add(line.target());
                limits.add(-1L);
                continue;
            }
            sum += w.hundredths();
            if (sum > 10_000) {
                throw new IllegalArgumentException("weights add up to more than 100%");
            }
            last += (long) w.hundredths() * 0xffffffffL / 10_000;
            targets.add(line.target());
            limits.add(last);
        }
        if (targets.isEmpty()) {
            throw new IllegalArgumentException("no variant has a weight above 0");
        }
        if (!restSeen && sum < 10_000) {
            throw new IllegalArgumentException("weights add up to " + new Weight((int) sum, false)
                    + ", not 100%; give the last variant the weight '*' to take the rest");
        }
        thresholds = limits.stream().mapToLong(Long::longValue).toArray();
        fallback = lastWeighted;
    }

    /** The line a 32-bit unsigned hash falls on. */
    public V pick(long hash) {
        for (int i = 0; i < thresholds.length; i++) {
            long limit = thresholds[i];
            if (limit < 0 || hash < limit) {
                return targets.get(i);
            }
        }
        return fallback;
    }

    /** The line of a key's raw bytes, as {@code split_clients} buckets it. */
    public V pick(byte[] key) {
        return pick(MurmurHash2.hash(key));
    }

    /** A weighted random line, for clients that have no key (sticky-cookie assignment). */
    public V pickRandom() {
        return pick(ThreadLocalRandom.current().nextLong(0x1_0000_0000L));
    }

    /** The cumulative thresholds, {@code -1} for {@code *}: for diagnostics and tests. */
    public long[] thresholds() {
        return thresholds.clone();
    }
}
