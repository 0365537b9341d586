package dev.podkit.ambassador.balance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podkit.ambassador.config.Balance;
import dev.podkit.ambassador.config.HostPort;
import dev.podkit.ambassador.config.ProxyProtocol;
import dev.podkit.ambassador.config.TargetConfig;
import dev.podkit.ambassador.route.Endpoint;
import dev.podkit.ambassador.route.Target;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BalancerTest {

    /** One endpoint per target, named by the target's host. */
    private static List<Endpoint> endpoints(int... weights) throws Exception {
        List<Endpoint> out = new ArrayList<>();
        for (int i = 0; i < weights.length; i++) {
            Target t = new Target("r", new TargetConfig(new HostPort(String.valueOf((char) ('a' + i)), 80), weights[i],
                    ProxyProtocol.OFF, Optional.empty()));
            out.addAll(t.update(List.of(InetAddress.getByAddress(new byte[] {10, 0, 0, (byte) (i + 1)}))));
        }
        return out;
    }

    private static String name(Endpoint e) {
        return e.target().config().address().host();
    }

    @Test
    void roundRobinIsSmoothAndWeighted() throws Exception {
        List<Endpoint> e = endpoints(5, 1, 1);
        Balancer rr = Balancer.of(Balance.ROUND_ROBIN);
        StringBuilder order = new StringBuilder();
        for (int i = 0; i < 7; i++) {
            order.append(name(rr.pick(e)));
        }
        assertEquals("aabacaa", order.toString(), "nginx's smooth weighted round-robin sequence for 5:1:1");
    }

    @Test
    void roundRobinSharesEvenlyWithoutWeights() throws Exception {
        List<Endpoint> e = endpoints(1, 1, 1);
        Balancer rr = Balancer.of(Balance.ROUND_ROBIN);
        Map<String, Integer> count = new HashMap<>();
        for (int i = 0; i < 300; i++) {
            count.merge(name(rr.pick(e)), 1, Integer::sum);
        }
        assertEquals(Map.of("a", 100, "b", 100, "c", 100), count);
    }

    @Test
    void leastConnectionsPicksTheLeastLoadedPerWeight() throws Exception {
        List<Endpoint> e = endpoints(1, 1, 2);
        Balancer lc = Balancer.of(Balance.LEAST_CONNECTIONS);
        for (int i = 0; i < 3; i++) {
            e.get(0).connectionOpened();
        }
        e.get(1).connectionOpened();
        for (int i = 0; i < 2; i++) {
            e.get(2).connectionOpened();
        }
        // loads (active+1)/weight: a 4, b 2, c 1.5
        assertEquals("c", name(lc.pick(e)));
        e.get(2).connectionOpened();
        e.get(2).connectionOpened();
        // c is now (4+1)/2 = 2.5, b 2
        assertEquals("b", name(lc.pick(e)));
    }

    @Test
    void leastConnectionsSpreadsTiesInsteadOfPilingOntoTheFirst() throws Exception {
        List<Endpoint> e = endpoints(1, 1, 1);
        Balancer lc = Balancer.of(Balance.LEAST_CONNECTIONS);
        Map<String, Integer> count = new HashMap<>();
        for (int i = 0; i < 30; i++) {
            count.merge(name(lc.pick(e)), 1, Integer::sum);
        }
        assertEquals(Map.of("a", 10, "b", 10, "c", 10), count);
    }

    @Test
    void powerOfTwoAvoidsTheLoadedAndFollowsWeights() throws Exception {
        List<Endpoint> e = endpoints(1, 1, 1);
        for (int i = 0; i < 100; i++) {
            e.get(0).connectionOpened();
        }
        Balancer p2c = Balancer.of(Balance.POWER_OF_TWO);
        Map<String, Integer> count = new HashMap<>();
        for (int i = 0; i < 3000; i++) {
            count.merge(name(p2c.pick(e)), 1, Integer::sum);
        }
        assertEquals(null, count.get("a"), "the loaded endpoint loses every draw it takes part in");

        // Open connections that stay open: the picks settle where active/weight is even, i.e. 9:1.
        List<Endpoint> weighted = endpoints(9, 1);
        count.clear();
        for (int i = 0; i < 1000; i++) {
            Endpoint picked = p2c.pick(weighted);
            picked.connectionOpened();
            count.merge(name(picked), 1, Integer::sum);
        }
        assertTrue(count.get("a") >= 880 && count.get("a") <= 920, "9:1 weights: " + count);
    }
}
