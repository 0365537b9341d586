package dev.podkit.adapter.collect;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;

/** A live connection as collectors see it: the server's version and identity, and small query helpers. */
public final class PgSession {
    /** Reads one row of a result. */
    @FunctionalInterface
    public interface Row {
        void read(ResultSet rs) throws SQLException;
    }

    private final Connection connection;
    private final PgVersion version;
    private final String versionString;
    private final String server;

    public PgSession(Connection connection, PgVersion version, String versionString, String server) {
        this.connection = connection;
        this.version = version;
        this.versionString = versionString;
        this.server = server;
    }

    public PgVersion version() {
        return version;
    }

    /** {@code SELECT version()}. */
    public String versionString() {
        return versionString;
    }

    /** postgres_exporter's {@code server} label: {@code host:port}. */
    public String server() {
        return server;
    }

    public Connection connection() {
        return connection;
    }

    public void query(String sql, Row row) throws SQLException {
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                row.read(rs);
            }
        }
    }

    public void query(String sql, String parameter, Row row) throws SQLException {
        try (PreparedStatement st = connection.prepareStatement(sql)) {
            st.setString(1, parameter);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    row.read(rs);
                }
            }
        }
    }

    /** A numeric column as a double; NULL gives {@code ifNull}. */
    public static double number(ResultSet rs, String column, double ifNull) throws SQLException {
        double v = rs.getDouble(column);
        return rs.wasNull() ? ifNull : v;
    }

    /** A timestamp column as Unix seconds; NULL gives {@code ifNull}. */
    public static double epochSeconds(ResultSet rs, String column, double ifNull) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? ifNull : t.toEpochSecond();
    }

    /** A text column; NULL gives {@code ifNull}. */
    public static String text(ResultSet rs, String column, String ifNull) throws SQLException {
        String v = rs.getString(column);
        return v == null ? ifNull : v;
    }
}
