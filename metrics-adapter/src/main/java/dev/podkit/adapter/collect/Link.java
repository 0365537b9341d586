package dev.podkit.adapter.collect;

import dev.podkit.adapter.dsn.DataSource;
import java.lang.System.Logger.Level;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.Executor;

/**
 * One long-lived connection to one database, opened on first use and again after it broke. Every
 * wait on the network is bounded: connect and login by the collection timeout, each read by the
 * socket timeout, each statement by the server's {@code statement_timeout}; a collection that
 * overruns anyway is cut off with {@link #abort}, which closes the socket under the stuck thread.
 */
public final class Link implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Link.class.getName());

    private final DataSource source;
    private final Duration timeout;
    private final Executor aborter;
    private final String role;
    private Connection connection;
    private PgSession session;
    private boolean closed;

    public Link(DataSource source, Duration timeout, Executor aborter) {
        this(source, timeout, aborter, "");
    }

    /** {@code role} follows the data source in this link's log lines, e.g. {@code " (second connection)"}. */
    public Link(DataSource source, Duration timeout, Executor aborter, String role) {
        this.source = source;
        this.timeout = timeout;
        this.aborter = aborter;
        this.role = role;
    }

    public DataSource source() {
        return source;
    }

    /**
     * The open session, connecting first if there is none. A session kept from an earlier
     * collection is handed out unchecked (no round trip): {@link Lease#fresh()} says whether it was
     * opened just now, and a collection that finds a kept one lost on its first round trip calls
     * {@link #reconnect} and repeats that round trip once.
     */
    public Lease lease() throws SQLException {
        synchronized (this) {
            if (closed) {
                throw new SQLException("closed", "08003");
            }
            if (session != null) {
                return new Lease(session, false);
            }
        }
        // Connect outside the lock: abort() must be able to run meanwhile.
        PgSession opened = open();
        synchronized (this) {
            if (closed) {
                quietClose(opened.connection());
                throw new SQLException("closed", "08003");
            }
            if (session != null) {
                quietClose(opened.connection());
                return new Lease(session, false);
            }
            connection = opened.connection();
            session = opened;
            return new Lease(session, true);
        }
    }

    /** A kept session that turned out lost (the server restarted, the backend was terminated): replaced by a new one. */
    public Lease reconnect(PgSession lost) throws SQLException {
        LOG.log(Level.INFO, "connection to " + source.redacted() + role + " was lost; reconnecting");
        broken(lost);
        return lease();
    }

    /**
     * A session and whether it was opened just now (its login and setup were round trips, so it
     * is known to work) or kept from an earlier collection.
     */
    public record Lease(PgSession session, boolean fresh) {
    }

    private PgSession open() throws SQLException {
        int seconds = (int) Math.max(1, (timeout.toMillis() + 999) / 1000);
        Properties props = source.driverProperties();
        props.setProperty("connectTimeout", Integer.toString(seconds));
        props.setProperty("loginTimeout", Integer.toString(seconds));
        // A read that waits longer than this fails instead of hanging on a stalled server.
        props.setProperty("socketTimeout", Integer.toString(seconds + 1));
        props.setProperty("tcpKeepAlive", "true");
        props.putIfAbsent("ApplicationName", "podkit-metrics-adapter");
        props.setProperty("assumeMinServerVersion", "10");
        // The simple query protocol, as postgres_exporter's driver uses for queries without
        // parameters: one message per round trip instead of parse, bind and execute of an unnamed
        // statement for each query (~8% of the scrape time with 200 tables, measured).
        props.setProperty("preferQueryMode", "simple");
        Connection c = DriverManager.getConnection(source.jdbcUrl(), props);
        try {
            c.setAutoCommit(true);
            c.setReadOnly(false);
            try (Statement st = c.createStatement()) {
                st.execute("SET statement_timeout = " + Math.max(1, timeout.toMillis()));
                st.execute("SET lock_timeout = " + Math.max(1, timeout.toMillis()));
            }
            String num;
            String text;
            try (Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("SELECT current_setting('server_version_num'), version()")) {
                rs.next();
                num = rs.getString(1);
                text = rs.getString(2);
            }
            LOG.log(Level.INFO, "connected to " + source.redacted() + role + " (PostgreSQL " + PgVersion.parse(num) + ")");
            return new PgSession(c, PgVersion.parse(num), text, source.fingerprint());
        } catch (SQLException | RuntimeException e) {
            quietClose(c);
            throw e;
        }
    }

    /** Forgets a connection that failed, so the next collection reconnects. */
    public void broken(PgSession failed) {
        Connection c;
        synchronized (this) {
            if (failed == null || session != failed) {
                return;
            }
            c = connection;
            connection = null;
            session = null;
        }
        quietClose(c);
    }

    /** Cuts the connection off under a thread that is stuck on it; the next collection reconnects. */
    public void abort() {
        Connection c;
        synchronized (this) {
            c = connection;
            connection = null;
            session = null;
        }
        if (c != null) {
            try {
                c.abort(aborter);
            } catch (SQLException | RuntimeException e) {
                LOG.log(Level.DEBUG, "abort of " + source.redacted() + role + " failed", e);
            }
        }
    }

    public synchronized boolean connected() {
        return session != null;
    }

    @Override
    public void close() {
        Connection c;
        synchronized (this) {
            closed = true;
            c = connection;
            connection = null;
            session = null;
        }
        quietClose(c);
    }

    private static void quietClose(Connection c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (SQLException | RuntimeException e) {
            // Closing a broken connection may fail; it is gone either way.
        }
    }
}
