package dev.podkit.ambassador.config;

import static dev.podkit.ambassador.config.AmbassadorSettings.*;

import dev.podkit.runtime.config.Config;
import dev.podkit.runtime.config.ConfigException;
import dev.podkit.runtime.config.YamlFiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Builds the listeners from the environment ({@code LISTEN}/{@code TALK}) or from
 * {@code CONFIG_FILE}, with the other environment settings as every listener's defaults.
 */
public final class ListenerConfigs {
    private ListenerConfigs() {
    }

    public static List<ListenerConfig> from(Config config) {
        Optional<Path> file = config.get(CONFIG_FILE);
        List<HostPort> listen = config.get(LISTEN);
        List<List<HostPort>> talk = config.get(TALK);
        if (file.isPresent()) {
            if (!listen.isEmpty() || !talk.isEmpty()) {
                throw ConfigException.of(CONFIG_FILE.name(), "set either CONFIG_FILE or LISTEN and TALK, not both");
            }
            return fromFile(config, YamlFiles.read(CONFIG_FILE.name(), file.get(), ConfigFile.class));
        }
        if (listen.size() != talk.size()) {
            throw ConfigException.of(listen.size() < talk.size() ? LISTEN.name() : TALK.name(),
                    "LISTEN has " + listen.size() + " entries and TALK " + talk.size()
                            + "; they pair in order (one TALK entry per LISTEN entry)");
        }
        List<ListenerConfig> out = new ArrayList<>();
        for (int i = 0; i < listen.size(); i++) {
            HostPort bind = listen.get(i);
            for (ListenerConfig earlier : out) {
                if (earlier.listen().equals(bind)) {
                    throw ConfigException.of(LISTEN.name(), bind + " appears twice");
                }
            }
            List<TargetConfig> targets = new ArrayList<>();
            for (HostPort t : talk.get(i)) {
                targets.add(new TargetConfig(t, 1, config.get(SEND_PROXY), envClientTls(config)));
            }
            out.add(new ListenerConfig(bind.toString(), bind, targets, config.get(BALANCE), config.get(RETRIES),
                    envTimeouts(config), envHealthCheck(config), envEjection(config), config.get(MAX_CONNECTIONS),
                    config.get(ACCEPT_PROXY), envServerTls(config)));
        }
        return List.copyOf(out);
    }

    static List<ListenerConfig> fromFile(Config config, ConfigFile file) {
        List<ListenerConfig> out = new ArrayList<>();
        Timeouts envTimeouts = envTimeouts(config);
        HealthCheck envHealth = envHealthCheck(config);
        Ejection envEjection = envEjection(config);
        for (int i = 0; i < file.listeners().size(); i++) {
            ConfigFile.Listener l = file.listeners().get(i);
            try {
                List<TargetConfig> targets = new ArrayList<>();
                for (ConfigFile.Target t : l.targets()) {
                    targets.add(new TargetConfig(HostPort.target(t.address()), t.weight() == null ? 1 : t.weight(),
                            t.sendProxy() == null ? config.get(SEND_PROXY) : ProxyProtocol.parse(t.sendProxy()),
                            t.tls() == null ? envClientTls(config) : t.tls().toConfig()));
                }
                ConfigFile.TimeoutsBlock tb = l.timeouts();
                Timeouts timeouts = tb == null ? envTimeouts : new Timeouts(
                        or(tb.connect(), envTimeouts.connect()), or(tb.client(), envTimeouts.client()),
                        or(tb.server(), envTimeouts.server()), or(tb.tunnel(), envTimeouts.tunnel()),
                        or(tb.clientFin(), envTimeouts.clientFin()), or(tb.serverFin(), envTimeouts.serverFin()));
                ConfigFile.HealthCheckBlock hb = l.healthCheck();
                HealthCheck health = hb == null ? envHealth : new HealthCheck(or(hb.interval(), envHealth.interval()),
                        or(hb.timeout(), envHealth.timeout()), or(hb.rise(), envHealth.rise()),
                        or(hb.fall(), envHealth.fall()));
                ConfigFile.EjectionBlock eb = l.ejection();
                Ejection ejection = eb == null ? envEjection
                        : new Ejection(or(eb.after(), envEjection.after()), or(eb.duration(), envEjection.duration()));
                out.add(new ListenerConfig(l.routeName(), l.listenAddress(), targets,
                        l.balance() == null ? config.get(BALANCE) : Balance.parse(l.balance()),
                        or(l.retries(), config.get(RETRIES)), timeouts, health, ejection,
                        or(l.maxConnections(), config.get(MAX_CONNECTIONS)),
                        or(l.acceptProxy(), config.get(ACCEPT_PROXY)),
                        l.tls() == null ? envServerTls(config) : Optional.of(l.tls().toConfig())));
            } catch (IllegalArgumentException e) {
                throw ConfigException.of(CONFIG_FILE.name(), "listeners[" + i + "]: " + e.getMessage());
            }
        }
        return List.copyOf(out);
    }

