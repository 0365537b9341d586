package dev.podkit.adapter.dsn;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.stream.Collectors;

/**
 * One PostgreSQL server to collect from, parsed from a libpq connection string. The password is
 * kept for the driver only: {@link #toString()}, {@link #redacted()} and {@link #fingerprint()}
 * never contain it, so a data source can be logged as it is.
 */
public final class DataSource {
    public static final int DEFAULT_PORT = 5432;

    private final String host;
    private final int port;
    private final String database;
    private final String user;
    private final String password;
    private final Map<String, String> params;

    public DataSource(String host, int port, String database, String user, String password, Map<String, String> params) {
        this.host = host == null || host.isEmpty() ? "localhost" : host;
        this.port = port;
        this.database = database == null || database.isEmpty() ? (user == null || user.isEmpty() ? "postgres" : user) : database;
        this.user = user == null ? "" : user;
        this.password = password;
        this.params = Map.copyOf(params);
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    public String database() {
        return database;
    }

    public String user() {
        return user;
    }

    public boolean hasPassword() {
        return password != null;
    }

    /** Connection parameters other than host, port, dbname, user and password (sslmode, ...). */
    public Map<String, String> params() {
        return params;
    }

    /** The same server and credentials, another database (auto-discovery). */
    public DataSource withDatabase(String otherDatabase) {
        return new DataSource(host, port, otherDatabase, user, password, params);
    }

    /** The same server and database with other credentials and extra parameters (auth modules of /probe). */
    public DataSource withCredentials(String otherUser, String otherPassword, Map<String, String> extraParams) {
        Map<String, String> merged = new LinkedHashMap<>(params);
        merged.putAll(extraParams);
        return new DataSource(host, port, database, otherUser, otherPassword, merged);
    }

    /** {@code host:port}: postgres_exporter's {@code server} label. */
    public String fingerprint() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    /** The JDBC URL: host, port and database only; credentials go in {@link #driverProperties()}. */
    public String jdbcUrl() {
        String h = host.contains(":") ? "[" + host + "]" : host;
        return "jdbc:postgresql://" + h + ":" + port + "/" + URLEncoder.encode(database, StandardCharsets.UTF_8);
    }

    /** The driver's properties: credentials and the libpq parameters pgjdbc understands. */
    public Properties driverProperties() {
        Properties p = new Properties();
        if (!user.isEmpty()) {
            p.setProperty("user", user);
        }
        if (password != null) {
            p.setProperty("password", password);
        }
        params.forEach((key, value) -> {
            switch (key) {
                case "sslmode", "sslcert", "sslkey", "sslrootcert", "sslpassword", "options" -> p.setProperty(key, value);
                case "application_name" -> p.setProperty("ApplicationName", value);
                case "target_session_attrs" -> p.setProperty("targetServerType", value);
                default -> {
                    // connect_timeout is superseded by COLLECTION_TIMEOUT; other libpq keys have no pgjdbc meaning.
                }
            }
        });
        return p;
    }

    /** The connection string without its password: {@code postgresql://user:****@host:port/db?sslmode=disable}. */
    public String redacted() {
        StringBuilder s = new StringBuilder("postgresql://");
        if (!user.isEmpty()) {
            s.append(user);
            if (password != null) {
                s.append(":****");
            }
            s.append('@');
        }
        s.append(fingerprint()).append('/').append(database);
        if (!params.isEmpty()) {
            s.append('?').append(params.entrySet().stream()
                    .map(e -> e.getKey() + "=" + (e.getKey().equals("sslpassword") ? "****" : e.getValue()))
                    .collect(Collectors.joining("&")));
        }
        return s.toString();
    }

    @Override
    public String toString() {
        return redacted();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DataSource d && d.host.equals(host) && d.port == port && d.database.equals(database)
                && d.user.equals(user) && Objects.equals(d.password, password) && d.params.equals(params);
    }

    @Override
    public int hashCode() {
        return Objects.hash(host, port, database, user, params);
    }
}
