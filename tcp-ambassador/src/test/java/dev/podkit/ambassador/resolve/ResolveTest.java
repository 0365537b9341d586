package dev.podkit.ambassador.resolve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podkit.ambassador.RunningAmbassador;
import dev.podkit.ambassador.TestServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Per-connection lookups with a TTL cache: several A records, an address that changes, a cached address that dies. */
class ResolveTest {
    private static final InetAddress A = address(2);
    private static final InetAddress B = address(3);

    private static InetAddress address(int last) {
        try {
            return InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) last});
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static TestServer greeter(InetAddress at, int port, String name) throws IOException {
        return new TestServer(at.getHostAddress(), port, s -> {
            s.getOutputStream().write((name + "\n").getBytes(StandardCharsets.US_ASCII));
            TestServer.drain(s.getInputStream());
        });
    }

    private static String greeting(int port) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(15_000);
            return new String(s.getInputStream().readNBytes(2), StandardCharsets.US_ASCII).trim();
        }
    }

    private static int portFreeOnBoth() throws IOException {
        for (int i = 0; i < 20; i++) {
            int p;
            try (ServerSocket s = new ServerSocket(0, 1, A)) {
                p = s.getLocalPort();
            }
            try (ServerSocket s = new ServerSocket(p, 1, B)) {
                return p;
            } catch (IOException taken) {
                // try another
            }
        }
        throw new IOException("no port free on both 127.0.0.2 and 127.0.0.3");
    }

    @Test
    void everyAddressOfANameIsATargetAndChangesArePickedUpWithoutARestart() throws Exception {
        int port = portFreeOnBoth();
        try (FakeDns dns = new FakeDns("svc.test");
             TestServer a = greeter(A, port, "a");
             TestServer b = greeter(B, port, "b");
             RunningAmbassador amb = RunningAmbassador.forwarding(RunningAmbassador.freePort(), "svc.test:" + port,
                     Map.of("NAMESERVERS", "127.0.0.1:" + dns.port(), "DNS_MAX_TTL", "5m"))) {
            dns.answer(1, A, B);
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < 4; i++) {
                seen.add(greeting(amb.port()));
            }
            assertEquals(Set.of("a", "b"), seen, "two A records, two targets");
            assertEquals(2, amb.value("podkit_ambassador_target_endpoints"));
            int lookups = dns.queries();
            assertTrue(lookups <= 2, "answers come from the cache within their TTL: " + lookups + " lookups");

            // The name moves to B only; once the 1 s TTL has run out, new connections follow.
            dns.answer(1, B);
            Thread.sleep(1500);
            for (int i = 0; i < 4; i++) {
                assertEquals("b", greeting(amb.port()));
            }
            assertEquals(1, amb.value("podkit_ambassador_target_endpoints"));
        }
    }

    @Test
    void aCachedAddressThatDiesIsLookedUpAgainAtOnce() throws Exception {
        int port = portFreeOnBoth();
        try (FakeDns dns = new FakeDns("svc.test");
             TestServer b = greeter(B, port, "b");
             RunningAmbassador amb = RunningAmbassador.forwarding(RunningAmbassador.freePort(), "svc.test:" + port,
                     Map.of("NAMESERVERS", "127.0.0.1:" + dns.port(), "DNS_MAX_TTL", "5m"))) {
            // A long TTL, as Docker's DNS gives (600 s); the service then moves from A to B.
            TestServer a = greeter(A, port, "a");
            dns.answer(600, A);
            assertEquals("a", greeting(amb.port()));
            a.close();
            dns.answer(600, B);
            assertEquals("b", greeting(amb.port()), "the failed connect dropped the cached answer and was retried");
            assertEquals(1, amb.value("podkit_ambassador_connect_errors_total", "reason", "refused"));
            assertEquals("b", greeting(amb.port()));
        }
    }
}
