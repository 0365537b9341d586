package dev.podkit.adapter;

import dev.podkit.runtime.Helper;
import dev.podkit.runtime.HelperDescriptor;
import dev.podkit.runtime.Podkit;
import java.util.List;

/** The metrics-adapter image's entry point. */
public final class MetricsAdapter {
    /** Admin port 9187, postgres_exporter's: its /metrics is what Prometheus already scrapes there. */
    public static final HelperDescriptor HELPER = new HelperDescriptor("metrics-adapter",
            "exposes PostgreSQL statistics as Prometheus metrics, as postgres_exporter does", 9187, List.of(),
            context -> Helper.idle());

    private MetricsAdapter() {
    }

    public static void main(String[] args) {
        Podkit.main(HELPER, args);
    }
}
