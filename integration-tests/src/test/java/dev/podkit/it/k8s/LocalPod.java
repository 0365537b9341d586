package dev.podkit.it.k8s;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.Ports;
import dev.podkit.it.TestImages;
import dev.podkit.runtime.HelperDescriptor;
import dev.podkit.testcontainers.LogSidecarContainer;
import dev.podkit.testcontainers.MetricsAdapterContainer;
import dev.podkit.testcontainers.PodkitContainer;
import dev.podkit.testcontainers.RequestSplitterContainer;
import dev.podkit.testcontainers.TcpAmbassadorContainer;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarSource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Sysctl;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.output.OutputFrame.OutputType;
import org.testcontainers.containers.startupcheck.StartupCheckStrategy;
import org.testcontainers.containers.wait.strategy.AbstractWaitStrategy;

/**
 * One pod of a manifest, run on the container engine with a pod's semantics:
 * <ul>
 *   <li>a sandbox container (busybox, like the kubelet's pause container) owns the network namespace,
 *       carries the pod's sysctls and the aliases of the Services that select it, and
 *       publishes every port on the host; each container of the pod joins its namespace, so all of
 *       them reach each other on localhost. podkit containers join through
 *       {@link PodkitContainer#sharingNetworkWith} and start from their typed classes;</li>
 *   <li>volumes: {@code emptyDir} shared and writable by every uid, ConfigMaps and Secrets as
 *       read-only files in the kubelet's layout; {@code readOnly} mounts are read-only;</li>
 *   <li>init containers run one after the other to completion (exit 0); native sidecars (init
 *       containers with {@code restartPolicy: Always}) start in their place and keep running; a
 *       container's startup probe must pass before the next container starts;</li>
 *   <li>the pod is ready when every readiness probe passes (httpGet, tcpSocket, exec); each liveness
 *       probe must then pass too;</li>
 *   <li>command/args, env (values, ConfigMap and Secret keys, the pod's name and namespace), workingDir,
 *       the securityContext (user and group, runAsNonRoot verified against the image's numeric user,
 *       read-only root filesystem, capabilities, no-new-privileges, seccomp) and resource limits (CPU,
 *       memory) are applied as Docker options;</li>
 *   <li>{@link #terminate()} stops the regular containers first, then the native sidecars in reverse
 *       order, each with SIGTERM and the pod's grace period.</li>
 * </ul>
 * Not modelled: the pod's hostname, container restarts, requests (scheduling only), fsGroup, downward API volumes,
 * projected volumes. Anything the runner cannot honour throws {@link UnsupportedOperationException}
 * instead of being ignored.
 */
public final class LocalPod implements AutoCloseable {
    private static final String NAMESPACE = "default";
    /** Starts a container without waiting for anything: the pod runs the manifest's probes itself. */
    private static AbstractWaitStrategy started() {
        return new AbstractWaitStrategy() {
            @Override
            protected void waitUntilReady() {
            }
        };
    }

    private final Pod pod;
    private final ManifestSet set;
    private final String runId;
    private final GenericContainer<?> sandbox;
    private final Map<String, PodVolume> volumes = new LinkedHashMap<>();
    private final Map<String, GenericContainer<?>> containers = new LinkedHashMap<>();
    private final Map<String, Container> specs = new LinkedHashMap<>();
    private final List<String> sidecars = new ArrayList<>();
    private final List<String> regular = new ArrayList<>();

    LocalPod(Pod pod, ManifestSet set, Network network, Set<String> aliases, String runId) {
        this.pod = pod;
        this.set = set;
        this.runId = runId;
        Map<String, String> sysctls = sysctls(pod.getSpec().getSecurityContext());
        this.sandbox = new GenericContainer<>(TestImages.busybox())
                .withNetwork(network)
                .withNetworkAliases(aliases.toArray(String[]::new))
                .withCommand("sh", "-c", "trap 'exit 0' TERM; while true; do sleep 3600 & wait $!; done")
                .withCreateContainerCmdModifier(cmd -> {
                    // No hostname = pod name: the engine's DNS would resolve it, and a Service often has the pod's name.
                    cmd.withName(containerName("sandbox"));
                    if (!sysctls.isEmpty()) {
                        cmd.getHostConfig().withSysctls(sysctls);
                    }
                });
    }

    public String name() {
        return pod.getMetadata().getName();
    }

