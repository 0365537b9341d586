package dev.podkit.adapter.collectors;

import dev.podkit.adapter.collect.PgSession;
import dev.podkit.adapter.model.MetricDesc;
import dev.podkit.adapter.model.MetricSink;
import java.lang.System.Logger.Level;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

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

    /**
     * What a parameter's rows have in common from scrape to scrape (its unit, type and desc), by
     * name: a known parameter's row is read without its description and without building the
     * desc's name and help again (a few hundred rows every scrape).
     */
    private final Map<String, Known> known = new ConcurrentHashMap<>();

    private record Known(String unit, String vartype, Shape shape, MetricDesc desc) {
    }

    /** How a parameter is exposed: metric name suffix, help suffix and the factor to its base unit. */
    record Shape(String name, String help, boolean bool, double factor) {
        /** The exposed value of a setting, or NaN if it is not a number. */
        double value(String setting) {
            if (bool) {
                return "on".equals(setting) ? 1 : 0;
            }
            double value;
            try {
                value = Double.parseDouble(setting);
            } catch (NumberFormatException | NullPointerException e) {
                return Double.NaN;
            }
            // -1 means "off" or "unlimited" in many parameters: postgres_exporter keeps it as it is.
            return value == -1 ? -1 : value * factor;
        }
    }

    /** A parameter as exposed: metric name suffix, help suffix and value. */
    record Converted(String name, String help, double value) {
    }

    public SettingsCollector() {
        super("settings", Scope.SERVER, SQL);
    }

    @Override
    public void row(ResultSet rs, PgSession session, MetricSink out) throws SQLException {
        // By position, in the order of SQL's columns: a lookup by label costs more than the read.
        String name = rs.getString(1);
        String setting = rs.getString(2);
        String unit = rs.getString(3);
        String vartype = rs.getString(5);
        Known k = known.get(name);
        if (k == null || !k.unit().equals(unit) || !k.vartype().equals(vartype)) {
            Shape shape = shape(name, unit, rs.getString(4), vartype);
            if (shape == null) {
                LOG.log(Level.DEBUG, "pg_settings: skipping " + name + " (unknown unit " + unit + ")");
                return;
            }
            k = new Known(unit, vartype, shape,
                    MetricDesc.gauge("pg_settings_" + shape.name(), shape.help(), "server"));
            known.put(name, k);
        }
        double value = k.shape().value(setting);
        if (Double.isNaN(value)) {
            LOG.log(Level.DEBUG, "pg_settings: skipping " + name + " (not a number: " + setting + ")");
            return;
        }
        out.add(k.desc(), value, session.server());
    }

    /** The exposed form of one pg_settings row, or null for a unit or value it does not know. */
    static Converted convert(String name, String setting, String unit, String shortDesc, String vartype) {
        Shape shape = shape(name, unit == null ? "" : unit, shortDesc, vartype);
        if (shape == null) {
            return null;
        }
        double value = shape.value(setting);
        return Double.isNaN(value) ? null : new Converted(shape.name(), shape.help(), value);
    }

    /** How a parameter with this unit and type is exposed, or null for a unit it does not know. */
    static Shape shape(String name, String unit, String shortDesc, String vartype) {
        String metric = name.replace('.', '_');
        String help = shortDesc == null ? "" : shortDesc;
        if ("bool".equals(vartype)) {
            return new Shape(metric, help, true, 1);
        }
        String target;
        double factor;
        switch (unit) {
            case "" -> {
                return new Shape(metric, help, false, 1);
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
        return new Shape(metric + "_" + target, help + " [Units converted to " + target + ".]", false, factor);
    }
}
