package dev.podkit.runtime;

import dev.podkit.runtime.admin.AdminServer;
import dev.podkit.runtime.config.Config;
import dev.podkit.runtime.health.Health;
import dev.podkit.runtime.metrics.Metrics;
import io.micrometer.core.instrument.MeterRegistry;

/** What the runtime hands a helper when creating it. */
public record HelperContext(String name, String version, Config config, Metrics metrics, Health health,
        AdminServer admin) {

    /** The registry components bind their meters to. */
    public MeterRegistry meters() {
        return metrics.registry();
    }
}
