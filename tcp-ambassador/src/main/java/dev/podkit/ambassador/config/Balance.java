package dev.podkit.ambassador.config;

import java.util.Locale;

/** How a listener picks a target address for a new connection. */
public enum Balance {
    /** Smooth weighted round-robin (nginx's algorithm): even spread, no bursts. */
    ROUND_ROBIN,
    /** The fewest active connections relative to weight. */
    LEAST_CONNECTIONS,
    /** Two addresses drawn at random by weight, the one with fewer active connections wins. */
    POWER_OF_TWO;

    public static final String EXPECTED = "one of round-robin, least-connections, power-of-two";

    public static Balance parse(String text) {
        for (Balance b : values()) {
            if (b.text().equalsIgnoreCase(text.trim())) {
                return b;
            }
        }
        throw new IllegalArgumentException("expected " + EXPECTED + ", got \"" + text + "\"");
    }

    public String text() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
