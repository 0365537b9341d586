package dev.podkit.it.ambassador;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.podkit.it.PrometheusText;
import dev.podkit.testcontainers.TcpAmbassadorContainer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.utility.DockerImageName;

/** What the ambassador's integration tests share: the stand-in images, a pod's main container, metrics. */
final class Pods {
    static final DockerImageName BUSYBOX = DockerImageName.parse("offline/busybox:latest");
    static final DockerImageName HTTP_ECHO = DockerImageName.parse("offline/http-echo:latest");
    static final DockerImageName NGINX = DockerImageName.parse("offline/nginx:latest");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private Pods() {
    }

    /**
     * The pod's "main" container: busybox in the ambassador's network namespace, so that its
     * {@code localhost:8080} is the ambassador's listener, as in a Kubernetes pod.
     */
    static GenericContainer<?> mainContainer(TcpAmbassadorContainer ambassador) {
        GenericContainer<?> main = new GenericContainer<>(BUSYBOX)
                .withNetworkMode("container:" + ambassador.getContainerId())
                .withCommand("sleep", "600");
        main.start();
        return main;
    }

    /** An {@code offline/http-echo} answering {@code text} on port 8081 under a network alias. */
    static GenericContainer<?> httpEcho(org.testcontainers.containers.Network network, String alias, String text) {
        return new GenericContainer<>(HTTP_ECHO)
                .withNetwork(network)
                .withNetworkAliases(alias)
                .withCommand("-listen=:8081", "-text=" + text);
    }

    /** Runs a shell script in {@code c}; fails the test unless it exits 0; returns its stdout. */
    static String sh(GenericContainer<?> c, String script) throws Exception {
        ExecResult r = c.execInContainer("sh", "-c", script);
        assertEquals(0, r.getExitCode(), "`" + script + "` exited " + r.getExitCode() + ": " + r.getStderr());
        return r.getStdout();
    }

    static PrometheusText metrics(TcpAmbassadorContainer ambassador) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(ambassador.getAdminUrl() + "/metrics"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        return PrometheusText.parse(r.body());
    }

    /** A sample's value ({@code NaN} when absent), labels given as name, value, name, value... */
    static double metric(TcpAmbassadorContainer ambassador, String name, String... labels) throws Exception {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < labels.length; i += 2) {
            map.put(labels[i], labels[i + 1]);
        }
        return metrics(ambassador).value(name, map).orElse(Double.NaN);
    }

    /** Waits up to 30 s for a sample to reach {@code expected}. */
    static void awaitMetric(TcpAmbassadorContainer ambassador, double expected, String name, String... labels)
            throws Exception {
        double v = Double.NaN;
        for (int i = 0; i < 150; i++) {
            v = metric(ambassador, name, labels);
            if (v == expected) {
                return;
            }
            Thread.sleep(200);
        }
        assertEquals(expected, v, name + " " + String.join(",", labels));
    }

    static int readyz(TcpAmbassadorContainer ambassador) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(ambassador.getAdminUrl() + "/readyz"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
