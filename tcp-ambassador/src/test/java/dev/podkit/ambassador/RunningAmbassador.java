package dev.podkit.ambassador;

import dev.podkit.runtime.Helper;
import dev.podkit.runtime.HelperContext;
import dev.podkit.runtime.admin.AdminServer;
import dev.podkit.runtime.config.Config;
import dev.podkit.runtime.health.Health;
import dev.podkit.runtime.metrics.Metrics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** tcp-ambassador's helper running in the test JVM, built from an environment map as the image builds it. */
public final class RunningAmbassador implements AutoCloseable {
    private final Metrics metrics = new Metrics("tcp-ambassador", "test");
    private final Health health = new Health();
    private final AdminServer admin = new AdminServer(health, metrics);
    private final Helper helper;
    private int port;

    private RunningAmbassador(Map<String, String> env) throws Exception {
        Config config = new Config(env);
        config.validate(TcpAmbassador.HELPER.settings());
        helper = TcpAmbassador.HELPER.factory().create(new HelperContext("tcp-ambassador", "test", config, metrics,
                health, admin));
        helper.start();
        health.markReady();
    }

    public static RunningAmbassador start(Map<String, String> env) throws Exception {
        return new RunningAmbassador(env);
    }

    /** {@code LISTEN=127.0.0.1:<port> TALK=<talk>} plus {@code extra}. */
    public static RunningAmbassador forwarding(int port, String talk, Map<String, String> extra) throws Exception {
        Map<String, String> env = new HashMap<>(extra);
        env.put("LISTEN", "127.0.0.1:" + port);
        env.put("TALK", talk);
        RunningAmbassador amb = start(env);
        amb.port = port;
        return amb;
    }

    /** The listen port given to {@link #forwarding}. */
    public int port() {
        return port;
    }

    public Health health() {
        return health;
    }

    public CompletableFuture<Void> drain() {
        health.markDraining();
        return helper.drain();
    }

    public String scrape() {
        try {
            return new String(metrics.scrape("text/plain").body(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The value of one sample, e.g. {@code value("podkit_ambassador_connections_total", "route", ":80")}; NaN if absent. */
    public double value(String name, String... labels) {
        for (String line : scrape().split("\n")) {
            if (!line.startsWith(name + "{") && !line.startsWith(name + " ")) {
                continue;
            }
            boolean all = true;
            for (int i = 0; i < labels.length; i += 2) {
                all &= line.contains(labels[i] + "=\"" + labels[i + 1] + "\"");
            }
            if (all) {
                Matcher m = Pattern.compile(" ([-+0-9.eE]+|NaN)$").matcher(line);
                if (m.find()) {
                    return Double.parseDouble(m.group(1));
                }
            }
        }
        return Double.NaN;
    }

    /** Waits (up to 15 s) until a sample has the value {@code expected}; fails showing all meters otherwise. */
    public void await(double expected, String name, String... labels) throws InterruptedException {
        double v = Double.NaN;
        for (int i = 0; i < 300; i++) {
            v = value(name, labels);
            if (v == expected) {
                return;
            }
            Thread.sleep(50);
        }
        org.junit.jupiter.api.Assertions.assertEquals(expected, v, name + " " + String.join(",", labels) + " in\n" + scrape());
    }

    @Override
    public void close() {
        helper.close();
        admin.close();
        metrics.close();
    }

    /** A port nothing listens on right now. */
    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
