package dev.podkit.ambassador.balance;

import dev.podkit.ambassador.route.Endpoint;
import java.util.List;

/**
 * Smooth weighted round-robin, the algorithm of nginx's upstream module: every pick adds each
 * candidate's weight to its running score, takes the highest and subtracts the total from it.
 * Weights 5:1:1 give a a b a c a a, not a a a a a b c.
 */
final class RoundRobin implements Balancer {

    @Override
    public synchronized Endpoint pick(List<Endpoint> candidates) {
        if (candidates.size() == 1) {
            return candidates.get(0);
        }
        double total = 0;
        Endpoint best = null;
        for (Endpoint e : candidates) {
            double w = e.weight();
            total += w;
            double current = e.addRoundRobinScore(w);
            if (best == null || current > best.roundRobinScore()) {
                best = e;
            }
        }
        best.addRoundRobinScore(-total);
        return best;
    }
}
