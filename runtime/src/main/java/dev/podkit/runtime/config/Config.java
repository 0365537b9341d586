package dev.podkit.runtime.config;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Settings read from an environment map ({@code System.getenv()} in the images, a plain map in
 * tests). Values are trimmed; an empty value counts as unset, so {@code FOO=} in a pod spec falls
 * back to the default instead of failing.
 */
public final class Config {
    private final Map<String, String> env;
    private final Map<String, Object> parsed = new ConcurrentHashMap<>();

    public Config(Map<String, String> env) {
        this.env = Map.copyOf(env);
    }

    public static Config fromEnvironment() {
        return new Config(System.getenv());
    }

    /** The parsed value, or the parsed default. Throws {@link ConfigException} for a bad or missing value. */
    @SuppressWarnings("unchecked")
    public <T> T get(Setting<T> setting) {
        Object value = parsed.get(setting.name());
        if (value == null) {
            String raw = raw(setting).orElse(setting.defaultText());
            if (raw == null) {
                throw new ConfigException(setting.name(), setting.expected(), null);
            }
            value = setting.parse(raw);
            parsed.put(setting.name(), value);
        }
        return (T) value;
    }

    /** The value the user set, trimmed, if any. */
    public Optional<String> raw(Setting<?> setting) {
        String value = env.get(setting.name());
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
    }

    /** Parses every setting so that a bad one stops the start before anything is bound. */
    public void validate(Collection<? extends Setting<?>> settings) {
        settings.forEach(this::get);
    }

    private String shown(Setting<?> setting) {
        String value = raw(setting).orElse(setting.defaultText());
        return value == null || value.isEmpty() ? "" : setting.shown(value);
    }

    /** {@code NAME=value} pairs of the effective settings for the startup line; secrets masked. */
    public String describe(Collection<? extends Setting<?>> settings) {
        return settings.stream()
                .map(s -> s.name() + "=" + shown(s))
                .collect(Collectors.joining(" "));
    }
}
