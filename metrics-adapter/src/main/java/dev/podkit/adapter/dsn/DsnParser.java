package dev.podkit.adapter.dsn;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads libpq connection strings in both of their forms, as postgres_exporter accepts them:
 * {@code postgresql://user:pass@host:5432/db?sslmode=disable} and
 * {@code host=db port=5432 user=app password='s e c' dbname=app sslmode=disable}.
 * Error messages never quote the input, which may hold a password.
 */
public final class DsnParser {
    private DsnParser() {
    }

    public static DataSource parse(String text) {
        String dsn = text.trim();
        if (dsn.isEmpty()) {
            throw new IllegalArgumentException("an empty connection string");
        }
        if (dsn.startsWith("postgresql://") || dsn.startsWith("postgres://")) {
            return parseUri(dsn.substring(dsn.indexOf("://") + 3));
        }
        if (dsn.contains("://")) {
            throw new IllegalArgumentException("a connection URI must start with postgresql:// or postgres://");
        }
        if (!dsn.contains("=")) {
            throw new IllegalArgumentException("neither a postgresql:// URI nor key=value pairs");
        }
        return parseKeyValue(dsn);
    }

    private static DataSource parseUri(String rest) {
        String query = "";
        int q = rest.indexOf('?');
        if (q >= 0) {
            query = rest.substring(q + 1);
            rest = rest.substring(0, q);
        }
        String path = "";
        int slash = rest.indexOf('/');
        if (slash >= 0) {
            path = rest.substring(slash + 1);
            rest = rest.substring(0, slash);
        }
        String user = null;
        String password = null;
        int at = rest.lastIndexOf('@');
        if (at >= 0) {
            String userInfo = rest.substring(0, at);
            rest = rest.substring(at + 1);
            int colon = userInfo.indexOf(':');
            if (colon >= 0) {
                user = decode(userInfo.substring(0, colon));
                password = decode(userInfo.substring(colon + 1));
            } else {
                user = decode(userInfo);
            }
        }
        String host = rest;
        int port = DataSource.DEFAULT_PORT;
        if (host.startsWith("[")) {
            int close = host.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("an IPv6 host without its closing ]");
            }
            String after = host.substring(close + 1);
            host = host.substring(1, close);
            if (after.startsWith(":")) {
                port = port(after.substring(1));
            } else if (!after.isEmpty()) {
                throw new IllegalArgumentException("unexpected text after the IPv6 host");
            }
        } else if (host.contains(",")) {
            throw new IllegalArgumentException("several hosts in one URI are not supported");
        } else {
            int colon = host.lastIndexOf(':');
            if (colon >= 0) {
                port = port(host.substring(colon + 1));
                host = host.substring(0, colon);
            }
        }
        host = decode(host);
        Map<String, String> params = new LinkedHashMap<>();
        String database = decode(path);
        for (String pair : query.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String key = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            switch (key) {
                case "host" -> host = value;
                case "port" -> port = port(value);
                case "dbname" -> database = value;
                case "user" -> user = value;
                case "password" -> password = value;
                default -> params.put(key, value);
            }
        }
        return build(host, port, database, user, password, params);
    }

    private static DataSource parseKeyValue(String dsn) {
        Map<String, String> values = new LinkedHashMap<>();
        int i = 0;
        int n = dsn.length();
        while (i < n) {
            while (i < n && Character.isWhitespace(dsn.charAt(i))) {
                i++;
            }
            if (i >= n) {
                break;
            }
            int keyStart = i;
            while (i < n && dsn.charAt(i) != '=' && !Character.isWhitespace(dsn.charAt(i))) {
                i++;
            }
            String key = dsn.substring(keyStart, i);
            while (i < n && Character.isWhitespace(dsn.charAt(i))) {
                i++;
            }
            if (i >= n || dsn.charAt(i) != '=' || key.isEmpty()) {
                throw new IllegalArgumentException("expected key=value pairs" + (key.isEmpty() ? "" : ", got a key without '=': " + safeKey(key)));
            }
            i++;
            while (i < n && Character.isWhitespace(dsn.charAt(i))) {
                i++;
            }
            StringBuilder value = new StringBuilder();
            if (i < n && dsn.charAt(i) == '\'') {
                i++;
                boolean closed = false;
                while (i < n) {
                    char c = dsn.charAt(i++);
                    if (c == '\\' && i < n) {
                        value.append(dsn.charAt(i++));
                    } else if (c == '\'') {
                        closed = true;
                        break;
                    } else {
                        value.append(c);
                    }
                }
                if (!closed) {
                    throw new IllegalArgumentException("an unterminated quoted value for " + safeKey(key));
                }
            } else {
                while (i < n && !Character.isWhitespace(dsn.charAt(i))) {
                    char c = dsn.charAt(i++);
                    if (c == '\\' && i < n) {
                        value.append(dsn.charAt(i++));
                    } else {
                        value.append(c);
                    }
                }
            }
            values.put(key, value.toString());
        }
        String host = values.remove("host");
        String hostaddr = values.remove("hostaddr");
        if (host == null || host.isEmpty()) {
            host = hostaddr;
        }
        String portText = values.remove("port");
        int port = portText == null || portText.isEmpty() ? DataSource.DEFAULT_PORT : port(portText);
        String database = values.remove("dbname");
        String user = values.remove("user");
        String password = values.remove("password");
        return build(host, port, database, user, password, values);
    }

    private static DataSource build(String host, int port, String database, String user, String password,
            Map<String, String> params) {
        if (host != null && host.startsWith("/")) {
            throw new IllegalArgumentException("Unix-domain socket hosts are not supported; connect over TCP (host=127.0.0.1)");
        }
        if (host != null && host.contains(",")) {
            throw new IllegalArgumentException("several hosts in one connection string are not supported");
        }
        return new DataSource(host, port, database, user, password, params);
    }

    private static String safeKey(String key) {
        // A key is never a secret, but keep the message bounded.
        return key.length() > 40 ? key.substring(0, 40) + "..." : key;
    }

    private static int port(String text) {
        try {
            int port = Integer.parseInt(text);
            if (port < 1 || port > 65535) {
                throw new NumberFormatException();
            }
            return port;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("a port must be a number 1-65535");
        }
    }

    private static String decode(String text) {
        try {
            return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("a bad %-escape in the URI");
        }
    }
}
