package dev.podkit.ambassador.balance;

import dev.podkit.ambassador.route.Endpoint;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The endpoint with the fewest active connections per unit of weight. Ties go round-robin, so
 * that idle targets share new connections instead of the first one taking them all.
 */
final class LeastConnections implements Balancer {
    private final AtomicInteger next = new AtomicInteger();

    @Override
    public Endpoint pick(List<Endpoint> candidates) {
        int n = candidates.size();
        if (n == 1) {
            return candidates.get(0);
        }
        int start = Math.floorMod(next.getAndIncrement(), n);
        Endpoint best = null;
        double bestLoad = Double.MAX_VALUE;
        for (int i = 0; i < n; i++) {
            Endpoint e = candidates.get((start + i) % n);
            double load = (e.active() + 1) / e.weight();
            if (load < bestLoad) {
                bestLoad = load;
                best = e;
            }
        }
        return best;
    }
}
