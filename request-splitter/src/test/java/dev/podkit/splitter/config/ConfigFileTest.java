package dev.podkit.splitter.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podkit.runtime.config.Config;
import dev.podkit.runtime.config.ConfigException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConfigFileTest {
    static final SplitterConfig DEFAULTS = Settings.fromEnvironment(new Config(Map.of()));

    static SplitterConfig parse(String yaml) {
        return Settings.fromFile(Path.of("/etc/podkit/splitter.yaml"), yaml.getBytes(StandardCharsets.UTF_8), DEFAULTS);
    }

    /** The README's translation of the nginx seed config. */
    static final String SEED = """
            listen:
              port: 8000
            split:
              key: $arg_token
            variants:
              - name: version_1a
                weight: 50%
                servers: [backend:80]
              - name: version_1b
                weight: "*"
                servers: [backend-experiment:80]
            """;

    @Test
    void theSeedTranslates() {
        SplitterConfig c = parse(SEED);
        assertEquals(8000, c.listenPort());
        assertEquals("$arg_token", c.key().source());
        assertEquals(2, c.variants().size());
        assertEquals(new ServerAddress("backend-experiment", 80), c.variants().get(1).servers().get(0));
        assertTrue(c.variants().get(1).weight().rest());
        assertEquals(Duration.ofSeconds(60), c.timeouts().read());
    }

    @Test
    void everySectionBinds() {
        SplitterConfig c = parse(SEED + """
                rules:
                  - variant: version_1b
                    header: X-Canary
                    value: always
                  - variant: version_1a
                    cookie: canary
                    regex: "0|no"
                headers:
                  request_variant: X-Variant
                  response_variant: X-Served-By
                mirror:
                  servers: ["shadow:8080"]
                  percent: 10%
                  max_body_bytes: 4096
                timeouts:
                  connect: 2s
                  read: 500ms
                upstream:
                  keepalive: 4
                """.replace("split:\n  key: $arg_token", "split:\n  key: $arg_token"));
        assertEquals(2, c.rules().size());
        assertEquals("X-Served-By", c.responseVariantHeader());
        assertEquals(4096, c.mirror().maxBodyBytes());
        assertEquals(Duration.ofMillis(500), c.timeouts().read());
        assertEquals(Duration.ofSeconds(75), c.timeouts().clientIdle());
        assertEquals(4, c.upstreamKeepalive());
        assertNull(c.sticky());
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', value = {
            "weight: \"*\"|weight: 60%|weights add up to more than 100%",
            "weight: 50%|weight: fifty|a percentage",
            "servers: [backend:80]|servers: [backend]|host:port",
            "key: $arg_token|key: $request_uri|unsupported variable",
            "name: version_1a|name: version_1b|listed twice",
            "port: 8000|port: 70000|1-65535",
            "port: 8000|colour: blue|unknown field"})
    void mistakesAreOneLineNamingTheProblem(String from, String to, String expected) {
        ConfigException e = assertThrows(ConfigException.class, () -> parse(SEED.replaceFirst(java.util.regex.Pattern.quote(from),
                java.util.regex.Matcher.quoteReplacement(to))));
        assertTrue(e.getMessage().startsWith("config error: CONFIG_FILE: "), e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
    }

    @Test
    void aRuleForAnUnknownVariantIsRejected() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> parse(SEED + "rules:\n  - variant: nope\n    query: force\n"));
        assertTrue(e.getMessage().contains("no variant named nope"), e.getMessage());
    }

    @Test
    void variantsFromTheEnvironment() {
        SplitterConfig c = Settings.fromEnvironment(new Config(Map.of(
                "VARIANTS", "version_1a=50%:backend:80,version_1b=*:backend-experiment:80|[fd00::1]:8080",
                "SPLIT_KEY", "$arg_token", "VARIANT_HEADER", "X-Variant", "STICKY_COOKIE", "pv")));
        assertEquals(2, c.variants().get(1).servers().size());
        assertEquals(new ServerAddress("fd00::1", 8080), c.variants().get(1).servers().get(1));
        assertEquals("X-Variant", c.requestVariantHeader());
        assertEquals("pv", c.sticky().cookie());
    }

    @Test
    void badEnvironmentVariantsAreOneLine() {
        ConfigException e = assertThrows(ConfigException.class, () -> Settings.fromEnvironment(new Config(Map.of(
                "VARIANTS", "a=70%:x:1,b=40%:y:2"))));
        assertEquals("config error: VARIANTS: weights add up to more than 100%", e.getMessage());
        ConfigException f = assertThrows(ConfigException.class, () -> new Config(Map.of("VARIANTS", "a:x:1"))
                .get(Settings.VARIANTS));
        assertTrue(f.getMessage().startsWith("config error: VARIANTS: expected name=weight:host:port"), f.getMessage());
    }

    @Test
    void configFileAndEnvironmentVariantsExcludeEachOther() {
        ConfigException e = assertThrows(ConfigException.class, () -> Settings.initial(new Config(Map.of(
                "CONFIG_FILE", "/nonexistent.yaml", "VARIANTS", "a=*:x:1"))));
        assertEquals("config error: VARIANTS: set either CONFIG_FILE or VARIANTS, not both", e.getMessage());
    }

    @Test
    void noVariantsIsAllowedAndDocumented() {
        assertEquals("no variants configured: every request is answered 503", DEFAULTS.summary());
    }
}
