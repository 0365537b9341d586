package dev.podkit.ambassador.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podkit.ambassador.TcpAmbassador;
import dev.podkit.runtime.config.Config;
import dev.podkit.runtime.config.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ListenerConfigsTest {
    @TempDir
    Path dir;

    private static List<ListenerConfig> env(String... pairs) {
        Map<String, String> env = new HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        Config config = new Config(env);
        config.validate(TcpAmbassador.HELPER.settings());
        return ListenerConfigs.from(config);
    }

    private static String error(String... pairs) {
        return assertThrows(ConfigException.class, () -> env(pairs)).getMessage();
    }

    @Test
    void tecnativaStyleListenAndTalkPairInOrder() {
        List<ListenerConfig> l = env("LISTEN", ":80 127.0.0.1:443", "TALK", "example.com:80 example.com:443",
                "TIMEOUT_CONNECT", "2s", "TIMEOUT_TUNNEL", "1h");
        assertEquals(2, l.size());
        assertEquals(new HostPort("", 80), l.get(0).listen());
        assertEquals(":80", l.get(0).name());
        assertEquals(List.of(new HostPort("example.com", 80)), l.get(0).targets().stream().map(TargetConfig::address).toList());
        assertEquals(new HostPort("127.0.0.1", 443), l.get(1).listen());
        assertEquals(new HostPort("example.com", 443), l.get(1).targets().get(0).address());
        assertEquals(Duration.ofSeconds(2), l.get(1).timeouts().connect());
        assertEquals(Duration.ofHours(1).toNanos(), l.get(1).timeouts().openIdleNanos());
    }

    @Test
    void theDefaultsKeepIdleConnectionsOpen() {
        ListenerConfig l = env("LISTEN", ":8080", "TALK", "db:5432").get(0);
        assertEquals(0, l.timeouts().openIdleNanos(), "no inactivity limit on an established connection");
        assertEquals(Duration.ofMinutes(1).toNanos(), l.timeouts().halfClosedIdleNanos());
        assertEquals(Duration.ofSeconds(5), l.timeouts().connect());
        assertEquals(0, l.maxConnections());
        assertEquals(3, l.retries());
    }

    @Test
    void aCommaGivesOneListenerSeveralTargets() {
        ListenerConfig l = env("LISTEN", ":8080", "TALK", "a:1,b:2,[fd00::1]:3").get(0);
        assertEquals(List.of(new HostPort("a", 1), new HostPort("b", 2), new HostPort("fd00::1", 3)),
                l.targets().stream().map(TargetConfig::address).toList());
    }

    @Test
    void noSettingsMeansNoListeners() {
        assertEquals(List.of(), env());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            ":80 :81|a:1|config error: TALK: LISTEN has 2 entries and TALK 1; they pair in order (one TALK entry per LISTEN entry)",
            ":80|a:1 b:2|config error: LISTEN: LISTEN has 1 entries and TALK 2; they pair in order (one TALK entry per LISTEN entry)",
            ":80|a|config error: TALK: expected space-separated host:port (commas for several targets of one listener), got \"a\"",
            "db:80|a:1|config error: LISTEN: expected space-separated [ip]:port such as :8080 or 127.0.0.1:8080, got \"db:80\"",
            ":80 :80|a:1 b:1|config error: LISTEN: :80 appears twice",
            ":99999|a:1|config error: LISTEN: expected space-separated [ip]:port such as :8080 or 127.0.0.1:8080, got \":99999\""})
    void aBadListenOrTalkIsOneLineNamingTheSetting(String listen, String talk, String expected) {
        assertEquals(expected, error("LISTEN", listen, "TALK", talk));
    }

    @Test
    void tlsSettingsWithoutTalkTlsAreAMistake() {
        assertEquals("config error: TALK_TLS_CA_FILE: is set but TALK_TLS is false",
                error("LISTEN", ":80", "TALK", "a:1", "TALK_TLS_CA_FILE", "/ca.pem"));
        assertEquals("config error: TALK_TLS_KEY_FILE: a client certificate needs both TALK_TLS_CERT_FILE and TALK_TLS_KEY_FILE",
                error("LISTEN", ":80", "TALK", "a:1", "TALK_TLS", "true", "TALK_TLS_CERT_FILE", "/c.pem"));
    }

    @Test
    void aConfigFileSaysEverythingPerListenerAndTarget() throws IOException {
        Path file = dir.resolve("ambassador.yaml");
        Files.writeString(file, """
                listeners:
                  - name: postgres
                    listen: "127.0.0.1:5432"
                    balance: least-connections
                    retries: 1
                    maxConnections: 500
                    acceptProxy: true
                    timeouts: {connect: 3s, tunnel: 1h, clientFin: 30s}
                    healthCheck: {interval: 5s, timeout: 1s, rise: 1, fall: 2}
                    ejection: {after: 5, duration: 30s}
                    targets:
                      - address: "db-primary:5432"
                        weight: 3
                        sendProxy: v2
                        tls: {caFile: /ca/ca.crt, serverName: db.example.com}
                      - address: "db-replica:5432"
                  - listen: ":6379"
                    targets:
                      - address: "redis:6379"
                """);
        List<ListenerConfig> l = env("CONFIG_FILE", file.toString(), "TIMEOUT_SERVER", "7s", "SEND_PROXY", "v1");
        ListenerConfig pg = l.get(0);
        assertEquals("postgres", pg.name());
        assertEquals(Balance.LEAST_CONNECTIONS, pg.balance());
        assertEquals(1, pg.retries());
        assertEquals(500, pg.maxConnections());
        assertTrue(pg.acceptProxy());
        assertEquals(new Timeouts(Duration.ofSeconds(3), Duration.ZERO, Duration.ofSeconds(7), Duration.ofHours(1),
                Duration.ofSeconds(30), Duration.ofMinutes(1)), pg.timeouts(), "unset fields take the environment's values");
        assertEquals(new HealthCheck(Duration.ofSeconds(5), Duration.ofSeconds(1), 1, 2), pg.healthCheck());
        assertEquals(new Ejection(5, Duration.ofSeconds(30)), pg.ejection());
        TargetConfig primary = pg.targets().get(0);
        assertEquals(3, primary.weight());
        assertEquals(ProxyProtocol.V2, primary.sendProxy());
        assertEquals(Optional.of(new ClientTls(Optional.of(Path.of("/ca/ca.crt")), Optional.of("db.example.com"), true,
                Optional.empty(), Optional.empty())), primary.tls());
        TargetConfig replica = pg.targets().get(1);
        assertEquals(1, replica.weight());
        assertEquals(ProxyProtocol.V1, replica.sendProxy(), "the environment's SEND_PROXY");
        assertEquals(Optional.empty(), replica.tls());
        assertEquals(":6379", l.get(1).name());
        assertEquals(Balance.ROUND_ROBIN, l.get(1).balance());
    }

    @Test
    void aBadConfigFileIsOneLineWithTheFileLineAndField() throws IOException {
        Path file = dir.resolve("bad.yaml");
        Files.writeString(file, """
                listeners:
                  - listen: ":80"
                    targets:
                      - address: "db:5432"
                        wieght: 2
                """);
        assertEquals("config error: CONFIG_FILE: " + file + " at listeners[0].targets[0].wieght: unknown field \"wieght\""
                        + " (known: address, sendProxy, tls, weight)",
                error("CONFIG_FILE", file.toString()));
        Files.writeString(file, """
                listeners:
                  - listen: ":80"
                    targets:
                      - address: "db"
                """);
        String e = error("CONFIG_FILE", file.toString());
        assertTrue(e.startsWith("config error: CONFIG_FILE: " + file + " line ") && e.contains("at listeners[0].targets[0]: \"db\" has no port"), e);
        Files.writeString(file, """
                listeners:
                  - listen: ":80"
                    balance: random
                    targets: [{address: "db:1"}]
                """);
        e = error("CONFIG_FILE", file.toString());
        assertTrue(e.contains("at listeners[0]: expected one of round-robin, least-connections, power-of-two, got \"random\""), e);
    }

    @Test
    void aConfigFileAndListenTogetherAreAmbiguous() throws IOException {
        Path file = dir.resolve("ok.yaml");
        Files.writeString(file, "listeners: [{listen: \":80\", targets: [{address: \"a:1\"}]}]\n");
        assertEquals("config error: CONFIG_FILE: set either CONFIG_FILE or LISTEN and TALK, not both",
                error("CONFIG_FILE", file.toString(), "LISTEN", ":81", "TALK", "b:1"));
    }
}
