package dev.podkit.adapter.queries;

import dev.podkit.adapter.collect.PgCollector;
import dev.podkit.adapter.collect.PgSession;
import dev.podkit.adapter.model.FamilySet;
import dev.podkit.adapter.model.MetricDesc;
import dev.podkit.adapter.model.MetricSink;
import dev.podkit.adapter.model.MetricType;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One namespace of queries.yaml, run as postgres_exporter runs it: each GAUGE or COUNTER column a
 * family {@code <namespace>_<column>} labelled by the LABEL columns and {@code server}; MAPPEDMETRIC
 * through its mapping; DURATION in milliseconds; columns it does not describe as untyped. Each
 * query is its own collector, so one that fails leaves the others alone.
 */
public final class CustomQuery implements PgCollector {
    /** What a described column becomes. */
    enum Usage { DISCARD, LABEL, COUNTER, GAUGE, MAPPEDMETRIC, DURATION }

    /** A described column. */
    record ColumnSpec(String name, Usage usage, String description, Map<String, Double> mapping, VersionRange versions) {
    }

    private record Cached(long expiresNanos, FamilySet families) {
    }

    private final String namespace;
    private final String sql;
    private final List<ColumnSpec> columns;
    private final boolean master;
    private final Duration cache;
    private final VersionRange runOnServer;
    private final Duration timeout;
    private final Duration sessionTimeout;
    private final Map<String, Cached> cached = new ConcurrentHashMap<>();

    CustomQuery(String namespace, String sql, List<ColumnSpec> columns, boolean master, Duration cache,
            VersionRange runOnServer, Duration timeout, Duration sessionTimeout) {
        this.namespace = namespace;
        this.sql = sql;
        this.columns = List.copyOf(columns);
        this.master = master;
        this.cache = cache;
        this.runOnServer = runOnServer;
        this.timeout = timeout;
        this.sessionTimeout = sessionTimeout;
    }

    public String namespace() {
        return namespace;
    }

    @Override
    public String name() {
        return "query:" + namespace;
    }

    /** {@code master: true} runs on the configured database only, not on discovered ones. */
    @Override
    public Scope scope() {
        return master ? Scope.SERVER : Scope.CUSTOM;
    }

    /** A query of its own: it has its own timeout, cache and version range. */
    @Override
    public boolean batchable() {
        return false;
    }

    @Override
    public void collect(PgSession session, MetricSink out) throws SQLException {
        if (runOnServer != null && !runOnServer.includes(session.version())) {
            return;
        }
        String key = session.server() + "/" + currentDatabase(session);
        if (!cache.isZero()) {
            Cached c = cached.get(key);
            if (c != null && c.expiresNanos() - System.nanoTime() > 0) {
                replay(c.families(), out);
                return;
            }
        }
        FamilySet result = new FamilySet();
        run(session, result);
        if (!cache.isZero()) {
            cached.put(key, new Cached(System.nanoTime() + cache.toNanos(), result));
        }
        replay(result, out);
    }

    private static String currentDatabase(PgSession session) throws SQLException {
        return session.connection().getCatalog();
    }

    private static void replay(FamilySet families, MetricSink out) {
        families.families().forEach(f -> f.samples().forEach(s -> out.add(f.desc(), s.value(),
                s.labelValues().toArray(String[]::new))));
    }

    private void run(PgSession session, MetricSink out) throws SQLException {
        List<ColumnSpec> active = new ArrayList<>();
        for (ColumnSpec c : columns) {
            boolean supported = c.versions() == null || c.versions().includes(session.version());
            active.add(supported ? c : new ColumnSpec(c.name(), Usage.DISCARD, c.description(), c.mapping(), null));
        }
        List<String> labelNames = new ArrayList<>();
        for (ColumnSpec c : active) {
            if (c.usage() == Usage.LABEL) {
                labelNames.add(c.name());
            }
        }
        labelNames.add("server");
        String[] labelArray = labelNames.toArray(String[]::new);
        try (Statement st = session.connection().createStatement()) {
            boolean ownTimeout = !timeout.equals(sessionTimeout);
            if (ownTimeout) {
                st.execute("SET statement_timeout = " + Math.max(1, timeout.toMillis()));
            }
            try (ResultSet rs = st.executeQuery(sql)) {
                ResultSetMetaData meta = rs.getMetaData();
                // A described label column the query does not return is an empty label, as upstream has it.
                int[] labelColumns = new int[labelArray.length - 1];
                for (int i = 0; i < labelColumns.length; i++) {
                    for (int col = 1; col <= meta.getColumnCount(); col++) {
                        if (meta.getColumnLabel(col).equals(labelArray[i])) {
                            labelColumns[i] = col;
                        }
                    }
                }
                while (rs.next()) {
                    String[] labels = new String[labelArray.length];
                    for (int i = 0; i < labelColumns.length; i++) {
                        String v = labelColumns[i] == 0 ? null : rs.getString(labelColumns[i]);
                        labels[i] = v == null ? "" : v;
                    }
                    labels[labelArray.length - 1] = session.server();
                    for (int col = 1; col <= meta.getColumnCount(); col++) {
                        String column = meta.getColumnLabel(col);
                        ColumnSpec spec = spec(active, column);
                        emit(spec, column, rs, col, meta.getColumnType(col), labelArray, labels, out);
                    }
                }
            } finally {
                if (ownTimeout) {
                    st.execute("SET statement_timeout = " + Math.max(1, sessionTimeout.toMillis()));
                }
            }
        }
    }

