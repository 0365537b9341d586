package dev.podkit.runtime.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class YamlFilesTest {
    enum Balance { ROUND_ROBIN, LEAST_CONNECTIONS }

    record Target(String host, int port, int weight) {
        Target {
            if (weight < 0 || weight > 100) {
                throw new IllegalArgumentException("weight must be 0-100, got " + weight);
            }
        }
    }

    record Route(int listen, Balance balance, Duration timeout, List<Target> targets) {
    }

    record File(List<Route> routes) {
    }

    private static File parse(String yaml) {
        return YamlFiles.parse("CONFIG_FILE", "/etc/podkit/config.yaml", yaml.getBytes(StandardCharsets.UTF_8), File.class);
    }

    @Test
    void bindsRecordsListsEnumsAndDurations() {
        File f = parse("""
                routes:
                  - listen: 8080
                    balance: round_robin
                    timeout: 5s
                    targets:
                      - {host: db, port: 5432, weight: 100}
                """);
        assertEquals(List.of(new Route(8080, Balance.ROUND_ROBIN, Duration.ofSeconds(5),
                List.of(new Target("db", 5432, 100)))), f.routes());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        // an unknown field, with the known ones
        "'routes:\n  - listen: 8080\n    balence: round_robin\n'"
            + "| config error: CONFIG_FILE: /etc/podkit/config.yaml at routes[0].balence: unknown field \"balence\" (known: balance, listen, targets, timeout)",
        // a string where a number belongs: no coercion
        "'routes:\n  - listen: \"8080\"\n'"
            + "| config error: CONFIG_FILE: /etc/podkit/config.yaml line 2 at routes[0].listen: expected a whole number, got \"8080\"",
        // a duplicate key
        "'routes:\n  - listen: 1\n    listen: 2\n'"
            + "| config error: CONFIG_FILE: /etc/podkit/config.yaml line 3 at routes[0]: Duplicate field 'listen'",
        // a bad duration
        "'routes:\n  - timeout: 5 seconds\n'"
            + "| config error: CONFIG_FILE: /etc/podkit/config.yaml line 2 at routes[0].timeout: expected a duration such as 500ms, 5s, 10m, 1h or 1d, got \"5 seconds\"",
        // a bad enum value
        "'routes:\n  - balance: random\n'"
            + "| config error: CONFIG_FILE: /etc/podkit/config.yaml line 2 at routes[0].balance: expected one of round-robin, least-connections, got \"random\"",
        // the record's own validation
        "'routes:\n  - targets: [{host: a, port: 1, weight: 101}]\n'"
            + "| config error: CONFIG_FILE: /etc/podkit/config.yaml line 2 at routes[0].targets[0]: weight must be 0-100, got 101",
    })
    void everyMistakeIsOneLineNamingFileLineAndField(String yaml, String expected) {
        ConfigException e = assertThrows(ConfigException.class, () -> parse(yaml));
        assertEquals(expected, e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void yamlSyntaxErrorsStayOnOneLine() {
        ConfigException e = assertThrows(ConfigException.class, () -> parse("routes: [\n  - a: b\n"));
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        assertEquals(true, e.getMessage().startsWith("config error: CONFIG_FILE: /etc/podkit/config.yaml line "), e.getMessage());
    }

    @Test
    void emptyAndMissingFilesAreErrors(@TempDir Path dir) throws Exception {
        Path empty = Files.writeString(dir.resolve("empty.yaml"), "# nothing here yet\n\n");
        assertEquals("config error: CONFIG_FILE: " + empty + " is empty",
                assertThrows(ConfigException.class, () -> YamlFiles.read("CONFIG_FILE", empty, File.class)).getMessage());
        Path missing = dir.resolve("missing.yaml");
        assertEquals("config error: CONFIG_FILE: " + missing + " does not exist",
                assertThrows(ConfigException.class, () -> YamlFiles.read("CONFIG_FILE", missing, File.class)).getMessage());
    }
}