    public Pod spec() {
        return pod;
    }

    private String containerName(String container) {
        return "k8s-" + name() + "-" + container + "-" + runId;
    }

    // --- start ----------------------------------------------------------------------------------

    /** Creates the volumes, starts the sandbox, the init containers and the containers, and waits until the pod is ready. */
    public LocalPod start(Duration timeout) {
        pod.getSpec().getVolumes().forEach(v -> volumes.put(v.getName(), PodVolume.of(v, set)));
        List<Integer> published = new ArrayList<>();
        for (Container c : pod.getSpec().getInitContainers()) {
            boolean sidecar = "Always".equals(c.getRestartPolicy());
            add(c, sidecar ? sidecars : null, published);
        }
        pod.getSpec().getContainers().forEach(c -> add(c, regular, published));
        publish(published);
        sandbox.start();

        for (Container c : pod.getSpec().getInitContainers()) {
            GenericContainer<?> g = containers.get(c.getName());
            if (sidecars.contains(c.getName())) {
                g.start();
                awaitProbe(c, "startupProbe", timeout);
            } else {
                runToCompletion(c.getName(), g, timeout);
            }
            checkRunAsNonRoot(c, g);
        }
        for (Container c : pod.getSpec().getContainers()) {
            containers.get(c.getName()).start();
            awaitProbe(c, "startupProbe", timeout);
            checkRunAsNonRoot(c, containers.get(c.getName()));
        }
        for (String name : running()) {
            awaitProbe(specs.get(name), "readinessProbe", timeout);
        }
        for (String name : running()) {
            Container c = specs.get(name);
            Long exit = state(name).getExitCodeLong();
            if (!Boolean.TRUE.equals(state(name).getRunning()) && exit != null && exit != 0) {
                throw new IllegalStateException(name() + "/" + name + ": exited with code " + exit + "; logs:\n" + logs(name));
            }
            if (c.getLivenessProbe() != null) {
                String failure = probe(c, "livenessProbe").attempt(containers.get(name));
                if (failure != null) {
                    throw new IllegalStateException(name() + "/" + name + ": livenessProbe failed: " + failure);
                }
            }
        }
        return this;
    }

    /** An init container: started, then awaited; anything but exit code 0 stops the pod's start. */
    private void runToCompletion(String name, GenericContainer<?> g, Duration timeout) {
        g.withStartupCheckStrategy(new StartupCheckStrategy() {
            @Override
            public StartupStatus checkStartupState(DockerClient docker, String containerId) {
                return StartupStatus.SUCCESSFUL; // it may already have exited; the exit code is checked below
            }
        }).start();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (Boolean.TRUE.equals(state(name).getRunning())) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(name() + "/" + name + ": init container still running after " + timeout);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        Long exit = state(name).getExitCodeLong();
        if (exit == null || exit != 0) {
            throw new IllegalStateException(name() + "/" + name + ": init container exited with code " + exit + "; logs:\n" + g.getLogs());
        }
    }

    /** The native sidecars and the regular containers, in start order. */
    private List<String> running() {
        List<String> all = new ArrayList<>(sidecars);
        all.addAll(regular);
        return all;
    }

    private void add(Container c, List<String> role, List<Integer> published) {
        GenericContainer<?> g = create(c, published);
        containers.put(c.getName(), g);
        specs.put(c.getName(), c);
        if (role != null) {
            role.add(c.getName());
        }
    }

