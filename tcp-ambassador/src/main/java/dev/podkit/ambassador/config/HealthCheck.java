package dev.podkit.ambassador.config;

import java.time.Duration;

/**
 * Active TCP health checks of every resolved address of a listener's targets: a connect every
 * {@code interval}; {@code fall} failures in a row mark an address down, {@code rise} successes
 * in a row mark it up again.
 *
 * @param interval zero switches active checks off
 */
public record HealthCheck(Duration interval, Duration timeout, int rise, int fall) {
    public HealthCheck {
        if (interval == null || timeout == null) {
            throw new IllegalArgumentException("interval and timeout are required");
        }
        if (!interval.isZero() && timeout.isZero()) {
            throw new IllegalArgumentException("the health check timeout must be more than 0");
        }
        if (rise < 1 || fall < 1) {
            throw new IllegalArgumentException("rise and fall must be at least 1");
        }
    }

    public boolean enabled() {
        return !interval.isZero();
    }
}
