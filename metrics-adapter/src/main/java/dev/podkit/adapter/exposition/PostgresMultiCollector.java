package dev.podkit.adapter.exposition;

import dev.podkit.adapter.collect.Exporter;
import dev.podkit.adapter.model.Family;
import dev.podkit.adapter.model.FamilySet;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusScrapeRequest;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.UnknownSnapshot;
import java.util.function.Predicate;

/**
 * postgres_exporter's families as a per-scrape collector of the process's Prometheus registry:
 * whoever scrapes the registry gets them, collected fresh. The metrics route itself renders them
 * with {@link FamilyWriter} (exact counter names in the text format) and asks the registry for
 * the rest without {@link #SENTINEL}, which makes this collector step aside.
 */
public final class PostgresMultiCollector implements MultiCollector {
    /** A name this collector always produces; a scrape that excludes it gets nothing from here. */
    public static final String SENTINEL = Exporter.UP.name();

    private final Exporter exporter;

    public PostgresMultiCollector(Exporter exporter) {
        this.exporter = exporter;
    }

    @Override
    public MetricSnapshots collect() {
        return snapshots(exporter.scrape());
    }

    @Override
    public MetricSnapshots collect(Predicate<String> includedNames) {
        return includedNames.test(SENTINEL) ? collect() : new MetricSnapshots();
    }

    @Override
    public MetricSnapshots collect(Predicate<String> includedNames, PrometheusScrapeRequest request) {
        return collect(includedNames);
    }

    @Override
    public MetricSnapshots collect(PrometheusScrapeRequest request) {
        return collect();
    }

    /** The families as the Java client's snapshots (its text writer adds _total to counters that lack it). */
    public static MetricSnapshots snapshots(FamilySet families) {
        MetricSnapshots.Builder all = MetricSnapshots.builder();
        for (Family f : families.families()) {
            all.metricSnapshot(snapshot(f));
        }
        return all.build();
    }

    private static MetricSnapshot snapshot(Family f) {
        String[] names = f.desc().labelNames().toArray(String[]::new);
        return switch (f.desc().type()) {
            case GAUGE -> {
                GaugeSnapshot.Builder b = GaugeSnapshot.builder().name(f.desc().name()).help(f.desc().help());
                f.samples().forEach(s -> b.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder()
                        .labels(Labels.of(names, s.labelValues().toArray(String[]::new))).value(s.value()).build()));
                yield b.build();
            }
            case COUNTER -> {
                CounterSnapshot.Builder b = CounterSnapshot.builder().name(f.desc().name()).help(f.desc().help());
                f.samples().forEach(s -> b.dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder()
                        .labels(Labels.of(names, s.labelValues().toArray(String[]::new))).value(s.value()).build()));
                yield b.build();
            }
            case UNTYPED -> {
                UnknownSnapshot.Builder b = UnknownSnapshot.builder().name(f.desc().name()).help(f.desc().help());
                f.samples().forEach(s -> b.dataPoint(UnknownSnapshot.UnknownDataPointSnapshot.builder()
                        .labels(Labels.of(names, s.labelValues().toArray(String[]::new))).value(s.value()).build()));
                yield b.build();
            }
        };
    }
}
