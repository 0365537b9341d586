package dev.podkit.adapter;

import dev.podkit.runtime.HelperDescriptor;
import dev.podkit.runtime.Podkit;

/** The metrics-adapter image's entry point: a drop-in for postgres_exporter. */
public final class MetricsAdapter {
    /** postgres_exporter's port: its /metrics is what Prometheus already scrapes there. */
    static final int HELPER_ADMIN_PORT = 9187;

    public static final HelperDescriptor HELPER = new HelperDescriptor("metrics-adapter",
            "exposes PostgreSQL statistics as Prometheus metrics, as postgres_exporter does", HELPER_ADMIN_PORT,
            AdapterSettings.all(), AdapterHelper::new);

    private MetricsAdapter() {
    }

    public static void main(String[] args) {
        Podkit.main(HELPER, args);
    }
}
