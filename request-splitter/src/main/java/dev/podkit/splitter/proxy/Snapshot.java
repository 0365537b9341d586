package dev.podkit.splitter.proxy;

import dev.podkit.splitter.config.SplitterConfig;
import dev.podkit.splitter.config.VariantConfig;
import dev.podkit.splitter.route.Router;
import java.util.HashMap;
import java.util.Map;

/** A configuration as the proxy uses it: the router and a balancer per variant. Immutable once built. */
final class Snapshot {
    final SplitterConfig config;
    final Router router;
    final Map<String, Balancer> balancers = new HashMap<>();
    final Balancer mirror;
    /** The response's variant header name in lower case, to find an upstream's own; null if none. */
    final String responseVariantHeaderLower;

    Snapshot(SplitterConfig config) {
        this.config = config;
        this.router = config.variants().isEmpty() ? null : new Router(config);
        for (VariantConfig v : config.variants()) {
            balancers.put(v.name(), new Balancer(v.servers()));
        }
        this.mirror = config.mirror() == null ? null : new Balancer(config.mirror().servers());
        this.responseVariantHeaderLower = config.responseVariantHeader() == null ? null
                : config.responseVariantHeader().toLowerCase(java.util.Locale.ROOT);
    }
}
