package dev.podkit.adapter;

import dev.podkit.adapter.collect.Exporter;
import dev.podkit.adapter.collect.PgCollector;
import dev.podkit.adapter.collect.Plan;
import dev.podkit.adapter.collectors.Collectors;
import dev.podkit.adapter.dsn.DataSource;
import dev.podkit.adapter.dsn.DataSources;
import dev.podkit.adapter.exposition.MetricsRoute;
import dev.podkit.adapter.exposition.PostgresMultiCollector;
import dev.podkit.adapter.probe.AuthModules;
import dev.podkit.adapter.probe.AuthModulesFile;
import dev.podkit.adapter.queries.Queries;
import dev.podkit.adapter.probe.ProbeRoute;
import dev.podkit.runtime.Helper;
import dev.podkit.runtime.HelperContext;
import dev.podkit.runtime.config.CommonSettings;
import dev.podkit.runtime.config.Config;
import dev.podkit.runtime.config.ConfigException;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/**
 * The metrics-adapter's job: postgres_exporter's families on {@code /metrics} and {@code /probe}.
 * Everything is read and checked here, before anything is bound, so a bad setting stops the start
 * with one line.
 */
final class AdapterHelper implements Helper {
    private static final System.Logger LOG = System.getLogger(AdapterHelper.class.getName());
    private static final Duration MAX_TIMEOUT = Duration.ofMinutes(5);

    private final HelperContext context;
    private final Exporter exporter;
    private final PostgresMultiCollector collector;
    private final List<DataSource> sources;
    private final String telemetryPath;
    private final String describe;

    AdapterHelper(HelperContext context) {
        this.context = context;
        Config config = context.config();
        Duration timeout = config.get(AdapterSettings.COLLECTION_TIMEOUT);
        if (timeout.isZero() || timeout.compareTo(MAX_TIMEOUT) > 0) {
            throw new ConfigException(AdapterSettings.COLLECTION_TIMEOUT.name(), "a duration from 1ms to 5m",
                    config.raw(AdapterSettings.COLLECTION_TIMEOUT).orElse(""));
        }
        Queries queries = config.raw(AdapterSettings.EXTEND_QUERY_PATH)
                .map(path -> Queries.load(Path.of(path), timeout)).orElse(Queries.none());
        AuthModules modules = config.raw(AdapterSettings.CONFIG_FILE)
                .map(path -> AuthModulesFile.load(Path.of(path))).orElse(AuthModules.none());
        telemetryPath = telemetryPath(config);
        checkListenAddress(config);
        sources = DataSources.from(config);

        Set<String> excluded = list(config.get(AdapterSettings.EXCLUDE_DATABASES));
        Set<String> included = list(config.get(AdapterSettings.INCLUDE_DATABASES));
        Set<String> disabled = list(config.get(AdapterSettings.COLLECTORS_DISABLED));
        List<String> known = Collectors.names();
        for (String name : disabled) {
            if (!known.contains(name)) {
                throw ConfigException.of(AdapterSettings.COLLECTORS_DISABLED.name(),
                        "unknown collector \"" + name + "\"; the collectors are " + String.join(", ", known));
            }
        }
        boolean noDefaults = config.get(AdapterSettings.DISABLE_DEFAULT_METRICS);
        boolean noSettings = config.get(AdapterSettings.DISABLE_SETTINGS_METRICS);
        List<PgCollector> enabled = new ArrayList<>();
        for (PgCollector c : Collectors.all(excluded)) {
            boolean off = disabled.contains(c.name())
                    || noDefaults && Collectors.DEFAULT_METRICS.contains(c.name())
                    || noSettings && c.name().equals("settings");
            if (!off) {
                enabled.add(c);
            }
        }
        enabled.addAll(queries.collectors());
        Predicate<String> databaseFilter = db -> !excluded.contains(db) && (included.isEmpty() || included.contains(db));
        Plan plan = new Plan(enabled, config.get(AdapterSettings.AUTO_DISCOVER_DATABASES), databaseFilter);

        AdapterMeters meters = new AdapterMeters();
        meters.bindTo(context.meters());
        exporter = new Exporter(sources, plan, timeout, meters, context.version(), queries::loadStatus);
        collector = new PostgresMultiCollector(exporter);
        PrometheusRegistry registry = context.metrics().registry().getPrometheusRegistry();
        MetricsRoute metrics = new MetricsRoute(registry, exporter::startScrape);
        context.admin().route("/metrics", metrics);
        if (!telemetryPath.equals("/metrics")) {
            context.admin().route(telemetryPath, metrics);
        }
        context.admin().route("/probe", new ProbeRoute(exporter, modules));
        registry.register(collector);
        describe = enabled.stream().filter(PgCollector::reported).count() + " collectors, " + queries.collectors().size()
                + " custom queries, " + modules.size() + " auth modules";
    }

    private static String telemetryPath(Config config) {
        String path = config.get(AdapterSettings.WEB_TELEMETRY_PATH);
        if (!path.startsWith("/") || path.contains("?") || path.contains(" ") || path.equals("/probe")
                || path.equals("/healthz") || path.equals("/readyz")) {
            throw new ConfigException(AdapterSettings.WEB_TELEMETRY_PATH.name(),
                    "a path such as /metrics (not /probe, /healthz or /readyz)", path);
        }
        return path;
    }

    /**
     * postgres_exporter's listen address is the admin server's here. A value that names another
     * port would silently be ignored, so it stops the start with the setting to use instead.
     */
    private static void checkListenAddress(Config config) {
        if (config.raw(AdapterSettings.WEB_LISTEN_ADDRESS).isEmpty()) {
            return;
        }
        String address = config.get(AdapterSettings.WEB_LISTEN_ADDRESS);
        int colon = address.lastIndexOf(':');
        int port;
        try {
            port = Integer.parseInt(address.substring(colon + 1));
        } catch (NumberFormatException | IndexOutOfBoundsException e) {
            throw new ConfigException(AdapterSettings.WEB_LISTEN_ADDRESS.name(), "[host]:port such as :9187", address);
        }
        if (colon < 0 || port < 1 || port > 65535) {
            throw new ConfigException(AdapterSettings.WEB_LISTEN_ADDRESS.name(), "[host]:port such as :9187", address);
        }
        int adminPort = config.get(new CommonSettings(MetricsAdapter.HELPER_ADMIN_PORT).adminPort);
        if (port != adminPort) {
            throw ConfigException.of(AdapterSettings.WEB_LISTEN_ADDRESS.name(), "the metrics are served by the admin server on port "
                    + adminPort + "; set ADMIN_PORT=" + port + " (and ADMIN_ADDRESS for the host) instead of " + address);
        }
    }

    static Set<String> list(String text) {
        Set<String> items = new LinkedHashSet<>();
        Arrays.stream(text.split(",")).map(String::trim).filter(s -> !s.isEmpty()).forEach(items::add);
        return items;
    }

    @Override
    public void start() {
        if (sources.isEmpty()) {
            LOG.log(Level.WARNING, "no data source (DATA_SOURCE_NAME or DATA_SOURCE_URI): " + telemetryPath
                    + " shows no pg_* families; /probe?target=... still collects");
        } else {
            LOG.log(Level.INFO, "collecting from " + sources + " on " + telemetryPath + " (" + describe + ")");
        }
    }

    @Override
    public CompletableFuture<Void> drain() {
        // Scrapes are short and bounded by COLLECTION_TIMEOUT; the admin server finishes them.
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public void close() {
        context.metrics().registry().getPrometheusRegistry().unregister(collector);
        exporter.close();
    }
}
