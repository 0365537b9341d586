package dev.podkit.adapter.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podkit.adapter.AdapterMeters;
import dev.podkit.adapter.collectors.Collectors;
import dev.podkit.adapter.dsn.DsnParser;
import dev.podkit.adapter.model.Family;
import dev.podkit.adapter.model.FamilySet;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Scrapes against servers that are not there or never answer: always an answer, within the timeout. */
class ExporterTest {
    private static final Duration TIMEOUT = Duration.ofMillis(800);

    private static Exporter exporter(String dsn) {
        Plan plan = new Plan(Collectors.all(Set.of()), false, db -> true);
        return new Exporter(List.of(DsnParser.parse(dsn)), plan, TIMEOUT, new AdapterMeters(), "test", () -> null);
    }

    private static double value(FamilySet set, String name, Map<String, String> labels) {
        for (Family f : set.families()) {
            if (f.desc().name().equals(name)) {
                for (Family.Sample s : f.samples()) {
                    boolean match = true;
                    for (var e : labels.entrySet()) {
                        match &= e.getValue().equals(s.labelValues().get(f.desc().labelNames().indexOf(e.getKey())));
                    }
                    if (match) {
                        return s.value();
                    }
                }
            }
        }
        throw new AssertionError("no " + name + labels);
    }

    @Test
    void aRefusedConnectionIsPgUpZeroAtOnce() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        try (Exporter e = exporter("postgresql://u:hunter2@127.0.0.1:" + port + "/db?sslmode=disable")) {
            FamilySet set = e.scrape();
            assertEquals(0.0, value(set, "pg_up", Map.of()));
            assertEquals(1.0, value(set, "pg_exporter_last_scrape_error", Map.of()));
            assertTrue(value(set, "pg_exporter_last_scrape_duration_seconds", Map.of()) < TIMEOUT.toMillis() / 1000.0,
                    "a refused connection does not wait for the timeout");
        }
    }

    /** A server that accepts connections and never says a word: the scrape answers at the timeout, every time. */
    @Test
    void aStalledServerNeverHangsAScrape() throws Exception {
        List<Socket> accepted = new ArrayList<>();
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        accepted.add(server.accept());
                    }
                } catch (IOException e) {
                    // closed
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            try (Exporter e = exporter("postgresql://u:p@127.0.0.1:" + server.getLocalPort() + "/db?sslmode=disable")) {
                for (int i = 0; i < 3; i++) {
                    long begin = System.nanoTime();
                    FamilySet set = e.scrape();
                    double seconds = (System.nanoTime() - begin) / 1e9;
                    assertEquals(0.0, value(set, "pg_up", Map.of()));
                    // Relative to the configured timeout, with room for a loaded machine: a hang would be minutes.
                    assertTrue(seconds < TIMEOUT.toMillis() / 1000.0 * 10, "scrape " + i + " took " + seconds + " s");
                }
            }
            assertTrue(!accepted.isEmpty(), "the adapter did connect");
        } finally {
            for (Socket s : accepted) {
                s.close();
            }
        }
    }
}
