package dev.podkit.ambassador.config;

import java.time.Duration;
import java.util.Objects;

/**
 * The timeouts of one listener, in HAProxy's meaning. Zero switches an inactivity timeout off.
 *
 * @param connect per connection attempt to a target (and for a PROXY header or TLS handshake of a client)
 * @param client inactivity on the client side (no byte received from or forwarded to it)
 * @param server inactivity on the target side
 * @param tunnel inactivity once the target is connected; when set it replaces {@code client} and {@code server}
 * @param clientFin inactivity on the client side once a FIN has passed in either direction
 * @param serverFin inactivity on the target side once a FIN has passed in either direction
 */
public record Timeouts(Duration connect, Duration client, Duration server, Duration tunnel, Duration clientFin,
        Duration serverFin) {
    public Timeouts {
        Objects.requireNonNull(connect, "connect");
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(tunnel, "tunnel");
        Objects.requireNonNull(clientFin, "clientFin");
        Objects.requireNonNull(serverFin, "serverFin");
        if (connect.isZero()) {
            throw new IllegalArgumentException("the connect timeout must be more than 0");
        }
    }

    /** The inactivity limit while both directions are open, in nanoseconds; 0 for none. */
    public long openIdleNanos() {
        if (!tunnel.isZero()) {
            return tunnel.toNanos();
        }
        return smallestNonZero(client, server);
    }

    /** The inactivity limit once one direction is shut, in nanoseconds; 0 for none. */
    public long halfClosedIdleNanos() {
        long fin = smallestNonZero(clientFin, serverFin);
        return fin != 0 ? fin : openIdleNanos();
    }

    private static long smallestNonZero(Duration a, Duration b) {
        if (a.isZero()) {
            return b.toNanos();
        }
        if (b.isZero()) {
            return a.toNanos();
        }
        return Math.min(a.toNanos(), b.toNanos());
    }
}
