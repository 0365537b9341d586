package dev.podkit.adapter.model;

import java.util.List;
import java.util.regex.Pattern;

/**
 * A metric family's identity, as a Go {@code prometheus.Desc}: the exact exposed name, help,
 * type and label names. Collectors declare them as constants.
 */
public record MetricDesc(String name, String help, MetricType type, List<String> labelNames) {
    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

    public MetricDesc {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("not a valid metric name: " + name);
        }
        for (String label : labelNames) {
            if (!LABEL.matcher(label).matches() || label.startsWith("__")) {
                throw new IllegalArgumentException("not a valid label name for " + name + ": " + label);
            }
        }
        labelNames = List.copyOf(labelNames);
    }

    public static MetricDesc gauge(String name, String help, String... labelNames) {
        return new MetricDesc(name, help, MetricType.GAUGE, List.of(labelNames));
    }

    public static MetricDesc counter(String name, String help, String... labelNames) {
        return new MetricDesc(name, help, MetricType.COUNTER, List.of(labelNames));
    }

    public static MetricDesc untyped(String name, String help, String... labelNames) {
        return new MetricDesc(name, help, MetricType.UNTYPED, List.of(labelNames));
    }
}
