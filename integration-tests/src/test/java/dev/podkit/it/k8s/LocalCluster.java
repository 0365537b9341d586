package dev.podkit.it.k8s;

import dev.podkit.it.TestImages;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;

/**
 * The objects of a {@link ManifestSet} on the container engine, as a one-node cluster would run them,
 * in one Docker network:
 * <ul>
 *   <li>each Service is a small TCP proxy (busybox {@code nc}, one process per connection) reachable
 *       by the Service's DNS names ({@code name}, {@code name.default}, {@code name.default.svc},
 *       {@code name.default.svc.cluster.local}); it forwards each Service port to the targetPort of
 *       the pods the selector matches (the pods carry a shared alias per Service, which the engine's
 *       DNS answers round-robin), like kube-proxy. A Service without ready pods refuses connections;</li>
 *   <li>each Pod is a {@link LocalPod}.</li>
 * </ul>
 */
public final class LocalCluster implements AutoCloseable {
    private final ManifestSet set;
    private final String runId = UUID.randomUUID().toString().substring(0, 8);
    private final Network network = Network.newNetwork();
    private final List<GenericContainer<?>> services = new ArrayList<>();
    private final Map<String, LocalPod> pods = new LinkedHashMap<>();

    private LocalCluster(ManifestSet set) {
        this.set = set;
    }

    /** Starts the Services, then every Pod in file order, each ready before the next starts. */
    public static LocalCluster start(ManifestSet set, Duration podTimeout) {
        LocalCluster cluster = new LocalCluster(set);
        try {
            set.services().forEach(cluster::startService);
            set.pods().forEach(p -> cluster.startPod(p, podTimeout));
            return cluster;
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    public LocalPod pod(String name) {
        LocalPod pod = pods.get(name);
        if (pod == null) {
            throw new IllegalArgumentException("no pod " + name + " (" + pods.keySet() + ")");
        }
        return pod;
    }

    private static String endpointsAlias(Service service) {
        return service.getMetadata().getName() + "-endpoints";
    }

    static Set<String> dnsNames(Service service) {
        String name = service.getMetadata().getName();
        return new LinkedHashSet<>(List.of(name, name + ".default", name + ".default.svc", name + ".default.svc.cluster.local"));
    }

    private void startService(Service service) {
        List<Pod> selected = set.pods().stream().filter(p -> ManifestChecks.selects(service, p)).toList();
        List<String> forwards = new ArrayList<>();
        for (ServicePort port : service.getSpec().getPorts()) {
            if (port.getProtocol() != null && !port.getProtocol().equals("TCP")) {
                throw new UnsupportedOperationException("Service " + service.getMetadata().getName() + ": " + port.getProtocol());
            }
            int target = selected.stream().map(p -> ManifestChecks.targetPort(port, p)).flatMap(java.util.Optional::stream)
                    .findFirst().orElseGet(() -> port.getTargetPort() != null && port.getTargetPort().getIntVal() != null
                            ? port.getTargetPort().getIntVal() : port.getPort());
            forwards.add("nc -ll -p " + port.getPort() + " -e nc " + endpointsAlias(service) + " " + target + " &");
        }
        GenericContainer<?> proxy = new GenericContainer<>(TestImages.busybox())
                .withNetwork(network)
                .withNetworkAliases(dnsNames(service).toArray(String[]::new))
                .withCommand("sh", "-c", "trap 'exit 0' TERM; " + String.join(" ", forwards) + " echo forwarding; wait")
                .withCreateContainerCmdModifier(cmd -> cmd.withName("k8s-svc-" + service.getMetadata().getName() + "-" + runId))
                .waitingFor(Wait.forLogMessage("forwarding\\n", 1));
        services.add(proxy);
        proxy.start();
    }

    private void startPod(Pod pod, Duration timeout) {
        Set<String> aliases = set.services().stream().filter(s -> ManifestChecks.selects(s, pod))
                .map(LocalCluster::endpointsAlias).collect(Collectors.toCollection(LinkedHashSet::new));
        LocalPod local = new LocalPod(pod, set, network, aliases, runId);
        pods.put(local.name(), local);
        local.start(timeout);
    }

    /** Removes the pods (newest first), the Services and the network. */
    @Override
    public void close() {
        List<LocalPod> all = new ArrayList<>(pods.values());
        Collections.reverse(all);
        all.forEach(LocalPod::close);
        services.forEach(GenericContainer::stop);
        network.close();
    }
}
