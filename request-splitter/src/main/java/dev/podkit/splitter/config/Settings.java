package dev.podkit.splitter.config;

import dev.podkit.runtime.config.Config;
import dev.podkit.runtime.config.ConfigException;
import dev.podkit.runtime.config.Setting;
import dev.podkit.runtime.config.YamlFiles;
import dev.podkit.runtime.net.Transport;
import dev.podkit.splitter.key.KeyExpression;
import dev.podkit.splitter.split.Weight;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * request-splitter's environment settings. Simple splits come entirely from the environment
 * ({@code VARIANTS}, {@code SPLIT_KEY}); everything else from a YAML file ({@code CONFIG_FILE}),
 * which is reloaded when it changes.
 */
public final class Settings {
    public static final Setting<String> CONFIG_FILE = Setting.text("CONFIG_FILE", "",
            "YAML config file (a mounted ConfigMap), reloaded when it changes. Excludes VARIANTS, SPLIT_KEY, VARIANT_HEADER, STICKY_COOKIE.");
    public static final Setting<Duration> CONFIG_RELOAD_INTERVAL = Setting.duration("CONFIG_RELOAD_INTERVAL", "2s",
            "How often CONFIG_FILE is checked for changes.");
    public static final Setting<Integer> LISTEN_PORT = Setting.port("LISTEN_PORT", 8000,
            "Port the splitter serves HTTP on (the config file's listen.port wins).");
    public static final Setting<String> LISTEN_ADDRESS = Setting.bindAddress("LISTEN_ADDRESS", "0.0.0.0",
            "Address the splitter serves HTTP on.");
    public static final Setting<List<VariantConfig>> VARIANTS = Setting.of("VARIANTS", "",
            "name=weight:host:port[|host:port...] separated by commas, e.g. version_1a=50%:backend:80,version_1b=*:backend-experiment:80",
            Settings::parseVariants,
            "The variants, their weights (nginx split_clients percentages, * for the rest) and upstream servers.");
    public static final Setting<String> SPLIT_KEY = Setting.of("SPLIT_KEY", "",
            "an nginx-style key such as $arg_token, $http_x_user, $cookie_user, $remote_addr",
            text -> {
                KeyExpression.parse(text);
                return text;
            },
            "What requests are split by, as nginx's split_clients key. Empty: every request has the empty key (the first variant) unless STICKY_COOKIE is set.");
    public static final Setting<String> VARIANT_HEADER = Setting.of("VARIANT_HEADER", "", "a header name such as X-Variant",
            text -> {
                if (!text.isEmpty() && !text.matches("[!#$%&'*+\\-.^_`|~0-9A-Za-z]+")) {
                    throw new IllegalArgumentException();
                }
                return text;
            },
            "Header naming the chosen variant, added to the upstream request and to the response.");
    public static final Setting<String> STICKY_COOKIE = Setting.of("STICKY_COOKIE", "", "a cookie name such as podkit_variant",
            text -> {
                if (!text.isEmpty()) {
                    StickyConfig.named(text);
                }
                return text;
            },
            "Sticky-cookie mode: clients with an empty key get a weighted random variant and this cookie naming it.");
    public static final Setting<Duration> CONNECT_TIMEOUT = Setting.duration("CONNECT_TIMEOUT", "5s",
            "Upstream connect timeout (then 504).");
    public static final Setting<Duration> READ_TIMEOUT = Setting.duration("READ_TIMEOUT", "60s",
            "Longest wait between two reads from the upstream while a response is due (504 before the response head).");
    public static final Setting<Duration> CLIENT_IDLE_TIMEOUT = Setting.duration("CLIENT_IDLE_TIMEOUT", "75s",
            "Idle keep-alive client connections, and clients that stall mid-request, are closed after this.");
    public static final Setting<Duration> UPSTREAM_IDLE_TIMEOUT = Setting.duration("UPSTREAM_IDLE_TIMEOUT", "30s",
            "Idle pooled upstream connections are closed after this; keep it below the backends' idle timeout.");
    public static final Setting<Integer> UPSTREAM_KEEPALIVE = Setting.integer("UPSTREAM_KEEPALIVE", 32, 0, 10_000,
            "Idle connections kept per upstream server and event-loop thread (0: no reuse).");
    public static final Setting<Integer> WORKER_THREADS = Setting.integer("WORKER_THREADS", 0, 0, 256,
            "Event-loop threads serving traffic; 0 means one per CPU.");

