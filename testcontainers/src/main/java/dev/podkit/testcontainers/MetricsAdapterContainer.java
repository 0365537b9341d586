package dev.podkit.testcontainers;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.postgresql.PostgreSQLContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * The {@code podkit/metrics-adapter} image: postgres_exporter's metrics of a PostgreSQL server on
 * {@code :9187/metrics}. Typical use, with the database on a shared network:
 * <pre>{@code
 * PostgreSQLContainer pg = new PostgreSQLContainer(image).withNetwork(net).withNetworkAliases("db");
 * MetricsAdapterContainer adapter = new MetricsAdapterContainer().withDataSource(pg);
 * }</pre>
 */
public class MetricsAdapterContainer extends PodkitContainer<MetricsAdapterContainer> {
    public static final String HELPER = "metrics-adapter";
    public static final int ADMIN_PORT = 9187;
    /** Where {@link #withQueries} and {@link #withConfigFile} put their files in the container. */
    public static final String QUERIES_PATH = "/etc/podkit/queries.yaml";
    public static final String CONFIG_PATH = "/etc/podkit/postgres_exporter.yml";

    /** The image named by {@link PodkitImages#of} (system properties, else this artifact's version). */
    public MetricsAdapterContainer() {
        this(PodkitImages.of(HELPER));
    }

    public MetricsAdapterContainer(DockerImageName image) {
        super(image, HELPER, ADMIN_PORT);
    }

    /**
     * {@code DATA_SOURCE_NAME} for a PostgreSQL container on the same network, reached by its first
     * network alias, with its user, password and database (needs testcontainers-postgresql).
     */
    public MetricsAdapterContainer withDataSource(PostgreSQLContainer postgres) {
        return withDataSource(postgres, postgres.getUsername(), postgres.getPassword(), postgres.getDatabaseName());
    }

    /** {@code DATA_SOURCE_NAME} for a PostgreSQL container on the same network, with other credentials or database. */
    public MetricsAdapterContainer withDataSource(PostgreSQLContainer postgres, String user, String password, String database) {
        if (postgres.getNetwork() == null || postgres.getNetworkAliases().isEmpty()) {
            throw new IllegalStateException("put the PostgreSQLContainer on a Network with an alias first");
        }
        withNetwork(postgres.getNetwork());
        dependsOn(postgres);
        // Testcontainers puts a random "tc-..." alias first; the test's own alias is the one to use.
        String host = postgres.getNetworkAliases().stream().filter(a -> !a.startsWith("tc-")).findFirst()
                .orElse(postgres.getNetworkAliases().get(0));
        return withDataSourceName(uri(host, 5432, user, password, database));
    }

    /** {@code postgresql://user:password@host:port/database?sslmode=disable}, user and password URL-encoded. */
    public static String uri(String host, int port, String user, String password, String database) {
        return "postgresql://" + encode(user) + ":" + encode(password) + "@" + host + ":" + port + "/" + database
                + "?sslmode=disable";
    }

    private static String encode(String s) {
        return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** {@code DATA_SOURCE_NAME}: one or more connection strings (URI or key=value form). */
    public MetricsAdapterContainer withDataSourceName(String... dsns) {
        return withSetting("DATA_SOURCE_NAME", String.join(",", dsns));
    }

    /** {@code DATA_SOURCE_URI}, {@code DATA_SOURCE_USER} and {@code DATA_SOURCE_PASS}. */
    public MetricsAdapterContainer withDataSourceUri(String uri, String user, String password) {
        return withSetting("DATA_SOURCE_URI", uri).withSetting("DATA_SOURCE_USER", user).withSetting("DATA_SOURCE_PASS", password);
    }

    /** {@code COLLECTION_TIMEOUT}. */
    public MetricsAdapterContainer withCollectionTimeout(Duration timeout) {
        return withSetting("COLLECTION_TIMEOUT", timeout.toMillis() + "ms");
    }

    /** {@code COLLECTORS_DISABLED}. */
    public MetricsAdapterContainer withCollectorsDisabled(String... collectors) {
        return withSetting("COLLECTORS_DISABLED", String.join(",", collectors));
    }

    /** {@code PG_EXPORTER_AUTO_DISCOVER_DATABASES=true}, leaving out {@code excluded}. */
    public MetricsAdapterContainer withDatabaseDiscovery(String... excluded) {
        withSetting("PG_EXPORTER_AUTO_DISCOVER_DATABASES", "true");
        return excluded.length == 0 ? self() : withSetting("PG_EXPORTER_EXCLUDE_DATABASES", String.join(",", excluded));
    }

    /** A queries.yaml (postgres_exporter's format), copied in before the start ({@code PG_EXPORTER_EXTEND_QUERY_PATH}). */
    public MetricsAdapterContainer withQueries(String yaml) {
        withCopyToContainer(Transferable.of(yaml, 0644), QUERIES_PATH);
        return withSetting("PG_EXPORTER_EXTEND_QUERY_PATH", QUERIES_PATH);
    }

    /** A postgres_exporter.yml with auth_modules for /probe ({@code PG_EXPORTER_CONFIG_FILE}). */
    public MetricsAdapterContainer withConfigFile(String yaml) {
        withCopyToContainer(Transferable.of(yaml, 0644), CONFIG_PATH);
        return withSetting("PG_EXPORTER_CONFIG_FILE", CONFIG_PATH);
    }

    /** {@code PG_EXPORTER_WEB_TELEMETRY_PATH}. */
    public MetricsAdapterContainer withTelemetryPath(String path) {
        return withSetting("PG_EXPORTER_WEB_TELEMETRY_PATH", path);
    }

    /** {@code http://host:port/metrics} from the test's side. */
    public String getMetricsUrl() {
        return getAdminUrl() + "/metrics";
    }

    /** {@code /probe} of a target ({@code host:port/db}), with an auth module unless null. */
    public String getProbeUrl(String target, String authModule) {
        List<String> params = Arrays.asList("target=" + encode(target),
                authModule == null ? null : "auth_module=" + encode(authModule));
        return getAdminUrl() + "/probe?" + params.stream().filter(p -> p != null).collect(Collectors.joining("&"));
    }
}
