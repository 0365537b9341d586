package dev.podkit.splitter.config;

import dev.podkit.splitter.split.Weight;
import java.util.List;

/**
 * Traffic mirroring: a share of the requests is copied to a shadow upstream, whose responses are
 * discarded. Requests with bodies larger than {@code maxBodyBytes} are not mirrored.
 */
public record MirrorConfig(List<ServerAddress> servers, Weight percent, int maxBodyBytes, int maxInFlight) {
    public MirrorConfig {
        if (servers == null || servers.isEmpty()) {
            throw new IllegalArgumentException("mirror: no servers");
        }
        servers = List.copyOf(servers);
        if (percent == null || percent.rest()) {
            throw new IllegalArgumentException("mirror percent: " + Weight.EXPECTED.replace(", or * for the rest", ""));
        }
        if (maxBodyBytes < 0) {
            throw new IllegalArgumentException("mirror max_body_bytes must not be negative");
        }
        if (maxInFlight <= 0) {
            maxInFlight = 64;
        }
    }
}
