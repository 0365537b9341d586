package dev.podkit.adapter.collect;

import dev.podkit.adapter.dsn.DataSource;
import dev.podkit.adapter.model.FamilySet;
import java.util.List;

/**
 * What one collection from one data source gave.
 *
 * @param up whether a connection was there ({@code pg_up})
 * @param families the samples of the collectors that finished
 * @param outcomes per reported collector, also those cut off by the timeout (as failed)
 * @param serverError a built-in metric map or custom query failed ({@code pg_exporter_last_scrape_error})
 * @param timedOut the collection timeout cut it short
 */
public record TargetResult(DataSource source, boolean up, FamilySet families, List<Outcome> outcomes, boolean serverError,
        boolean timedOut) {
}
