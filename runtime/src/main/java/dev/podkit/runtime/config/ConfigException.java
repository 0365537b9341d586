package dev.podkit.runtime.config;

import dev.podkit.runtime.log.Json;

/**
 * A setting whose value cannot be used. Its message is the single line printed before exit code 2:
 * {@code config error: TALK: expected host:port, got "abc"}.
 */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String setting;

    public ConfigException(String setting, String expected, String shownValue) {
        super("config error: " + setting + ": expected " + expected + ", got "
                + (shownValue == null ? "nothing (it is required)" : quote(shownValue)));
        this.setting = setting;
    }

    /** For problems that are not about one value's format, e.g. two settings that contradict each other. */
    public static ConfigException of(String setting, String problem) {
        return new ConfigException(setting, problem);
    }

    private ConfigException(String setting, String problem) {
        super("config error: " + setting + ": " + problem);
        this.setting = setting;
    }

    public String setting() {
        return setting;
    }

    /** Quotes a value for the error line, escaped as a JSON string so the line stays one line. */
    private static String quote(String value) {
        return Json.quote(new StringBuilder(value.length() + 2), value).toString();
    }
}