    private static <T> T or(T value, T fallback) {
        return value != null ? value : fallback;
    }

    static Timeouts envTimeouts(Config config) {
        try {
            return new Timeouts(config.get(TIMEOUT_CONNECT), config.get(TIMEOUT_CLIENT), config.get(TIMEOUT_SERVER),
                    config.get(TIMEOUT_TUNNEL), config.get(TIMEOUT_CLIENT_FIN), config.get(TIMEOUT_SERVER_FIN));
        } catch (IllegalArgumentException e) {
            throw ConfigException.of(TIMEOUT_CONNECT.name(), e.getMessage());
        }
    }

    static HealthCheck envHealthCheck(Config config) {
        try {
            return new HealthCheck(config.get(HEALTH_CHECK_INTERVAL), config.get(HEALTH_CHECK_TIMEOUT),
                    config.get(HEALTH_CHECK_RISE), config.get(HEALTH_CHECK_FALL));
        } catch (IllegalArgumentException e) {
            throw ConfigException.of(HEALTH_CHECK_TIMEOUT.name(), e.getMessage());
        }
    }

    static Ejection envEjection(Config config) {
        try {
            return new Ejection(config.get(EJECT_AFTER), config.get(EJECT_TIME));
        } catch (IllegalArgumentException e) {
            throw ConfigException.of(EJECT_TIME.name(), e.getMessage());
        }
    }

    static Optional<ClientTls> envClientTls(Config config) {
        boolean on = config.get(TALK_TLS);
        Optional<Path> ca = config.get(TALK_TLS_CA_FILE);
        Optional<Path> cert = config.get(TALK_TLS_CERT_FILE);
        Optional<Path> key = config.get(TALK_TLS_KEY_FILE);
        if (!on) {
            for (var s : List.of(TALK_TLS_CA_FILE, TALK_TLS_CERT_FILE, TALK_TLS_KEY_FILE)) {
                if (config.get(s).isPresent()) {
                    throw ConfigException.of(s.name(), "is set but TALK_TLS is false");
                }
            }
            if (config.get(TALK_TLS_SERVER_NAME).isPresent()) {
                throw ConfigException.of(TALK_TLS_SERVER_NAME.name(), "is set but TALK_TLS is false");
            }
            return Optional.empty();
        }
        if (cert.isPresent() != key.isPresent()) {
            throw ConfigException.of(cert.isPresent() ? TALK_TLS_KEY_FILE.name() : TALK_TLS_CERT_FILE.name(),
                    "a client certificate needs both TALK_TLS_CERT_FILE and TALK_TLS_KEY_FILE");
        }
        if (!config.get(TALK_TLS_VERIFY) && ca.isPresent()) {
            throw ConfigException.of(TALK_TLS_CA_FILE.name(), "is set but TALK_TLS_VERIFY is false");
        }
        return Optional.of(new ClientTls(ca, config.get(TALK_TLS_SERVER_NAME), config.get(TALK_TLS_VERIFY), cert, key));
    }

    static Optional<ServerTls> envServerTls(Config config) {
        Optional<Path> cert = config.get(LISTEN_TLS_CERT_FILE);
        Optional<Path> key = config.get(LISTEN_TLS_KEY_FILE);
        if (cert.isPresent() != key.isPresent()) {
            throw ConfigException.of(cert.isPresent() ? LISTEN_TLS_KEY_FILE.name() : LISTEN_TLS_CERT_FILE.name(),
                    "TLS termination needs both LISTEN_TLS_CERT_FILE and LISTEN_TLS_KEY_FILE");
        }
        return cert.map(c -> new ServerTls(c, key.get()));
    }
}
