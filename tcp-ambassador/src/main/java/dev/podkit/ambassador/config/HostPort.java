package dev.podkit.ambassador.config;

import io.netty.util.NetUtil;
import java.util.regex.Pattern;

/**
 * A {@code host:port} as the settings write it: {@code db.example.com:5432}, {@code 10.0.0.7:5432},
 * {@code [fd00::7]:5432}, and for listeners also {@code :8080} and {@code *:8080} (all interfaces).
 *
 * @param host a DNS name or an IP literal (IPv6 without brackets); empty for "all interfaces"
 */
public record HostPort(String host, int port) {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_]([A-Za-z0-9_.-]{0,252})");

    public HostPort {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is not 0-65535");
        }
    }

    /** A target: a name or IP address and a port 1-65535. */
    public static HostPort target(String text) {
        HostPort hp = split(text);
        if (hp.host.isEmpty()) {
            throw new IllegalArgumentException("\"" + text + "\" has no host (expected host:port)");
        }
        if (hp.port == 0) {
            throw new IllegalArgumentException("\"" + text + "\" has port 0 (expected host:port)");
        }
        return hp;
    }

    /** A listen address: {@code [ip]:port}; no host, {@code *} or {@code 0.0.0.0} mean all IPv4 interfaces, as in HAProxy. */
    public static HostPort listen(String text) {
        HostPort hp = split(text);
        String host = hp.host;
        if (host.equals("*")) {
            host = "";
        } else if (host.equalsIgnoreCase("localhost")) {
            host = "127.0.0.1";
        } else if (!host.isEmpty() && !isIpLiteral(host)) {
            throw new IllegalArgumentException("\"" + text + "\": a listen address takes an IP address, not a name (expected [ip]:port such as :8080 or 127.0.0.1:8080)");
        }
        if (hp.port == 0) {
            throw new IllegalArgumentException("\"" + text + "\" has port 0");
        }
        return new HostPort(host, hp.port);
    }

    private static HostPort split(String text) {
        String t = text.trim();
        int colon = t.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("\"" + text + "\" has no port (expected host:port)");
        }
        String host = t.substring(0, colon);
        String port = t.substring(colon + 1);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
            if (!NetUtil.isValidIpV6Address(host)) {
                throw new IllegalArgumentException("\"" + text + "\": [" + host + "] is not an IPv6 address");
            }
        } else if (host.contains(":")) {
            throw new IllegalArgumentException("\"" + text + "\": write IPv6 addresses in brackets, e.g. [fd00::1]:5432");
        } else if (!host.isEmpty() && !host.equals("*") && !NAME.matcher(host).matches()) {
            throw new IllegalArgumentException("\"" + text + "\": \"" + host + "\" is not a host name or IP address");
        }
        int p;
        try {
            p = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("\"" + text + "\": \"" + port + "\" is not a port number", e);
        }
        if (p < 0 || p > 65535) {
            throw new IllegalArgumentException("\"" + text + "\": port " + p + " is not 1-65535");
        }
        return new HostPort(host, p);
    }

    public static boolean isIpLiteral(String host) {
        return NetUtil.isValidIpV4Address(host) || NetUtil.isValidIpV6Address(host);
    }

    /** Whether the host is an IP literal, i.e. needs no DNS. */
    public boolean isIp() {
        return isIpLiteral(host);
    }

    @Override
    public String toString() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
