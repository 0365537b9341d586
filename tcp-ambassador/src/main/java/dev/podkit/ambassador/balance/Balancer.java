package dev.podkit.ambassador.balance;

import dev.podkit.ambassador.config.Balance;
import dev.podkit.ambassador.route.Endpoint;
import java.util.List;

/** Picks the endpoint for a new connection among the usable ones. Called from any event loop. */
public interface Balancer {

    /** One of {@code candidates} (never empty). */
    Endpoint pick(List<Endpoint> candidates);

    static Balancer of(Balance balance) {
        return switch (balance) {
            case ROUND_ROBIN -> new RoundRobin();
            case LEAST_CONNECTIONS -> new LeastConnections();
            case POWER_OF_TWO -> new PowerOfTwoChoices();
        };
    }
}