    private static ColumnSpec spec(List<ColumnSpec> specs, String column) {
        for (ColumnSpec s : specs) {
            if (s.name().equals(column)) {
                return s;
            }
        }
        return null;
    }

    private void emit(ColumnSpec spec, String column, ResultSet rs, int col, int sqlType, String[] labelNames,
            String[] labels, MetricSink out) throws SQLException {
        String metric = namespace + "_" + column;
        if (spec == null) {
            Double v = number(rs, col, sqlType);
            if (v != null) {
                out.add(new MetricDesc(metric, "Unknown metric from " + namespace, MetricType.UNTYPED, List.of(labelNames)), v,
                        labels);
            }
            return;
        }
        switch (spec.usage()) {
            case DISCARD, LABEL -> {
            }
            case COUNTER, GAUGE -> {
                Double v = number(rs, col, sqlType);
                if (v != null) {
                    MetricType type = spec.usage() == Usage.COUNTER ? MetricType.COUNTER : MetricType.GAUGE;
                    out.add(new MetricDesc(metric, spec.description(), type, List.of(labelNames)), v, labels);
                }
            }
            case MAPPEDMETRIC -> {
                String text = rs.getString(col);
                Double v = text == null ? null : spec.mapping().get(text);
                if (v != null) {
                    out.add(new MetricDesc(metric, spec.description(), MetricType.GAUGE, List.of(labelNames)), v, labels);
                }
            }
            case DURATION -> {
                Double ms = milliseconds(rs.getString(col));
                if (ms != null) {
                    out.add(new MetricDesc(metric + "_milliseconds", spec.description(), MetricType.GAUGE, List.of(labelNames)),
                            ms, labels);
                }
            }
        }
    }

    /** A value as postgres_exporter converts it: numbers, booleans as 1/0, times as Unix seconds, NULL as NaN. */
    static Double number(ResultSet rs, int col, int sqlType) throws SQLException {
        Object o = rs.getObject(col);
        if (o == null) {
            return Double.NaN;
        }
        if (o instanceof Number n) {
            return n.doubleValue();
        }
        if (o instanceof Boolean b) {
            return b ? 1.0 : 0.0;
        }
        if (sqlType == Types.TIMESTAMP || sqlType == Types.TIMESTAMP_WITH_TIMEZONE || sqlType == Types.DATE) {
            OffsetDateTime t = rs.getObject(col, OffsetDateTime.class);
            return t == null ? Double.NaN : (double) t.toEpochSecond();
        }
        try {
            return Double.parseDouble(o.toString().trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** A duration column: Go's syntax (1h2m3.5s, 150ms) or PostgreSQL's interval text (01:02:03.5). */
    static Double milliseconds(String text) {
        if (text == null) {
            return null;
        }
        String t = text.trim();
        java.util.regex.Matcher hms = java.util.regex.Pattern.compile("(-)?(\\d+):(\\d{2}):(\\d{2}(?:\\.\\d+)?)").matcher(t);
        if (hms.matches()) {
            double ms = (Long.parseLong(hms.group(2)) * 3600 + Long.parseLong(hms.group(3)) * 60
                    + Double.parseDouble(hms.group(4))) * 1000;
            return hms.group(1) != null ? -ms : ms;
        }
        java.util.regex.Matcher go = java.util.regex.Pattern.compile("(\\d+(?:\\.\\d+)?)(h|ms|us|µs|ns|m|s)").matcher(t);
        double total = 0;
        int end = 0;
        while (go.find() && go.start() == end) {
            double v = Double.parseDouble(go.group(1));
            total += switch (go.group(2)) {
                case "h" -> v * 3_600_000;
                case "m" -> v * 60_000;
                case "s" -> v * 1000;
                case "ms" -> v;
                case "us", "µs" -> v / 1000;
                default -> v / 1_000_000;
            };
            end = go.end();
        }
        return end == t.length() && end > 0 ? total : null;
    }
}
