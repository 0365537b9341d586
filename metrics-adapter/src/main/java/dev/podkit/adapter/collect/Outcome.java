package dev.podkit.adapter.collect;

/** How one collector did in one scrape: {@code pg_scrape_collector_duration_seconds} and {@code _success}. */
public record Outcome(String collector, double seconds, boolean success) {

    /** Both parts of a collector that ran more than once (per database): success only if all succeeded. */
    Outcome and(Outcome other) {
        return new Outcome(collector, seconds + other.seconds, success && other.success);
    }
}
