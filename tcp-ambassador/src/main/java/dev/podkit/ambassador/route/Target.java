package dev.podkit.ambassador.route;

import dev.podkit.ambassador.config.HostPort;
import dev.podkit.ambassador.config.TargetConfig;
import dev.podkit.ambassador.metrics.TargetMetrics;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import io.netty.util.NetUtil;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A configured target of a route at run time: its current endpoints (one per address its name
 * resolves to; updated on every lookup, so an address change is picked up without a restart) and
 * its meters.
 */
public final class Target {
    private final String route;
    private final TargetConfig config;
    private final TargetMetrics metrics;
    /** The address of a target given as an IP address (no lookup needed), else null. */
    private final List<InetAddress> literalAddresses;
    private volatile List<Endpoint> endpoints = List.of();
    /** The list of the last lookup that {@link #update} took, to skip comparing the same list again. */
    private volatile List<InetAddress> lastAddresses;
    private volatile String resolveProblem;

    public Target(String route, TargetConfig config) {
        this.route = route;
        this.config = config;
        this.metrics = new TargetMetrics(route, config.address().toString(), () -> endpoints.size(),
                this::usableCount);
        String host = config.address().host();
        this.literalAddresses = HostPort.isIpLiteral(host)
                ? List.of(NetUtil.createInetAddressFromIpAddressString(host)) : null;
    }

    /** The target's address when it is given as an IP address, so that no lookup is needed; else null. */
    public List<InetAddress> literalAddresses() {
        return literalAddresses;
    }

    public String route() {
        return route;
    }

    public TargetConfig config() {
        return config;
    }

    public TargetMetrics metrics() {
        return metrics;
    }

    public List<Endpoint> endpoints() {
        return endpoints;
    }

    double weightPerEndpoint() {
        int n = Math.max(1, endpoints.size());
        return (double) config.weight() / n;
    }

    private int usableCount() {
        long now = System.nanoTime();
        int n = 0;
        for (Endpoint e : endpoints) {
            if (e.usable(now)) {
                n++;
            }
        }
        return n;
    }

    /**
     * Takes the addresses of a lookup: keeps the endpoints (and their state) of addresses still
     * there, adds new ones, drops the ones gone. Connections open to a dropped address keep it.
     */
    public List<Endpoint> update(List<InetAddress> addresses) {
        if (addresses == lastAddresses && resolveProblem == null) {
            return endpoints; // the same answer again (a cached lookup, an IP address)
        }
        return updateFrom(addresses);
    }

    private synchronized List<Endpoint> updateFrom(List<InetAddress> addresses) {
        resolveProblem = null;
        lastAddresses = addresses;
        List<Endpoint> current = endpoints;
        if (current.size() == addresses.size()) {
            boolean same = true;
            for (int i = 0; i < addresses.size() && same; i++) {
                same = current.get(i).address().getAddress().equals(addresses.get(i));
            }
            if (same) {
                return current;
            }
        }
        Map<InetAddress, Endpoint> byAddress = new HashMap<>();
        for (Endpoint e : current) {
            byAddress.put(e.address().getAddress(), e);
        }
        List<Endpoint> next = new ArrayList<>(addresses.size());
        for (InetAddress a : addresses) {
            Endpoint e = byAddress.get(a);
            if (e == null) {
                e = new Endpoint(this, new InetSocketAddress(a, config.address().port()));
            }
            if (!next.contains(e)) {
                next.add(e);
            }
        }
        endpoints = List.copyOf(next);
        return endpoints;
    }

    /** A lookup failed: the last good endpoints stay in use (until a lookup answers otherwise). */
    public void resolveFailed(String problem) {
        resolveProblem = problem;
    }

    /** Why the last lookup failed, or null. */
    public String resolveProblem() {
        return resolveProblem;
    }

    @Override
    public String toString() {
        return config.address().toString();
    }
}
