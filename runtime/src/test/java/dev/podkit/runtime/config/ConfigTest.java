package dev.podkit.runtime.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podkit.runtime.log.LogFormat;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConfigTest {
    private static final Setting<Integer> PORT = Setting.port("ADMIN_PORT", 9701, "admin port");
    private static final Setting<String> TOKEN = Setting.text("API_TOKEN", null, "token").secret();

    @Test
    void unsetAndEmptyValuesFallBackToTheDefault() {
        assertEquals(9701, new Config(Map.of()).get(PORT));
        assertEquals(9701, new Config(Map.of("ADMIN_PORT", "")).get(PORT));
        assertEquals(9701, new Config(Map.of("ADMIN_PORT", "   ")).get(PORT));
    }

    @Test
    void valuesAreTrimmed() {
        assertEquals(8080, new Config(Map.of("ADMIN_PORT", " 8080\n")).get(PORT));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "abc      | config error: ADMIN_PORT: expected a port number 1-65535, got \"abc\"",
        "0        | config error: ADMIN_PORT: expected a port number 1-65535, got \"0\"",
        "65536    | config error: ADMIN_PORT: expected a port number 1-65535, got \"65536\"",
        "80.5     | config error: ADMIN_PORT: expected a port number 1-65535, got \"80.5\"",
        "99999999999 | config error: ADMIN_PORT: expected a port number 1-65535, got \"99999999999\"",
    })
    void badPortsNameTheSettingTheValueAndWhatIsExpected(String value, String message) {
        ConfigException e = assertThrows(ConfigException.class, () -> new Config(Map.of("ADMIN_PORT", value)).get(PORT));
        assertEquals(message, e.getMessage());
        assertEquals("ADMIN_PORT", e.setting());
    }

    @Test
    void theErrorLineStaysOneLineWhateverTheValueHolds() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> new Config(Map.of("ADMIN_PORT", "80\n81\"x\"")).get(PORT));
        assertEquals("config error: ADMIN_PORT: expected a port number 1-65535, got \"80\\n81\\\"x\\\"\"", e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void aMissingRequiredSettingSaysSo() {
        ConfigException e = assertThrows(ConfigException.class, () -> new Config(Map.of()).get(TOKEN));
        assertEquals("config error: API_TOKEN: expected a non-empty value, got nothing (it is required)", e.getMessage());
    }

    @Test
    void secretsAreMaskedInErrorsAndInTheStartupLine() {
        Setting<Integer> pin = Setting.integer("PIN", 1, 1, 9999, "pin").secret();
        ConfigException e = assertThrows(ConfigException.class, () -> new Config(Map.of("PIN", "hunter2")).get(pin));
        assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
        assertTrue(e.getMessage().endsWith("got \"****\""), e.getMessage());

        Config config = new Config(Map.of("API_TOKEN", "s3cr3t", "ADMIN_PORT", "8080"));
        String line = config.describe(List.of(PORT, TOKEN));
        assertEquals("ADMIN_PORT=8080 API_TOKEN=****", line);
    }

    @Test
    void describeShowsDefaultsForUnsetSettings() {
        assertEquals("ADMIN_PORT=9701 LOG_FORMAT=text SHUTDOWN_TIMEOUT=20s",
                new Config(Map.of()).describe(List.of(PORT, CommonSettings.LOG_FORMAT, CommonSettings.SHUTDOWN_TIMEOUT)));
    }

    @Test
    void validateStopsAtTheFirstBadSetting() {
        Config config = new Config(Map.of("LOG_FORMAT", "xml"));
        ConfigException e = assertThrows(ConfigException.class,
                () -> config.validate(new CommonSettings(9701).all()));
        assertEquals("config error: LOG_FORMAT: expected one of text, json, got \"xml\"", e.getMessage());
    }

    @Test
    void enumsAreCaseInsensitive() {
        assertEquals(LogFormat.JSON, new Config(Map.of("LOG_FORMAT", "JSON")).get(CommonSettings.LOG_FORMAT));
    }

    @ParameterizedTest
    @CsvSource({"0.0.0.0,0.0.0.0", "::,::", "127.0.0.1,127.0.0.1", "[::1],::1", "fe80::1,fe80::1"})
    void bindAddressesAcceptIpLiterals(String value, String expected) {
        assertEquals(expected, new Config(Map.of("ADMIN_ADDRESS", value)).get(CommonSettings.ADMIN_ADDRESS));
    }

    @ParameterizedTest
    @CsvSource({"localhost", "256.0.0.1", "1.2.3", "example.com"})
    void bindAddressesRejectNames(String value) {
        ConfigException e = assertThrows(ConfigException.class,
                () -> new Config(Map.of("ADMIN_ADDRESS", value)).get(CommonSettings.ADMIN_ADDRESS));
        assertEquals("config error: ADMIN_ADDRESS: expected an IP address such as 0.0.0.0, :: or 127.0.0.1, got \""
                + value + "\"", e.getMessage());
    }

    @Test
    void booleansAcceptTheUsualSpellings() {
        Setting<Boolean> flag = Setting.bool("FLAG", false, "flag");
        for (String yes : List.of("true", "TRUE", "yes", "1", "on")) {
            assertTrue(new Config(Map.of("FLAG", yes)).get(flag), yes);
        }
        for (String no : List.of("false", "no", "0", "off")) {
            assertFalse(new Config(Map.of("FLAG", no)).get(flag), no);
        }
        assertThrows(ConfigException.class, () -> new Config(Map.of("FLAG", "maybe")).get(flag));
    }

    @Test
    void durationsUseHaproxySyntax() {
        assertEquals(Duration.ofSeconds(5), new Config(Map.of("SHUTDOWN_TIMEOUT", "5s")).get(CommonSettings.SHUTDOWN_TIMEOUT));
        ConfigException e = assertThrows(ConfigException.class,
                () -> new Config(Map.of("SHUTDOWN_TIMEOUT", "5 sec")).get(CommonSettings.SHUTDOWN_TIMEOUT));
        assertEquals("config error: SHUTDOWN_TIMEOUT: expected a duration such as 500ms, 5s, 10m, 1h or 1d, got \"5 sec\"",
                e.getMessage());
    }
}
