package dev.podkit.adapter;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

/** The adapter's own meters, beside postgres_exporter's families: what it dropped or cut short. */
public final class AdapterMeters implements MeterBinder {
    private Counter duplicates;
    private Counter timeouts;

    @Override
    public void bindTo(MeterRegistry registry) {
        duplicates = Counter.builder("podkit.adapter.duplicate.series")
                .description("Samples dropped because a sample with the same name and labels (or a family of another type) was already collected; postgres_exporter answers HTTP 500 there")
                .register(registry);
        timeouts = Counter.builder("podkit.adapter.collection.timeouts")
                .description("Collections cut short by COLLECTION_TIMEOUT")
                .register(registry);
    }

    public void duplicates(int count) {
        if (duplicates != null && count > 0) {
            duplicates.increment(count);
        }
    }

    public void timeout() {
        if (timeouts != null) {
            timeouts.increment();
        }
    }
}