    private GenericContainer<?> create(Container c, List<Integer> published) {
        List<Integer> ports = c.getPorts().stream().map(ContainerPort::getContainerPort).toList();
        GenericContainer<?> g = ManifestChecks.helperOf(c.getImage()).<GenericContainer<?>>map(helper -> {
            PodkitContainer<?> typed = typed(helper);
            int admin = ManifestChecks.adminPort(c, helper);
            typed.sharingNetworkWith(sandbox, ports.stream().filter(p -> p != admin).mapToInt(Integer::intValue).toArray());
            return typed;
        }).orElseGet(() -> {
            published.addAll(ports);
            return new GenericContainer<>(LocalImages.of(c.getImage()))
                    .withCreateContainerCmdModifier(cmd -> cmd.getHostConfig().withNetworkMode("container:" + sandbox.getContainerId()));
        });
        g.waitingFor(started());
        g.withCreateContainerCmdModifier(cmd -> cmd.withName(containerName(c.getName())));

        if (!c.getCommand().isEmpty()) {
            // Kubernetes' command replaces the image's ENTRYPOINT, args its CMD (and the CMD goes with a new command).
            g.withCreateContainerCmdModifier(cmd -> cmd.withEntrypoint(c.getCommand()).withCmd(c.getArgs()));
        } else if (!c.getArgs().isEmpty()) {
            g.withCommand(c.getArgs().toArray(String[]::new));
        }
        if (c.getWorkingDir() != null) {
            g.withWorkingDirectory(c.getWorkingDir());
        }
        env(c).forEach(g::withEnv);
        for (VolumeMount mount : c.getVolumeMounts()) {
            if (mount.getSubPath() != null || mount.getSubPathExpr() != null) {
                throw new UnsupportedOperationException(c.getName() + ": subPath mounts");
            }
            volumes.get(mount.getName()).mount(g, mount.getMountPath(), Boolean.TRUE.equals(mount.getReadOnly()));
        }
        securityContext(c, g);
        resources(c, g);
        return g;
    }

    private static PodkitContainer<?> typed(HelperDescriptor helper) {
        return switch (helper.name()) {
            case LogSidecarContainer.HELPER -> new LogSidecarContainer();
            case TcpAmbassadorContainer.HELPER -> new TcpAmbassadorContainer();
            case RequestSplitterContainer.HELPER -> new RequestSplitterContainer();
            case MetricsAdapterContainer.HELPER -> new MetricsAdapterContainer();
            default -> throw new IllegalArgumentException("no typed container for " + helper.name());
        };
    }

    /** Publishes the ports of the pod's other containers on the sandbox (podkit containers publish their own). */
    private void publish(List<Integer> ports) {
        List<ExposedPort> exposed = ports.stream().distinct().map(ExposedPort::tcp).toList();
        sandbox.withCreateContainerCmdModifier(cmd -> {
            List<ExposedPort> all = new ArrayList<>(Arrays.asList(
                    cmd.getExposedPorts() == null ? new ExposedPort[0] : cmd.getExposedPorts()));
            all.addAll(exposed);
            cmd.withExposedPorts(all);
            Ports bindings = cmd.getHostConfig().getPortBindings() == null ? new Ports() : cmd.getHostConfig().getPortBindings();
            exposed.forEach(port -> bindings.bind(port, Ports.Binding.empty()));
            cmd.getHostConfig().withPortBindings(bindings);
        });
    }

    private Map<String, String> env(Container c) {
        Map<String, String> env = new LinkedHashMap<>();
        c.getEnvFrom().forEach(from -> {
            if (from.getConfigMapRef() != null) {
                set.configMap(from.getConfigMapRef().getName()).ifPresent(m -> env.putAll(m.getData()));
            }
            if (from.getSecretRef() != null) {
                set.secret(from.getSecretRef().getName()).ifPresent(s -> PodVolume.secretData(s)
                        .forEach((k, v) -> env.put(k, new String(v, StandardCharsets.UTF_8))));
            }
        });
        for (EnvVar var : c.getEnv()) {
            env.put(var.getName(), var.getValueFrom() == null ? (var.getValue() == null ? "" : var.getValue())
                    : valueFrom(c, var.getName(), var.getValueFrom()));
        }
        return env;
    }

    private String valueFrom(Container c, String name, EnvVarSource from) {
        if (from.getSecretKeyRef() != null) {
            var ref = from.getSecretKeyRef();
            byte[] value = set.secret(ref.getName()).map(s -> PodVolume.secretData(s).get(ref.getKey()))
                    .orElseThrow(() -> new IllegalArgumentException(c.getName() + ": env " + name + ": no Secret key " + ref.getName() + "/" + ref.getKey()));
            return new String(value, StandardCharsets.UTF_8);
        }
        if (from.getConfigMapKeyRef() != null) {
            var ref = from.getConfigMapKeyRef();
            return set.configMap(ref.getName()).map(m -> m.getData().get(ref.getKey()))
                    .orElseThrow(() -> new IllegalArgumentException(c.getName() + ": env " + name + ": no ConfigMap key " + ref.getName() + "/" + ref.getKey()));
        }
        if (from.getFieldRef() != null) {
            return switch (from.getFieldRef().getFieldPath()) {
                case "metadata.name" -> name();
                case "metadata.namespace" -> NAMESPACE;
                default -> throw new UnsupportedOperationException(c.getName() + ": env " + name + ": fieldRef " + from.getFieldRef().getFieldPath());
            };
        }
        throw new UnsupportedOperationException(c.getName() + ": env " + name + ": only secretKeyRef, configMapKeyRef and fieldRef");
    }

