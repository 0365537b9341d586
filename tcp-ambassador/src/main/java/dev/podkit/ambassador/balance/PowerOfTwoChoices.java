package dev.podkit.ambassador.balance;

import dev.podkit.ambassador.route.Endpoint;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Power of two random choices: draw two different endpoints at random in proportion to their weights, take
 * the one with fewer active connections per unit of weight. Nearly as even as least-connections
 * without every ambassador in a fleet herding onto the same least-loaded target.
 */
final class PowerOfTwoChoices implements Balancer {

    @Override
    public Endpoint pick(List<Endpoint> candidates) {
        int n = candidates.size();
        if (n == 1) {
            return candidates.get(0);
        }
        ThreadLocalRandom random = ThreadLocalRandom.current();
        double total = 0;
        for (Endpoint e : candidates) {
            total += e.weight();
        }
        Endpoint a = draw(candidates, null, random.nextDouble(total));
        Endpoint b = draw(candidates, a, random.nextDouble(total - a.weight()));
        double loadA = (a.active() + 1) / a.weight();
        double loadB = (b.active() + 1) / b.weight();
        return loadB < loadA ? b : a;
    }

    /** The endpoint at {@code point} of the weights laid end to end, {@code skip} left out. */
    private static Endpoint draw(List<Endpoint> candidates, Endpoint skip, double point) {
        double sum = 0;
        Endpoint last = null;
        for (Endpoint e : candidates) {
            if (e == skip) {
                continue;
            }
            sum += e.weight();
            last = e;
            if (point < sum) {
                return e;
            }
        }
        return last;
    }
}
