package dev.podkit.it.k8s;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.Probe;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.containers.GenericContainer;

/**
 * One probe of a container, run as the kubelet runs it: {@code httpGet} succeeds on a status from
 * 200 to 399, {@code tcpSocket} when a connection opens, {@code exec} on exit code 0. The kubelet
 * probes the pod's IP: httpGet goes through the port the pod publishes on the host, which reaches
 * that address (so a helper listening only on 127.0.0.1 fails here as it would there); tcpSocket
 * connects to it from inside the pod's network.
 */
record ProbeCheck(String what, Probe probe, Container spec, LocalPod pod) {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /** One attempt; returns null on success, else why it failed. */
    String attempt(GenericContainer<?> container) {
        int timeoutSeconds = probe.getTimeoutSeconds() == null ? 1 : probe.getTimeoutSeconds();
        try {
            if (probe.getHttpGet() != null) {
                HTTPGetAction get = probe.getHttpGet();
                if (get.getScheme() != null && !get.getScheme().equals("HTTP") || get.getHost() != null) {
                    throw new UnsupportedOperationException(what + ": only plain httpGet probes of the pod");
                }
                int port = ManifestChecks.resolvePort(spec, get.getPort()).orElseGet(() -> get.getPort().getIntVal());
                HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + pod.hostPort(port)
                        + (get.getPath() == null ? "/" : get.getPath()))).timeout(Duration.ofSeconds(Math.max(timeoutSeconds, 2)));
                get.getHttpHeaders().forEach(h -> request.header(h.getName(), h.getValue()));
                int status = HTTP.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
                return status >= 200 && status < 400 ? null : "HTTP " + status;
            }
            if (probe.getTcpSocket() != null) {
                // From inside the pod's network to the pod IP: the host's published port would be accepted
                // by the engine's port proxy even with nothing listening behind it.
                int port = ManifestChecks.resolvePort(spec, probe.getTcpSocket().getPort())
                        .orElseGet(() -> probe.getTcpSocket().getPort().getIntVal());
                ExecResult connect = pod.execInPodNetwork("nc", "-w", String.valueOf(Math.max(timeoutSeconds, 2)), pod.podIp(),
                        String.valueOf(port), "-e", "true");
                return connect.getExitCode() == 0 ? null : connect.getStderr().strip();
            }
            if (probe.getExec() != null) {
                ExecResult result = container.execInContainer(probe.getExec().getCommand().toArray(String[]::new));
                return result.getExitCode() == 0 ? null : "exit code " + result.getExitCode() + ": " + result.getStderr().strip();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        } catch (UnsupportedOperationException e) {
            throw e;
        } catch (Exception e) {
            return e.toString();
        }
        throw new UnsupportedOperationException(what + ": only httpGet, tcpSocket and exec probes");
    }

    /** Probes every period (at most a second apart) until one attempt succeeds; throws after {@code timeout}. */
    void await(GenericContainer<?> container, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long periodMillis = Math.min(1000, (probe.getPeriodSeconds() == null ? 10 : probe.getPeriodSeconds()) * 1000L);
        String failure = "not tried";
        while (System.nanoTime() < deadline) {
            if (!container.isRunning()) {
                throw new IllegalStateException(what + ": the container exited (code "
                        + container.getCurrentContainerInfo().getState().getExitCodeLong() + ") before its probe passed; logs:\n"
                        + container.getLogs());
            }
            failure = attempt(container);
            if (failure == null) {
                return;
            }
            try {
                Thread.sleep(periodMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new IllegalStateException(what + " did not pass within " + timeout + " (last: " + failure + "); logs:\n"
                + container.getLogs());
    }
}
