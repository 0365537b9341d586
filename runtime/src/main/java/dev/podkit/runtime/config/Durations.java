package dev.podkit.runtime.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations in HAProxy's syntax ({@code 500ms}, {@code 5s}, {@code 10m}, {@code 1h}, {@code 1d},
 * {@code 250us}), so that values copied from an HAProxy or tecnativa/tcp-proxy setup keep their
 * meaning. As in HAProxy, a bare number is milliseconds.
 */
public final class Durations {
    public static final String EXPECTED = "a duration such as 500ms, 5s, 10m, 1h or 1d";

    private static final Pattern FORMAT = Pattern.compile("(\\d{1,12})(us|ms|s|m|h|d)?");

    private Durations() {
    }

    public static Duration parse(String text) {
        Matcher m = FORMAT.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException(EXPECTED);
        }
        long amount = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "ms" : m.group(2);
        return switch (unit) {
            case "us" -> Duration.ofNanos(Math.multiplyExact(amount, 1000L));
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            case "d" -> Duration.ofDays(amount);
            default -> throw new IllegalArgumentException(EXPECTED);
        };
    }

    /** The shortest exact rendering in the same syntax, for the startup line and the docs. */
    public static String format(Duration d) {
        long nanos = d.toNanos();
        if (nanos == 0) {
            return "0s";
        }
        long[] sizes = {86_400_000_000_000L, 3_600_000_000_000L, 60_000_000_000L, 1_000_000_000L, 1_000_000L, 1_000L};
        String[] units = {"d", "h", "m", "s", "ms", "us"};
        for (int i = 0; i < sizes.length; i++) {
            if (nanos % sizes[i] == 0) {
                return nanos / sizes[i] + units[i];
            }
        }
        return nanos / 1000 + "us";
    }
}