    private void securityContext(Container c, GenericContainer<?> g) {
        SecurityContext sc = c.getSecurityContext() == null ? new SecurityContext() : c.getSecurityContext();
        PodSecurityContext psc = pod.getSpec().getSecurityContext() == null ? new PodSecurityContext() : pod.getSpec().getSecurityContext();
        Long uid = sc.getRunAsUser() != null ? sc.getRunAsUser() : psc.getRunAsUser();
        Long gid = sc.getRunAsGroup() != null ? sc.getRunAsGroup() : psc.getRunAsGroup();
        if (gid != null && uid == null) {
            throw new UnsupportedOperationException(c.getName() + ": runAsGroup without runAsUser");
        }
        if (Boolean.TRUE.equals(sc.getPrivileged())) {
            throw new UnsupportedOperationException(c.getName() + ": privileged containers (this engine cannot start them)");
        }
        var seccomp = sc.getSeccompProfile() != null ? sc.getSeccompProfile() : psc.getSeccompProfile();
        List<String> securityOpts = new ArrayList<>();
        if (Boolean.FALSE.equals(sc.getAllowPrivilegeEscalation())) {
            securityOpts.add("no-new-privileges:true");
        }
        if (seccomp != null && "Unconfined".equals(seccomp.getType())) {
            securityOpts.add("seccomp=unconfined");
        } else if (seccomp != null && !"RuntimeDefault".equals(seccomp.getType())) {
            throw new UnsupportedOperationException(c.getName() + ": seccompProfile " + seccomp.getType());
        }
        g.withCreateContainerCmdModifier(cmd -> {
            if (uid != null) {
                cmd.withUser(uid + (gid == null ? "" : ":" + gid));
            }
            var host = cmd.getHostConfig();
            if (Boolean.TRUE.equals(sc.getReadOnlyRootFilesystem())) {
                host.withReadonlyRootfs(true);
            }
            if (sc.getCapabilities() != null) {
                host.withCapDrop(sc.getCapabilities().getDrop().stream().map(Capability::valueOf).toArray(Capability[]::new));
                host.withCapAdd(sc.getCapabilities().getAdd().stream().map(Capability::valueOf).toArray(Capability[]::new));
            }
            if (!securityOpts.isEmpty()) {
                host.withSecurityOpts(securityOpts);
            }
        });
    }

    /** runAsNonRoot: as the kubelet, refuse a container whose user is root or not numeric (unverifiable). */
    private void checkRunAsNonRoot(Container c, GenericContainer<?> g) {
        Boolean nonRoot = c.getSecurityContext() != null && c.getSecurityContext().getRunAsNonRoot() != null
                ? c.getSecurityContext().getRunAsNonRoot()
                : pod.getSpec().getSecurityContext() == null ? null : pod.getSpec().getSecurityContext().getRunAsNonRoot();
        if (!Boolean.TRUE.equals(nonRoot)) {
            return;
        }
        String user = g.getContainerInfo().getConfig().getUser();
        String uid = user == null ? "" : user.split(":", 2)[0];
        if (!uid.matches("[0-9]+") || Long.parseLong(uid) == 0) {
            throw new IllegalStateException(name() + "/" + c.getName() + ": runAsNonRoot, but the container runs as \"" + user
                    + "\" (the kubelet refuses root and non-numeric users)");
        }
    }

    private static void resources(Container c, GenericContainer<?> g) {
        if (c.getResources() == null || c.getResources().getLimits() == null) {
            return;
        }
        Map<String, Quantity> limits = c.getResources().getLimits();
        g.withCreateContainerCmdModifier(cmd -> {
            if (limits.containsKey("memory")) {
                long bytes = Quantity.getAmountInBytes(limits.get("memory")).longValueExact();
                cmd.getHostConfig().withMemory(bytes).withMemorySwap(bytes); // no swap, as on a kubelet node
            }
            if (limits.containsKey("cpu")) {
                cmd.getHostConfig().withNanoCPUs(Quantity.getAmountInBytes(limits.get("cpu")).movePointRight(9).longValue());
            }
        });
    }

