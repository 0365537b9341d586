package dev.podkit.ambassador.config;

import java.util.Objects;
import java.util.Optional;

/**
 * One configured target of a listener. A name that resolves to several addresses gives several
 * endpoints, which share the target's weight.
 */
public record TargetConfig(HostPort address, int weight, ProxyProtocol sendProxy, Optional<ClientTls> tls) {
    public TargetConfig {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(sendProxy, "sendProxy");
        Objects.requireNonNull(tls, "tls");
        if (weight < 1 || weight > 1000) {
            throw new IllegalArgumentException("weight must be 1-1000, got " + weight);
        }
    }

    @Override
    public String toString() {
        return address.toString();
    }
}
