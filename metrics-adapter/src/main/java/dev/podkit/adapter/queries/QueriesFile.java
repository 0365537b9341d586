package dev.podkit.adapter.queries;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * postgres_exporter's queries.yaml, bound strictly: metric namespaces, each with a query and what
 * each column is. {@code timeout} is podkit's addition: a per-query limit below COLLECTION_TIMEOUT.
 */
public final class QueriesFile extends LinkedHashMap<String, QueriesFile.Query> {
    private static final long serialVersionUID = 1L;

    /** One namespace. */
    public record Query(
            String query,
            List<Map<String, Column>> metrics,
            Boolean master,
            @JsonProperty("cache_seconds") Integer cacheSeconds,
            String runonserver,
            Duration timeout) {
    }

    /** One column of a query's result. */
    public record Column(
            String usage,
            String description,
            @JsonProperty("metric_mapping") Map<String, Double> metricMapping,
            @JsonProperty("pg_version") String pgVersion) {
    }
}
