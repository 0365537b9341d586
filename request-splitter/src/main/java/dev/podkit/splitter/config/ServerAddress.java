package dev.podkit.splitter.config;

/**
 * An upstream server, {@code host:port}, {@code [v6]:port}. The host is resolved again for each new
 * connection (DNS changes are followed; pooled connections stay until they are closed or idle out).
 */
public record ServerAddress(String host, int port) {
    public static final String EXPECTED = "host:port, e.g. backend:80 or [fd00::1]:8080";

    public ServerAddress {
        if (host == null || host.isEmpty() || port < 1 || port > 65535) {
            throw new IllegalArgumentException(EXPECTED);
        }
    }

    public static ServerAddress parse(String text) {
        String t = text.trim();
        int colon = t.lastIndexOf(':');
        if (colon <= 0 || colon == t.length() - 1) {
            throw new IllegalArgumentException("expected " + EXPECTED + ", got \"" + text + "\"");
        }
        String host = t.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.contains(":") || host.contains("[") || host.contains("]")) {
            throw new IllegalArgumentException("expected " + EXPECTED + ", got \"" + text + "\"");
        }
        int port;
        try {
            port = Integer.parseInt(t.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected " + EXPECTED + ", got \"" + text + "\"");
        }
        if (host.isEmpty() || port < 1 || port > 65535 || host.chars().anyMatch(c -> c <= ' ' || c == '/')) {
            throw new IllegalArgumentException("expected " + EXPECTED + ", got \"" + text + "\"");
        }
        return new ServerAddress(host, port);
    }

    /** As a Host header names it: {@code host:port}, brackets around IPv6. */
    public String authority() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    @Override
    public String toString() {
        return authority();
    }
}
