package dev.podkit.ambassador.config;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One listener and its route: where to accept connections and where to forward them.
 *
 * @param name the route's name in metrics and logs
 * @param maxConnections 0 for no limit but the process's file descriptors
 */
public record ListenerConfig(String name, HostPort listen, List<TargetConfig> targets, Balance balance, int retries,
        Timeouts timeouts, HealthCheck healthCheck, Ejection ejection, int maxConnections, boolean acceptProxy,
        Optional<ServerTls> tls) {
    public ListenerConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(listen, "listen");
        targets = List.copyOf(targets);
        Objects.requireNonNull(balance, "balance");
        Objects.requireNonNull(timeouts, "timeouts");
        Objects.requireNonNull(healthCheck, "healthCheck");
        Objects.requireNonNull(ejection, "ejection");
        Objects.requireNonNull(tls, "tls");
        if (targets.isEmpty()) {
            throw new IllegalArgumentException("listener " + name + " has no targets");
        }
        if (retries < 0 || retries > 10) {
            throw new IllegalArgumentException("retries must be 0-10, got " + retries);
        }
        if (maxConnections < 0) {
            throw new IllegalArgumentException("maxConnections must be 0 (no limit) or more, got " + maxConnections);
        }
    }

    /** Whether bytes can move by splice(2) between the two sockets: neither side speaks TLS. */
    public boolean plainOnBothSides(TargetConfig target) {
        return tls.isEmpty() && target.tls().isEmpty();
    }
}
