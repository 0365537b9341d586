package dev.podkit.runtime.config;

import io.netty.util.NetUtil;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * One environment setting: its name, documented default, the format it expects and how to parse
 * it. Helpers declare their settings as constants; {@link Config} reads them, the startup line
 * prints them (secrets masked) and {@code --help} lists them.
 *
 * @param <T> the parsed type
 */
public final class Setting<T> {
    /** What the startup line and {@code --help} show instead of a secret's value. */
    public static final String MASK = "****";

    private final String name;
    private final String defaultText;
    private final String expected;
    private final Function<String, T> parser;
    private final String description;
    private final boolean secret;

    private Setting(String name, String defaultText, String expected, Function<String, T> parser,
            String description, boolean secret) {
        this.name = Objects.requireNonNull(name);
        this.defaultText = defaultText;
        this.expected = Objects.requireNonNull(expected);
        this.parser = Objects.requireNonNull(parser);
        this.description = Objects.requireNonNull(description);
        this.secret = secret;
    }

    /**
     * A setting with any parser. The parser throws {@link IllegalArgumentException} for a bad value;
     * the error line then says {@code expected <expected>}.
     *
     * @param defaultText the default as a user would write it, or {@code null} if the setting is required
     */
    public static <T> Setting<T> of(String name, String defaultText, String expected, Function<String, T> parser,
            String description) {
        return new Setting<>(name, defaultText, expected, parser, description, false);
    }

    public static Setting<String> text(String name, String defaultText, String description) {
        return of(name, defaultText, "a non-empty value", Function.identity(), description);
    }

    public static Setting<Integer> port(String name, int defaultPort, String description) {
        return integer(name, defaultPort, 1, 65535, "a port number 1-65535", description);
    }

    public static Setting<Integer> integer(String name, int defaultValue, int min, int max, String description) {
        return integer(name, defaultValue, min, max, "a whole number " + min + "-" + max, description);
    }

    private static Setting<Integer> integer(String name, int defaultValue, int min, int max, String expected,
            String description) {
        return of(name, Integer.toString(defaultValue), expected, text -> {
            int value;
            try {
                value = Integer.parseInt(text);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(expected, e);
            }
            if (value < min || value > max) {
                throw new IllegalArgumentException(expected);
            }
            return value;
        }, description);
    }

    public static Setting<Duration> duration(String name, String defaultText, String description) {
        return of(name, defaultText, Durations.EXPECTED, Durations::parse, description);
    }

    public static Setting<Boolean> bool(String name, boolean defaultValue, String description) {
        return of(name, Boolean.toString(defaultValue), "true or false", text -> switch (text.toLowerCase(Locale.ROOT)) {
            case "true", "yes", "1", "on" -> true;
            case "false", "no", "0", "off" -> false;
            default -> throw new IllegalArgumentException("true or false");
        }, description);
    }

    /** One of an enum's constants, written in lower case with '-' for '_'. */
    public static <E extends Enum<E>> Setting<E> oneOf(String name, Class<E> type, E defaultValue, String description) {
        String expected = "one of " + Arrays.stream(type.getEnumConstants()).map(Setting::enumText)
                .collect(Collectors.joining(", "));
        return of(name, enumText(defaultValue), expected, text -> {
            for (E constant : type.getEnumConstants()) {
                if (enumText(constant).equalsIgnoreCase(text)) {
                    return constant;
                }
            }
            throw new IllegalArgumentException(expected);
        }, description);
    }

    /** An IP address literal to bind to ({@code 0.0.0.0}, {@code ::}, {@code 127.0.0.1}, {@code [::1]}). */
    public static Setting<String> bindAddress(String name, String defaultText, String description) {
        String expected = "an IP address such as 0.0.0.0, :: or 127.0.0.1";
        return of(name, defaultText, expected, text -> {
            String bare = text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
            if (!NetUtil.isValidIpV4Address(bare) && !NetUtil.isValidIpV6Address(bare)) {
                throw new IllegalArgumentException(expected);
            }
            return bare;
        }, description);
    }

    static String enumText(Enum<?> constant) {
        return constant.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The same setting, but its value is never printed. */
    public Setting<T> secret() {
        return new Setting<>(name, defaultText, expected, parser, description, true);
    }

    public String name() {
        return name;
    }

    /** The default as written in the docs, or {@code null} when the setting is required. */
    public String defaultText() {
        return defaultText;
    }

    public boolean required() {
        return defaultText == null;
    }

    public String expected() {
        return expected;
    }

    public String description() {
        return description;
    }

    public boolean isSecret() {
        return secret;
    }

    /** How a raw value may be shown in logs and errors. */
    public String shown(String raw) {
        return secret ? MASK : raw;
    }

    T parse(String raw) {
        try {
            return parser.apply(raw);
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new ConfigException(name, expected, shown(raw));
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
