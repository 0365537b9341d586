package dev.podkit.ambassador.route;

import dev.podkit.ambassador.balance.Balancer;
import dev.podkit.ambassador.config.ListenerConfig;
import dev.podkit.ambassador.config.TargetConfig;
import dev.podkit.ambassador.metrics.RouteMetrics;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/** A listener's route at run time: its targets, their endpoints, the balancer and the meters. */
public final class Route {
    private final ListenerConfig config;
    private final List<Target> targets;
    private final Balancer balancer;
    private final RouteMetrics metrics;

    public Route(ListenerConfig config) {
        this.config = config;
        List<Target> list = new ArrayList<>();
        for (TargetConfig t : config.targets()) {
            list.add(new Target(config.name(), t));
        }
        this.targets = List.copyOf(list);
        this.balancer = Balancer.of(config.balance());
        this.metrics = new RouteMetrics(config.name());
    }

    public String name() {
        return config.name();
    }

    public ListenerConfig config() {
        return config;
    }

    public List<Target> targets() {
        return targets;
    }

    public RouteMetrics metrics() {
        return metrics;
    }

    /**
     * The endpoint for the next connect attempt, avoiding the ones this connection already tried.
     * Usable endpoints (healthy, not ejected) come first; when there are none, the others are tried
     * anyway ("panic mode"): a wrong health verdict must not block traffic that would work.
     */
    public Optional<Endpoint> pick(Collection<Endpoint> tried) {
        long now = System.nanoTime();
        if (tried.isEmpty() && targets.size() == 1) {
            // The usual case, one target and a first attempt: when all its endpoints are usable,
            // the lists below would all be copies of its list.
            List<Endpoint> endpoints = targets.get(0).endpoints();
            if (!endpoints.isEmpty() && allUsable(endpoints, now)) {
                return Optional.of(balancer.pick(endpoints));
            }
        }
        List<Endpoint> all = new ArrayList<>();
        for (Target t : targets) {
            all.addAll(t.endpoints());
        }
        if (all.isEmpty()) {
            return Optional.empty();
        }
        List<Endpoint> usable = new ArrayList<>(all.size());
        for (Endpoint e : all) {
            if (e.usable(now)) {
                usable.add(e);
            }
        }
        for (List<Endpoint> pool : List.of(usable, all)) {
            List<Endpoint> fresh = new ArrayList<>(pool);
            fresh.removeAll(tried);
            if (!fresh.isEmpty()) {
                return Optional.of(balancer.pick(fresh));
            }
        }
        return Optional.of(balancer.pick(usable.isEmpty() ? all : usable));
    }

    private static boolean allUsable(List<Endpoint> endpoints, long now) {
        for (Endpoint e : endpoints) {
            if (!e.usable(now)) {
                return false;
            }
        }
        return true;
    }

    /** Number of usable endpoints over all targets. */
    public int usableEndpoints() {
        long now = System.nanoTime();
        int n = 0;
        for (Target t : targets) {
            for (Endpoint e : t.endpoints()) {
                if (e.usable(now)) {
                    n++;
                }
            }
        }
        return n;
    }

    @Override
    public String toString() {
        return config.name();
    }
}
