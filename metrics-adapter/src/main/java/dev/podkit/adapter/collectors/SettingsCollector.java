package dev.podkit.adapter.collectors;

import dev.podkit.adapter.collect.PgSession;
import dev.podkit.adapter.model.MetricDesc;
import dev.podkit.adapter.model.MetricSink;
import java.lang.System.Logger.Level;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * postgres_exporter's {@code pg_settings} families: every numeric and boolean server parameter as
 * a gauge, times in seconds ({@code _seconds}) and sizes in bytes ({@code _bytes}).
 */
public final class SettingsCollector extends FixedQueryCollector {
    private static final System.Logger LOG = System.getLogger(SettingsCollector.class.getName());

    /**
     * The adapter sets statement_timeout and lock_timeout on its own session (COLLECTION_TIMEOUT);
     * the values the server would give any other session are their reset values.
     */
    static final String SQL = "SELECT name,"
            + " CASE WHEN name IN ('statement_timeout', 'lock_timeout') THEN reset_val ELSE setting END AS setting,"
            + " COALESCE(unit, '') AS unit, short_desc, vartype FROM pg_settings"
            + " WHERE vartype IN ('bool', 'integer', 'real') AND name != 'sync_commit_cancel_wait'";

    /** The descs of the parameters seen so far: the same few hundred every scrape. */
    private final java.util.Map<String, MetricDesc> descs = new java.util.concurrent.ConcurrentHashMap<>();

    /** A parameter as exposed: metric name suffix, help suffix and value. */
    record Converted(String name, String help, double value) {
    }

    public SettingsCollector() {
        super("settings", Scope.SERVER, SQL);
    }

    @Override
    public void row(ResultSet rs, PgSession session, MetricSink out) throws SQLException {
        String name = rs.getString("name");
        Converted c = convert(name, rs.getString("setting"), rs.getString("unit"), rs.getString("short_desc"),
                rs.getString("vartype"));
        if (c == null) {
            LOG.log(Level.DEBUG, "pg_settings: skipping " + name + " (unknown unit or value)");
            return;
        }
        MetricDesc desc = descs.computeIfAbsent(c.name() + "\n" + c.help(),
                k -> MetricDesc.gauge("pg_settings_" + c.name(), c.help(), "server"));
        out.add(desc, c.value(), session.server());
    }

    /** The exposed form of one pg_settings row, or null for a unit or value it does not know. */
    static Converted convert(String name, String setting, String unit, String shortDesc, String vartype) {
        String metric = name.replace('.', '_');
        String help = shortDesc == null ? "" : shortDesc;
        if ("bool".equals(vartype)) {
            return new Converted(metric, help, "on".equals(setting) ? 1 : 0);
        }
        double value;
        try {
            value = Double.parseDouble(setting);
        } catch (NumberFormatException | NullPointerException e) {
            return null;
        }
        String target;
        double factor;
        switch (unit == null ? "" : unit) {
            case "" -> {
                return new Converted(metric, help, value);
            }
            case "ms" -> { target = "seconds"; factor = 1 / 1000.0; }
            case "s" -> { target = "seconds"; factor = 1; }
            case "min" -> { target = "seconds"; factor = 60; }
            case "h" -> { target = "seconds"; factor = 3600; }
            case "d" -> { target = "seconds"; factor = 86400; }
            case "B" -> { target = "bytes"; factor = 1; }
            case "kB" -> { target = "bytes"; factor = 1024; }
            case "4kB" -> { target = "bytes"; factor = 4 * 1024; }
            case "8kB" -> { target = "bytes"; factor = 8 * 1024; }
            case "16kB" -> { target = "bytes"; factor = 16 * 1024; }
            case "32kB" -> { target = "bytes"; factor = 32 * 1024; }
            case "64kB" -> { target = "bytes"; factor = 64 * 1024; }
            case "MB" -> { target = "bytes"; factor = 1024 * 1024; }
            case "16MB" -> { target = "bytes"; factor = 16 * 1024 * 1024; }
            case "32MB" -> { target = "bytes"; factor = 32 * 1024 * 1024; }
            case "64MB" -> { target = "bytes"; factor = 64 * 1024 * 1024; }
            case "GB" -> { target = "bytes"; factor = 1024.0 * 1024 * 1024; }
            case "TB" -> { target = "bytes"; factor = 1024.0 * 1024 * 1024 * 1024; }
            default -> {
                return null;
            }
        }
        // -1 means "off" or "unlimited" in many parameters: postgres_exporter keeps it as it is.
        double converted = value == -1 ? -1 : value * factor;
        return new Converted(metric + "_" + target, help + " [Units converted to " + target + ".]", converted);
    }
}
