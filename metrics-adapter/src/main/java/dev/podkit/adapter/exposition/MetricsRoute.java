package dev.podkit.adapter.exposition;

import dev.podkit.adapter.model.FamilySet;
import dev.podkit.runtime.admin.AdminRequest;
import dev.podkit.runtime.admin.AdminResponse;
import dev.podkit.runtime.admin.AdminRoute;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * {@code /metrics} (and {@code PG_EXPORTER_WEB_TELEMETRY_PATH}): the process's own meters (JVM,
 * process, podkit_*) as the runtime renders them, followed by postgres_exporter's families as
 * {@link FamilyWriter} renders them: the text format 0.0.4 as postgres_exporter answers, OpenMetrics
 * for a scraper that accepts only that ({@link #onlyOpenMetrics}). Runs on the admin
 * worker thread; the collection behind it is bounded by COLLECTION_TIMEOUT.
 */
public final class MetricsRoute implements AdminRoute {
    private static final String EOF = "# EOF\n";
    private static final int MAX_KEPT = 4 * 1024 * 1024;
    private static final ThreadLocal<ExpositionBuffer> BUFFERS = ThreadLocal.withInitial(() -> new ExpositionBuffer(256 * 1024));

    private final PrometheusRegistry registry;
    /** Starts a collection; what it returns waits for the collection's families. */
    private final Supplier<Supplier<FamilySet>> scrapes;
    private final ExpositionFormats formats = ExpositionFormats.init();

    public MetricsRoute(PrometheusRegistry registry, Supplier<Supplier<FamilySet>> scrapes) {
        this.registry = registry;
        this.scrapes = scrapes;
    }

    /**
     * OpenMetrics only for a scraper that accepts nothing else. postgres_exporter never answers in
     * OpenMetrics, and Prometheus (which prefers it, but accepts the text format) would store every
     * counter sample under an OpenMetrics name with {@code _total} added
     * ({@code pg_stat_database_xact_commit_total}), which no dashboard queries.
     */
    public static boolean onlyOpenMetrics(String accept) {
        if (accept == null || !accept.contains("application/openmetrics-text")) {
            return false;
        }
        for (String part : accept.split(",")) {
            String type = part.split(";")[0].trim();
            if (type.equals("text/plain") || type.equals("*/*") || type.equals("text/*")) {
                return false;
            }
        }
        return true;
    }

    @Override
    public AdminResponse handle(AdminRequest request) throws Exception {
        // The databases answer while this thread renders the process's own meters.
        Supplier<FamilySet> collection = scrapes.get();
        boolean openMetrics = onlyOpenMetrics(request.accept());
        ExpositionFormatWriter writer = openMetrics ? formats.getOpenMetricsTextFormatWriter()
                : formats.getPrometheusTextFormatWriter();
        ByteArrayOutputStream own = new ByteArrayOutputStream(16 * 1024);
        writer.write(own, registry.scrape(name -> !PostgresMultiCollector.SENTINEL.equals(name)));
        byte[] ownBytes = own.toByteArray();
        int ownLength = ownBytes.length;
        if (openMetrics && own.toString(StandardCharsets.UTF_8).endsWith(EOF)) {
            ownLength -= EOF.length();
        }
        // One buffer per admin worker thread, reused: a big scrape's text is built without the
        // garbage of a growing array each time (only the final copy is new).
        ExpositionBuffer body = BUFFERS.get().reset(MAX_KEPT);
        body.append(ownBytes, 0, ownLength);
        FamilyWriter.write(body, collection.get().families(), openMetrics);
        if (openMetrics) {
            body.append(EOF);
        }
        return new AdminResponse(200, openMetrics ? FamilyWriter.OPENMETRICS : FamilyWriter.TEXT, body.toByteArray());
    }
}
