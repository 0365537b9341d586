package dev.podkit.ambassador.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The YAML form of the configuration ({@code CONFIG_FILE}), bound strictly by the runtime's
 * {@code YamlFiles}. Every field but {@code listen} and {@code targets[].address} is optional and
 * defaults to the matching environment setting, so the file can say everything the environment
 * can, per listener and per target:
 *
 * <pre>
 * listeners:
 *   - name: postgres                # route name in metrics and logs (default: the listen address)
 *     listen: "127.0.0.1:5432"
 *     balance: least-connections    # round-robin | least-connections | power-of-two
 *     retries: 2
 *     maxConnections: 500
 *     acceptProxy: false
 *     timeouts: {connect: 3s, client: 0s, server: 0s, tunnel: 1h, clientFin: 30s, serverFin: 30s}
 *     healthCheck: {interval: 5s, timeout: 1s, rise: 2, fall: 3}
 *     ejection: {after: 3, duration: 30s}
 *     tls: {certFile: /tls/tls.crt, keyFile: /tls/tls.key}     # terminate TLS from clients
 *     targets:
 *       - address: "db-primary.db.svc.cluster.local:5432"
 *         weight: 3
 *         sendProxy: v2                # off | v1 | v2
 *         tls: {caFile: /ca/ca.crt, serverName: db.example.com, verify: true, certFile: /mtls/tls.crt, keyFile: /mtls/tls.key}
 *       - address: "db-replica.db.svc.cluster.local:5432"
 * </pre>
 */
public record ConfigFile(List<Listener> listeners) {
    public ConfigFile {
        if (listeners == null || listeners.isEmpty()) {
            throw new IllegalArgumentException("listeners: at least one is required");
        }
        Set<String> names = new HashSet<>();
        Set<String> addresses = new HashSet<>();
        for (Listener l : listeners) {
            if (!names.add(l.routeName())) {
                throw new IllegalArgumentException("two listeners are named " + l.routeName());
            }
            if (!addresses.add(l.listenAddress().toString())) {
                throw new IllegalArgumentException("two listeners listen on " + l.listenAddress());
            }
        }
        listeners = List.copyOf(listeners);
    }

    public record Listener(String name, String listen, List<Target> targets, String balance, Integer retries,
            TimeoutsBlock timeouts, HealthCheckBlock healthCheck, EjectionBlock ejection, Integer maxConnections,
            Boolean acceptProxy, ServerTlsBlock tls) {
        public Listener {
            if (listen == null) {
                throw new IllegalArgumentException("listen is required, e.g. \":8080\"");
            }
            HostPort.listen(listen);
            if (targets == null || targets.isEmpty()) {
                throw new IllegalArgumentException("targets: at least one is required");
            }
            if (balance != null) {
                Balance.parse(balance);
            }
            if (name != null && !name.matches("[A-Za-z0-9_.:\\[\\]-]{1,64}")) {
                throw new IllegalArgumentException("name \"" + name + "\" must be 1-64 letters, digits or _.:-");
            }
        }

        HostPort listenAddress() {
            return HostPort.listen(listen);
        }

        String routeName() {
            return name != null ? name : listenAddress().toString();
        }
    }

    public record Target(String address, Integer weight, String sendProxy, ClientTlsBlock tls) {
        public Target {
            if (address == null) {
                throw new IllegalArgumentException("address is required, e.g. \"db:5432\"");
            }
            HostPort.target(address);
            if (sendProxy != null) {
                ProxyProtocol.parse(sendProxy);
            }
            if (weight != null && (weight < 1 || weight > 1000)) {
                throw new IllegalArgumentException("weight must be 1-1000, got " + weight);
            }
        }
    }

    public record TimeoutsBlock(Duration connect, Duration client, Duration server, Duration tunnel,
            Duration clientFin, Duration serverFin) {
    }

    public record HealthCheckBlock(Duration interval, Duration timeout, Integer rise, Integer fall) {
    }

    public record EjectionBlock(Integer after, Duration duration) {
    }

    public record ServerTlsBlock(String certFile, String keyFile) {
        public ServerTlsBlock {
            if (certFile == null || keyFile == null) {
                throw new IllegalArgumentException("tls needs certFile and keyFile");
            }
        }

        ServerTls toConfig() {
            return new ServerTls(Path.of(certFile), Path.of(keyFile));
        }
    }

    public record ClientTlsBlock(Boolean enabled, String caFile, String serverName, Boolean verify, String certFile,
            String keyFile) {
        public ClientTlsBlock {
            if (!Boolean.FALSE.equals(enabled)) {
                toConfig(caFile, serverName, verify, certFile, keyFile);
            }
        }

        Optional<ClientTls> toConfig() {
            return Boolean.FALSE.equals(enabled) ? Optional.empty()
                    : Optional.of(toConfig(caFile, serverName, verify, certFile, keyFile));
        }

        private static ClientTls toConfig(String caFile, String serverName, Boolean verify, String certFile,
                String keyFile) {
            return new ClientTls(Optional.ofNullable(caFile).map(Path::of), Optional.ofNullable(serverName),
                    verify == null || verify, Optional.ofNullable(certFile).map(Path::of),
                    Optional.ofNullable(keyFile).map(Path::of));
        }
    }
}
