package dev.podkit.adapter;

import dev.podkit.runtime.config.Setting;
import java.time.Duration;
import java.util.List;

/**
 * The metrics-adapter's settings. Where postgres_exporter has an environment variable for a thing,
 * the setting has its name, so an existing pod spec keeps working.
 */
public final class AdapterSettings {
    public static final Setting<String> DATA_SOURCE_NAME = Setting.text("DATA_SOURCE_NAME", "",
            "Connection strings, comma-separated: postgresql://user:pass@host:5432/db?sslmode=disable or host=... user=... key=value pairs. Unset: DATA_SOURCE_URI, or /probe only.")
            .secret();
    public static final Setting<String> DATA_SOURCE_NAME_FILE = Setting.text("DATA_SOURCE_NAME_FILE", "",
            "File holding DATA_SOURCE_NAME (a mounted secret).");
    public static final Setting<String> DATA_SOURCE_URI = Setting.text("DATA_SOURCE_URI", "",
            "Used when DATA_SOURCE_NAME is unset: host:port/db?params, comma-separated for several, with DATA_SOURCE_USER and DATA_SOURCE_PASS.");
    public static final Setting<String> DATA_SOURCE_URI_FILE = Setting.text("DATA_SOURCE_URI_FILE", "",
            "File holding DATA_SOURCE_URI.");
    public static final Setting<String> DATA_SOURCE_USER = Setting.text("DATA_SOURCE_USER", "",
            "User for DATA_SOURCE_URI.");
    public static final Setting<String> DATA_SOURCE_USER_FILE = Setting.text("DATA_SOURCE_USER_FILE", "",
            "File holding DATA_SOURCE_USER.");
    public static final Setting<String> DATA_SOURCE_PASS = Setting.text("DATA_SOURCE_PASS", "",
            "Password for DATA_SOURCE_URI.").secret();
    public static final Setting<String> DATA_SOURCE_PASS_FILE = Setting.text("DATA_SOURCE_PASS_FILE", "",
            "File holding DATA_SOURCE_PASS (a mounted secret).");
    public static final Setting<Duration> COLLECTION_TIMEOUT = Setting.duration("COLLECTION_TIMEOUT", "5s",
            "Longest time a scrape waits for PostgreSQL; also the session's statement_timeout. Keep it below Prometheus's scrape_timeout (10s by default).");
    public static final Setting<String> COLLECTORS_DISABLED = Setting.text("COLLECTORS_DISABLED", "",
            "Collectors to switch off, comma-separated (postgres_exporter's --no-collector.NAME), e.g. stat_user_tables,statio_user_tables.");
    public static final Setting<Boolean> DISABLE_DEFAULT_METRICS = Setting.bool("PG_EXPORTER_DISABLE_DEFAULT_METRICS", false,
            "Leave out the built-in pg_stat_activity, pg_stat_archiver, pg_stat_database_conflicts, pg_stat_replication, pg_replication_slots and pg_settings families.");
    public static final Setting<Boolean> DISABLE_SETTINGS_METRICS = Setting.bool("PG_EXPORTER_DISABLE_SETTINGS_METRICS", false,
            "Leave out the pg_settings_* families.");
    public static final Setting<Boolean> AUTO_DISCOVER_DATABASES = Setting.bool("PG_EXPORTER_AUTO_DISCOVER_DATABASES", false,
            "Also collect the per-database table statistics (and custom queries) of every database of the first server.");
    public static final Setting<String> EXCLUDE_DATABASES = Setting.text("PG_EXPORTER_EXCLUDE_DATABASES", "",
            "Databases to leave out, comma-separated: from discovery and from pg_database_*.");
    public static final Setting<String> INCLUDE_DATABASES = Setting.text("PG_EXPORTER_INCLUDE_DATABASES", "",
            "With discovery: only these databases, comma-separated.");
    public static final Setting<String> EXTEND_QUERY_PATH = Setting.text("PG_EXPORTER_EXTEND_QUERY_PATH", "",
            "A queries.yaml file of custom queries (postgres_exporter's format).");
    public static final Setting<String> CONFIG_FILE = Setting.text("PG_EXPORTER_CONFIG_FILE", "",
            "postgres_exporter.yml with auth_modules for /probe (postgres_exporter's --config.file).");
    public static final Setting<String> WEB_LISTEN_ADDRESS = Setting.text("PG_EXPORTER_WEB_LISTEN_ADDRESS", ":9187",
            "postgres_exporter's listen address, kept for existing pod specs: it must name the admin server's port (ADMIN_ADDRESS, ADMIN_PORT), which serves the metrics.");
    public static final Setting<String> WEB_TELEMETRY_PATH = Setting.text("PG_EXPORTER_WEB_TELEMETRY_PATH", "/metrics",
            "Path of the metrics; /metrics always answers too.");

    private AdapterSettings() {
    }

    public static List<Setting<?>> all() {
        return List.of(DATA_SOURCE_NAME, DATA_SOURCE_NAME_FILE, DATA_SOURCE_URI, DATA_SOURCE_URI_FILE, DATA_SOURCE_USER,
                DATA_SOURCE_USER_FILE, DATA_SOURCE_PASS, DATA_SOURCE_PASS_FILE, COLLECTION_TIMEOUT, COLLECTORS_DISABLED,
                DISABLE_DEFAULT_METRICS, DISABLE_SETTINGS_METRICS, AUTO_DISCOVER_DATABASES, EXCLUDE_DATABASES,
                INCLUDE_DATABASES, EXTEND_QUERY_PATH, CONFIG_FILE, WEB_LISTEN_ADDRESS, WEB_TELEMETRY_PATH);
    }
}
