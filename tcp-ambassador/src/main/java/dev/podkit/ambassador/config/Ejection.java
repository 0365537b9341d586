package dev.podkit.ambassador.config;

import java.time.Duration;

/**
 * Passive ejection: an address whose connects failed {@code after} times in a row is skipped for
 * {@code duration}; after that one more failure ejects it again, one success clears it.
 *
 * @param after zero switches passive ejection off
 */
public record Ejection(int after, Duration duration) {
    public Ejection {
        if (after < 0) {
            throw new IllegalArgumentException("after must be 0 (off) or more");
        }
        if (duration == null || (after > 0 && duration.isZero())) {
            throw new IllegalArgumentException("the ejection duration must be more than 0");
        }
    }

    public boolean enabled() {
        return after > 0;
    }
}
