package dev.podkit.adapter.queries;

import dev.podkit.adapter.AdapterSettings;
import dev.podkit.adapter.model.FamilySet;
import dev.podkit.adapter.model.MetricDesc;
import dev.podkit.runtime.config.ConfigException;
import dev.podkit.runtime.config.YamlFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Loads {@code PG_EXPORTER_EXTEND_QUERY_PATH}. Where postgres_exporter logs a broken file and runs
 * without it, a broken file stops the start here with one line naming the file, the line or the
 * query, and what is wrong.
 */
public final class Queries {
    static final MetricDesc LOAD_ERROR = MetricDesc.gauge("pg_exporter_user_queries_load_error",
            "Whether the user queries file was loaded and parsed successfully (1 for error, 0 for success).", "filename", "hashsum");
    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");

    private final List<CustomQuery> queries;
    private final String filename;
    private final String hashsum;

    private Queries(List<CustomQuery> queries, String filename, String hashsum) {
        this.queries = List.copyOf(queries);
        this.filename = filename;
        this.hashsum = hashsum;
    }

    public static Queries none() {
        return new Queries(List.of(), null, null);
    }

    public List<CustomQuery> collectors() {
        return queries;
    }

    /** {@code pg_exporter_user_queries_load_error}, as postgres_exporter reports its queries file (0: loaded). */
    public FamilySet loadStatus() {
        if (filename == null) {
            return null;
        }
        FamilySet set = new FamilySet();
        set.add(LOAD_ERROR, 0, filename, hashsum);
        return set;
    }

    public static Queries load(Path file, Duration collectionTimeout) {
        String setting = AdapterSettings.EXTEND_QUERY_PATH.name();
        QueriesFile parsed = YamlFiles.read(setting, file, QueriesFile.class);
        List<CustomQuery> queries = new ArrayList<>();
        for (Map.Entry<String, QueriesFile.Query> e : parsed.entrySet()) {
            queries.add(query(setting, file, e.getKey(), e.getValue(), collectionTimeout));
        }
        return new Queries(queries, file.toString(), sha256(file));
    }

    private static CustomQuery query(String setting, Path file, String namespace, QueriesFile.Query q, Duration collectionTimeout) {
        String where = file + " at " + namespace;
        if (!NAME.matcher(namespace).matches()) {
            throw ConfigException.of(setting, where + ": not a valid metric name prefix");
        }
        if (q == null || q.query() == null || q.query().isBlank()) {
            throw ConfigException.of(setting, where + ": query is missing");
        }
        if (q.metrics() == null || q.metrics().isEmpty()) {
            throw ConfigException.of(setting, where + ": metrics is missing (one entry per column)");
        }
        List<CustomQuery.ColumnSpec> columns = new ArrayList<>();
        for (int i = 0; i < q.metrics().size(); i++) {
            Map<String, QueriesFile.Column> entry = q.metrics().get(i);
            String at = where + ".metrics[" + i + "]";
            if (entry == null || entry.size() != 1) {
                throw ConfigException.of(setting, at + ": expected one column name with its usage, e.g. \"- datname: {usage: LABEL}\"");
            }
            var column = entry.entrySet().iterator().next();
            String name = column.getKey();
            QueriesFile.Column c = column.getValue();
            if (!NAME.matcher(name).matches() || name.contains(":")) {
                throw ConfigException.of(setting, at + ": \"" + name + "\" is not a valid column name for a metric");
            }
            if (c == null || c.usage() == null) {
                throw ConfigException.of(setting, at + "." + name + ": usage is missing (LABEL, COUNTER, GAUGE, MAPPEDMETRIC, DURATION or DISCARD)");
            }
            CustomQuery.Usage usage;
            String usageText = c.usage().trim().toUpperCase(Locale.ROOT);
            if (usageText.equals("HISTOGRAM")) {
                throw ConfigException.of(setting, at + "." + name + ": HISTOGRAM columns are not supported");
            }
            try {
                usage = CustomQuery.Usage.valueOf(usageText);
            } catch (IllegalArgumentException ex) {
                throw ConfigException.of(setting, at + "." + name + ": usage \"" + c.usage()
                        + "\" is not one of LABEL, COUNTER, GAUGE, MAPPEDMETRIC, DURATION, DISCARD");
            }
            if (usage == CustomQuery.Usage.MAPPEDMETRIC && (c.metricMapping() == null || c.metricMapping().isEmpty())) {
                throw ConfigException.of(setting, at + "." + name + ": MAPPEDMETRIC needs metric_mapping");
            }
            if (usage == CustomQuery.Usage.LABEL && name.equals("server")) {
                throw ConfigException.of(setting, at + "." + name + ": \"server\" is the label the adapter adds itself");
            }
            VersionRange versions = null;
            if (c.pgVersion() != null) {
                try {
                    versions = VersionRange.parse(c.pgVersion());
                } catch (IllegalArgumentException ex) {
                    throw ConfigException.of(setting, at + "." + name + ".pg_version: " + ex.getMessage());
                }
            }
            columns.add(new CustomQuery.ColumnSpec(name, usage, c.description() == null ? "" : c.description(),
                    c.metricMapping() == null ? Map.of() : Map.copyOf(c.metricMapping()), versions));
        }
        VersionRange runOnServer = null;
        if (q.runonserver() != null && !q.runonserver().isBlank()) {
            try {
                runOnServer = VersionRange.parse(q.runonserver());
            } catch (IllegalArgumentException ex) {
                throw ConfigException.of(setting, where + ".runonserver: " + ex.getMessage());
            }
        }
        Duration timeout = q.timeout() == null ? collectionTimeout : q.timeout();
        if (timeout.isZero() || timeout.compareTo(collectionTimeout) > 0) {
            throw ConfigException.of(setting, where + ".timeout: must be more than 0 and at most COLLECTION_TIMEOUT ("
                    + collectionTimeout.toMillis() + "ms)");
        }
        int cacheSeconds = q.cacheSeconds() == null ? 0 : q.cacheSeconds();
        if (cacheSeconds < 0) {
            throw ConfigException.of(setting, where + ".cache_seconds: must not be negative");
        }
        return new CustomQuery(namespace, q.query(), columns, Boolean.TRUE.equals(q.master()), Duration.ofSeconds(cacheSeconds),
                runOnServer, timeout, collectionTimeout);
    }

    private static String sha256(Path file) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (IOException | NoSuchAlgorithmException e) {
            return "";
        }
    }
}