    public static final List<Setting<?>> ALL = List.of(CONFIG_FILE, CONFIG_RELOAD_INTERVAL, LISTEN_PORT, LISTEN_ADDRESS,
            VARIANTS, SPLIT_KEY, VARIANT_HEADER, STICKY_COOKIE, CONNECT_TIMEOUT, READ_TIMEOUT, CLIENT_IDLE_TIMEOUT,
            UPSTREAM_IDLE_TIMEOUT, UPSTREAM_KEEPALIVE, WORKER_THREADS, Transport.SETTING);

    private Settings() {
    }

    static List<VariantConfig> parseVariants(String text) {
        List<VariantConfig> variants = new ArrayList<>();
        if (text.isBlank()) {
            return variants;
        }
        for (String item : text.split(",")) {
            String entry = item.trim();
            int eq = entry.indexOf('=');
            int colon = entry.indexOf(':', eq + 1);
            if (eq <= 0 || colon < 0) {
                throw new IllegalArgumentException("name=weight:host:port");
            }
            String name = entry.substring(0, eq).trim();
            Weight weight = Weight.parse(entry.substring(eq + 1, colon));
            List<ServerAddress> servers = new ArrayList<>();
            for (String server : entry.substring(colon + 1).split("\\|")) {
                servers.add(ServerAddress.parse(server));
            }
            variants.add(new VariantConfig(name, weight, servers));
        }
        return variants;
    }

    /** The configuration from the environment alone (also the defaults a config file builds on). */
    public static SplitterConfig fromEnvironment(Config config) {
        String key = config.get(SPLIT_KEY);
        String header = config.get(VARIANT_HEADER);
        String sticky = config.get(STICKY_COOKIE);
        List<VariantConfig> variants = config.get(VARIANTS);
        try {
            return new SplitterConfig(config.get(LISTEN_ADDRESS), config.get(LISTEN_PORT),
                    key.isEmpty() ? null : KeyExpression.parse(key), variants,
                    sticky.isEmpty() ? null : StickyConfig.named(sticky), List.of(),
                    header.isEmpty() ? null : header, header.isEmpty() ? null : header, null,
                    new Timeouts(config.get(CONNECT_TIMEOUT), config.get(READ_TIMEOUT), config.get(CLIENT_IDLE_TIMEOUT),
                            config.get(UPSTREAM_IDLE_TIMEOUT)),
                    config.get(UPSTREAM_KEEPALIVE));
        } catch (IllegalArgumentException e) {
            throw ConfigException.of(VARIANTS.name(), e.getMessage());
        }
    }

    /** The startup configuration: the file's when {@code CONFIG_FILE} is set, else the environment's. */
    public static SplitterConfig initial(Config config) {
        SplitterConfig env = fromEnvironment(config);
        String file = config.get(CONFIG_FILE);
        if (file.isEmpty()) {
            return env;
        }
        for (Setting<?> s : List.of(VARIANTS, SPLIT_KEY, VARIANT_HEADER, STICKY_COOKIE)) {
            if (config.raw(s).isPresent()) {
                throw ConfigException.of(s.name(), "set either CONFIG_FILE or " + s.name() + ", not both");
            }
        }
        return fromFile(Path.of(file), null, env);
    }

    /** Reads and validates the config file; any problem is one {@link ConfigException} line. */
    public static SplitterConfig fromFile(Path file, byte[] content, SplitterConfig defaults) {
        ConfigFile parsed = content == null ? YamlFiles.read(CONFIG_FILE.name(), file, ConfigFile.class)
                : YamlFiles.parse(CONFIG_FILE.name(), file.toString(), content, ConfigFile.class);
        try {
            return parsed.toConfig(defaults);
        } catch (IllegalArgumentException e) {
            throw ConfigException.of(CONFIG_FILE.name(), file + ": " + e.getMessage());
        }
    }
}