    private static Map<String, String> sysctls(PodSecurityContext psc) {
        if (psc == null) {
            return Map.of();
        }
        return psc.getSysctls().stream().collect(Collectors.toMap(Sysctl::getName, Sysctl::getValue));
    }

    private ProbeCheck probe(Container c, String kind) {
        var probe = switch (kind) {
            case "startupProbe" -> c.getStartupProbe();
            case "readinessProbe" -> c.getReadinessProbe();
            default -> c.getLivenessProbe();
        };
        return probe == null ? null : new ProbeCheck(name() + "/" + c.getName() + " " + kind, probe, c, this);
    }

    private void awaitProbe(Container c, String kind, Duration timeout) {
        ProbeCheck check = probe(c, kind);
        if (check != null) {
            check.await(containers.get(c.getName()), timeout);
        }
    }

    // --- use --------------------------------------------------------------------------------------

    /** The host port where the pod's {@code port} is published (what {@code kubectl port-forward} gives). */
    public int hostPort(int port) {
        return sandbox.getMappedPort(port);
    }

    /** The pod's IP address in the cluster network. */
    public String podIp() {
        return sandbox.getContainerInfo().getNetworkSettings().getNetworks().values().iterator().next().getIpAddress();
    }

    public GenericContainer<?> container(String name) {
        GenericContainer<?> g = containers.get(name);
        if (g == null) {
            throw new IllegalArgumentException("pod " + name() + " has no container " + name + " (" + containers.keySet() + ")");
        }
        return g;
    }

    /** What the container wrote to stdout: {@code kubectl logs POD -c NAME} without stderr. */
    public String stdout(String name) {
        return container(name).getLogs(OutputType.STDOUT);
    }

    /** stdout and stderr, as {@code kubectl logs POD -c NAME} shows them. */
    public String logs(String name) {
        return container(name).getLogs();
    }

    /** The container's state as the engine reports it now (running, exit code, start and finish times). */
    public InspectContainerResponse.ContainerState state(String name) {
        return docker().inspectContainerCmd(container(name).getContainerId()).exec().getState();
    }

    /** Runs a command in the pod's network namespace (busybox: wget, nc, nslookup), like an ephemeral debug container. */
    public ExecResult execInPodNetwork(String... command) throws Exception {
        return sandbox.execInContainer(command);
    }

    /**
     * For {@code restartPolicy: Never} pods: waits until every regular container has exited, then
     * stops the native sidecars (newest first), as the kubelet completes such a pod.
     */
    public LocalPod awaitCompletion(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (regular.stream().anyMatch(n -> Boolean.TRUE.equals(state(n).getRunning()))) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("pod " + name() + " did not complete within " + timeout);
            }
            Thread.sleep(200);
        }
        stopSidecars();
        return this;
    }

    /** Deletes the pod as the kubelet does: SIGTERM to the regular containers, then to the native sidecars (newest first). */
    public void terminate() {
        regular.forEach(this::stop);
        stopSidecars();
        stop(sandbox);
    }

    private void stopSidecars() {
        List<String> reversed = new ArrayList<>(sidecars);
        java.util.Collections.reverse(reversed);
        reversed.forEach(this::stop);
    }

    private void stop(String name) {
        stop(container(name));
    }

    private void stop(GenericContainer<?> g) {
        if (g.getContainerId() != null && Boolean.TRUE.equals(docker().inspectContainerCmd(g.getContainerId()).exec().getState().getRunning())) {
            Long grace = pod.getSpec().getTerminationGracePeriodSeconds();
            docker().stopContainerCmd(g.getContainerId()).withTimeout(grace == null ? 30 : grace.intValue()).exec();
        }
    }

    private static DockerClient docker() {
        return DockerClientFactory.instance().client();
    }

    /** Removes every container and volume of the pod. */
    @Override
    public void close() {
        List<GenericContainer<?>> all = new ArrayList<>(containers.values());
        java.util.Collections.reverse(all);
        all.forEach(GenericContainer::stop);
        sandbox.stop();
        volumes.values().forEach(PodVolume::close);
    }

    /** The containers' names in the order the pod starts them. */
    public Set<String> containerNames() {
        return new LinkedHashSet<>(containers.keySet());
    }
}
