package dev.podkit.ambassador.config;

import java.util.Locale;

/** Whether to send a PROXY protocol header to a target, and which version. */
public enum ProxyProtocol {
    OFF, V1, V2;

    public static final String EXPECTED = "one of off, v1, v2";

    public static ProxyProtocol parse(String text) {
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "off", "false", "no", "0" -> OFF;
            case "v1", "1" -> V1;
            case "v2", "2" -> V2;
            default -> throw new IllegalArgumentException("expected " + EXPECTED + ", got \"" + text + "\"");
        };
    }
}
