package dev.podkit.ambassador.config;

import dev.podkit.runtime.config.Setting;
import dev.podkit.runtime.net.Transport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * tcp-ambassador's environment settings. {@code LISTEN}, {@code TALK} and the {@code TIMEOUT_*}
 * settings keep tecnativa/tcp-proxy's names and meaning; the others are the defaults of every
 * listener (also of a {@code CONFIG_FILE}'s) and the process-wide knobs.
 */
public final class AmbassadorSettings {
    private AmbassadorSettings() {
    }

    public static final Setting<List<HostPort>> LISTEN = Setting.of("LISTEN", "",
            "space-separated [ip]:port such as :8080 or 127.0.0.1:8080", AmbassadorSettings::listenList,
            "Where to accept connections, space-separated [ip]:port (no ip: all IPv4 interfaces); paired in order with TALK.");
    public static final Setting<List<List<HostPort>>> TALK = Setting.of("TALK", "",
            "space-separated host:port (commas for several targets of one listener)", AmbassadorSettings::talkList,
            "Where to forward each LISTEN entry, space-separated host:port in the same order; a comma-separated group gives one listener several targets.");
    public static final Setting<Optional<Path>> CONFIG_FILE = Setting.of("CONFIG_FILE", "", "a file path",
            AmbassadorSettings::optionalPath,
            "YAML file with the listeners (instead of LISTEN/TALK), e.g. a mounted ConfigMap.");

    public static final Setting<Duration> TIMEOUT_CONNECT = Setting.duration("TIMEOUT_CONNECT", "5s",
            "Limit of each connect attempt to a target (and of a client's PROXY header or TLS handshake).");
    public static final Setting<Duration> TIMEOUT_CLIENT = Setting.duration("TIMEOUT_CLIENT", "0s",
            "Inactivity limit on the client side; 0s: none.");
    public static final Setting<Duration> TIMEOUT_SERVER = Setting.duration("TIMEOUT_SERVER", "0s",
            "Inactivity limit on the target side; 0s: none.");
    public static final Setting<Duration> TIMEOUT_TUNNEL = Setting.duration("TIMEOUT_TUNNEL", "0s",
            "Inactivity limit of an established connection; replaces TIMEOUT_CLIENT and TIMEOUT_SERVER when set; 0s: none.");
    public static final Setting<Duration> TIMEOUT_CLIENT_FIN = Setting.duration("TIMEOUT_CLIENT_FIN", "1m",
            "Inactivity limit on the client side once a FIN has passed in either direction; 0s: none.");
    public static final Setting<Duration> TIMEOUT_SERVER_FIN = Setting.duration("TIMEOUT_SERVER_FIN", "1m",
            "Inactivity limit on the target side once a FIN has passed in either direction; 0s: none.");

    public static final Setting<Balance> BALANCE = Setting.of("BALANCE", "round-robin", Balance.EXPECTED,
            Balance::parse, "How a listener with several target addresses picks one per connection.");
    public static final Setting<Integer> RETRIES = Setting.integer("RETRIES", 3, 0, 10,
            "Connect attempts after a failed one, each to another address when there is one.");
    public static final Setting<Duration> HEALTH_CHECK_INTERVAL = Setting.duration("HEALTH_CHECK_INTERVAL", "0s",
            "Active TCP health checks of every target address this often; 0s: off.");
    public static final Setting<Duration> HEALTH_CHECK_TIMEOUT = Setting.duration("HEALTH_CHECK_TIMEOUT", "2s",
            "Limit of one health check connect.");
    public static final Setting<Integer> HEALTH_CHECK_RISE = Setting.integer("HEALTH_CHECK_RISE", 2, 1, 100,
            "Successful checks in a row that mark an address up.");
    public static final Setting<Integer> HEALTH_CHECK_FALL = Setting.integer("HEALTH_CHECK_FALL", 3, 1, 100,
            "Failed checks in a row that mark an address down.");
    public static final Setting<Integer> EJECT_AFTER = Setting.integer("EJECT_AFTER", 3, 0, 1000,
            "Failed connects in a row after which an address is skipped for EJECT_TIME; 0: never.");
    public static final Setting<Duration> EJECT_TIME = Setting.duration("EJECT_TIME", "10s",
            "How long an ejected address is skipped.");
    public static final Setting<Integer> MAX_CONNECTIONS = Setting.integer("MAX_CONNECTIONS", 0, 0, 10_000_000,
            "Open connections per listener; more are reset at once. 0: no limit but the file descriptors.");
    public static final Setting<Boolean> ACCEPT_PROXY = Setting.bool("ACCEPT_PROXY", false,
            "Expect a PROXY protocol header (v1 or v2) from every client.");
    public static final Setting<ProxyProtocol> SEND_PROXY = Setting.of("SEND_PROXY", "off", ProxyProtocol.EXPECTED,
            ProxyProtocol::parse, "Send a PROXY protocol header with the client's address to the targets.");

    public static final Setting<Boolean> TALK_TLS = Setting.bool("TALK_TLS", false,
            "Speak TLS to the targets (the app still speaks plain TCP to the ambassador).");
    public static final Setting<Optional<Path>> TALK_TLS_CA_FILE = Setting.of("TALK_TLS_CA_FILE", "", "a file path",
            AmbassadorSettings::optionalPath, "PEM bundle of the CAs to trust; empty: the system CAs.");
    public static final Setting<Optional<String>> TALK_TLS_SERVER_NAME = Setting.of("TALK_TLS_SERVER_NAME", "",
            "a host name", AmbassadorSettings::optionalText,
            "Server name to send (SNI) and to verify; empty: the target's host name.");
    public static final Setting<Boolean> TALK_TLS_VERIFY = Setting.bool("TALK_TLS_VERIFY", true,
            "Verify the target's certificate chain and name.");
    public static final Setting<Optional<Path>> TALK_TLS_CERT_FILE = Setting.of("TALK_TLS_CERT_FILE", "", "a file path",
            AmbassadorSettings::optionalPath, "Client certificate chain (PEM) for mutual TLS.");
    public static final Setting<Optional<Path>> TALK_TLS_KEY_FILE = Setting.of("TALK_TLS_KEY_FILE", "", "a file path",
            AmbassadorSettings::optionalPath, "Client key (PEM: PKCS#8, or PKCS#1 RSA) for mutual TLS.");
    public static final Setting<Optional<Path>> LISTEN_TLS_CERT_FILE = Setting.of("LISTEN_TLS_CERT_FILE", "",
            "a file path", AmbassadorSettings::optionalPath,
            "Terminate TLS on every listener with this certificate chain (PEM); reloaded when it changes.");
    public static final Setting<Optional<Path>> LISTEN_TLS_KEY_FILE = Setting.of("LISTEN_TLS_KEY_FILE", "", "a file path",
            AmbassadorSettings::optionalPath, "Key (PEM) of LISTEN_TLS_CERT_FILE; reloaded when it changes.");
    public static final Setting<Duration> TLS_RELOAD_INTERVAL = Setting.duration("TLS_RELOAD_INTERVAL", "10s",
            "How often certificate, key and CA files are checked for changes.");

    public static final Setting<Boolean> CONNECTION_LOG = Setting.bool("CONNECTION_LOG", false,
            "Log one line per connection when it ends: addresses, bytes, duration, how it ended.");
    public static final Setting<Splice> SPLICE = Setting.oneOf("SPLICE", Splice.class, Splice.AUTO,
            "Move bytes with splice(2) inside the kernel when neither side speaks TLS (epoll only): on, off, or auto (once a connection has moved 1 MiB and reads 16 KiB or more at once).");
    public static final Setting<Integer> THREADS = Setting.integer("THREADS", 0, 0, 256,
            "Event loop threads; 0: one per available CPU.");
    public static final Setting<Duration> TCP_KEEPALIVE = Setting.duration("TCP_KEEPALIVE", "60s",
            "Idle time before TCP keepalive probes on both sockets (then every 10s, 6 probes); 0s: off.");
    public static final Setting<List<HostPort>> NAMESERVERS = Setting.of("NAMESERVERS", "",
            "space-separated DNS server IP addresses (ip or ip:port)", AmbassadorSettings::nameservers,
            "DNS servers to ask; empty: those of /etc/resolv.conf (with its search domains and ndots).");
    public static final Setting<Duration> DNS_MAX_TTL = Setting.duration("DNS_MAX_TTL", "30s",
            "Longest time a DNS answer is cached, even when its TTL is longer.");
    public static final Setting<Duration> DNS_NEGATIVE_TTL = Setting.duration("DNS_NEGATIVE_TTL", "1s",
            "How long a failed DNS lookup is cached.");
    public static final Setting<Boolean> REQUIRE_HEALTHY_TARGETS = Setting.bool("REQUIRE_HEALTHY_TARGETS", false,
            "Report /readyz 503 while a listener has no usable target address.");

    public static List<Setting<?>> all() {
        return List.of(LISTEN, TALK, CONFIG_FILE, TIMEOUT_CONNECT, TIMEOUT_CLIENT, TIMEOUT_SERVER, TIMEOUT_TUNNEL,
                TIMEOUT_CLIENT_FIN, TIMEOUT_SERVER_FIN, BALANCE, RETRIES, HEALTH_CHECK_INTERVAL, HEALTH_CHECK_TIMEOUT,
                HEALTH_CHECK_RISE, HEALTH_CHECK_FALL, EJECT_AFTER, EJECT_TIME, MAX_CONNECTIONS, ACCEPT_PROXY, SEND_PROXY,
                TALK_TLS, TALK_TLS_CA_FILE, TALK_TLS_SERVER_NAME, TALK_TLS_VERIFY, TALK_TLS_CERT_FILE, TALK_TLS_KEY_FILE,
                LISTEN_TLS_CERT_FILE, LISTEN_TLS_KEY_FILE, TLS_RELOAD_INTERVAL, CONNECTION_LOG, SPLICE, THREADS,
                TCP_KEEPALIVE, NAMESERVERS, DNS_MAX_TTL, DNS_NEGATIVE_TTL, REQUIRE_HEALTHY_TARGETS, Transport.SETTING);
    }

    private static List<String> words(String text) {
        return text.isBlank() ? List.of() : Arrays.asList(text.trim().split("\\s+"));
    }

    static List<HostPort> listenList(String text) {
        List<HostPort> out = new ArrayList<>();
        for (String w : words(text)) {
            out.add(HostPort.listen(w));
        }
        return List.copyOf(out);
    }

    static List<List<HostPort>> talkList(String text) {
        List<List<HostPort>> out = new ArrayList<>();
        for (String w : words(text)) {
            List<HostPort> group = new ArrayList<>();
            for (String t : w.split(",")) {
                group.add(HostPort.target(t));
            }
            out.add(List.copyOf(group));
        }
        return List.copyOf(out);
    }

    static List<HostPort> nameservers(String text) {
        List<HostPort> out = new ArrayList<>();
        for (String w : words(text)) {
            HostPort hp = HostPort.isIpLiteral(w) ? new HostPort(w, 53)
                    : w.startsWith("[") && w.endsWith("]") ? new HostPort(w.substring(1, w.length() - 1), 53)
                    : HostPort.target(w);
            if (!hp.isIp()) {
                throw new IllegalArgumentException("not an IP address: " + w);
            }
            out.add(hp);
        }
        return List.copyOf(out);
    }

    static Optional<Path> optionalPath(String text) {
        return text.isBlank() ? Optional.empty() : Optional.of(Path.of(text.trim()));
    }

    static Optional<String> optionalText(String text) {
        return text.isBlank() ? Optional.empty() : Optional.of(text.trim());
    }
}
