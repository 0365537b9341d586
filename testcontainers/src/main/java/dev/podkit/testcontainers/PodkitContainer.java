package dev.podkit.testcontainers;

import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.Ports;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

/**
 * What all four podkit containers share: the admin port with {@code /healthz}, {@code /readyz} and
 * {@code /metrics}, a start that waits for {@code /readyz} to answer 200, and setters for the
 * settings every helper has.
 *
 * @param <SELF> the concrete container, for fluent setters
 */
public abstract class PodkitContainer<SELF extends PodkitContainer<SELF>> extends GenericContainer<SELF> {
    private final String helper;
    private final int adminPort;
    private GenericContainer<?> podOwner;
    private final List<Integer> podPorts = new ArrayList<>();

    protected PodkitContainer(DockerImageName image, String helper, int adminPort) {
        super(image);
        this.helper = helper;
        this.adminPort = adminPort;
        withExposedPorts(adminPort);
        waitingFor(Wait.forHttp("/readyz").forPort(adminPort).forStatusCode(200)
                .withStartupTimeout(Duration.ofSeconds(60)));
    }

    /** The helper's name, e.g. {@code tcp-ambassador}. */
    public String getHelper() {
        return helper;
    }

    /** The admin port inside the container. */
    public int getAdminPort() {
        return adminPort;
    }

    /** {@code http://host:port} of the admin server, from the test's side. */
    public String getAdminUrl() {
        return "http://" + getHost() + ":" + getMappedPort(adminPort);
    }

    /** Sets any setting (an environment variable of the helper). */
    public SELF withSetting(String name, String value) {
        return withEnv(name, value);
    }

    /** {@code LOG_LEVEL}: error, warn, info, debug or trace. */
    public SELF withLogLevel(String level) {
        return withSetting("LOG_LEVEL", level);
    }

    /** {@code LOG_FORMAT}: text or json. */
    public SELF withLogFormat(String format) {
        return withSetting("LOG_FORMAT", format);
    }

    /** {@code SHUTDOWN_TIMEOUT}: how long SIGTERM waits for in-flight work. */
    public SELF withShutdownTimeout(Duration timeout) {
        return withSetting("SHUTDOWN_TIMEOUT", timeout.toMillis() + "ms");
    }

    /**
     * Runs this helper in {@code owner}'s network namespace, as the containers of a pod share one:
     * each reaches the other on {@code localhost}. Docker publishes ports only for the namespace's
     * owner, so this publishes the helper's ports (the admin port, its listeners such as {@code
     * forwarding(..)}'s, also when set after this call) and {@code extraPorts} on {@code owner},
     * without adding them to what {@code owner} waits for; call it before {@code owner} starts.
     * {@code owner} is started first; {@link #getAdminUrl()}, {@link #getMappedPort} and the
     * readiness wait then go through {@code owner}'s published ports.
     */
    public SELF sharingNetworkWith(GenericContainer<?> owner, int... extraPorts) {
        // The helper's ports so far move to the pod's list; addExposedPort puts later ones there too.
        podPorts.addAll(super.getExposedPorts());
        setExposedPorts(new ArrayList<>());
        this.podOwner = owner;
        for (int port : extraPorts) {
            addExposedPort(port);
        }
        // Read when owner is created (it starts first), so ports this helper adds later are included.
        owner.withCreateContainerCmdModifier(cmd -> {
            List<ExposedPort> ports = getExposedPorts().stream().map(ExposedPort::tcp).toList();
            List<ExposedPort> exposed = new ArrayList<>(Arrays.asList(
                    cmd.getExposedPorts() == null ? new ExposedPort[0] : cmd.getExposedPorts()));
            exposed.addAll(ports);
            cmd.withExposedPorts(exposed);
            Ports bindings = cmd.getHostConfig().getPortBindings() == null ? new Ports() : cmd.getHostConfig().getPortBindings();
            ports.forEach(port -> bindings.bind(port, Ports.Binding.empty()));
            cmd.getHostConfig().withPortBindings(bindings);
        });
        dependsOn(owner);
        // Docker refuses to expose or publish ports of a container in another's network namespace.
        return withCreateContainerCmdModifier(cmd -> {
            cmd.withExposedPorts(new ArrayList<>());
            cmd.getHostConfig().withPortBindings(new Ports()).withPublishAllPorts(false)
                    .withNetworkMode("container:" + owner.getContainerId());
        });
    }

    @Override
    public Integer getMappedPort(int originalPort) {
        if (podOwner == null) {
            return super.getMappedPort(originalPort);
        }
        Ports.Binding[] bindings = podOwner.getContainerInfo().getNetworkSettings().getPorts().getBindings()
                .get(ExposedPort.tcp(originalPort));
        if (bindings == null || bindings.length == 0) {
            throw new IllegalArgumentException("port " + originalPort + " is not published by the pod's first container;"
                    + " pass it to sharingNetworkWith");
        }
        return Integer.valueOf(bindings[0].getHostPortSpec());
    }

    /** In a pod: the ports published for this helper on the first container (wait strategies read these). */
    @Override
    public List<Integer> getExposedPorts() {
        return podOwner != null ? List.copyOf(podPorts) : super.getExposedPorts();
    }

    /** In a pod: the port is published on the first container instead (Docker allows no other way). */
    @Override
    public void addExposedPort(Integer port) {
        if (podOwner == null) {
            super.addExposedPort(port);
        } else if (!podPorts.contains(port)) {
            podPorts.add(port);
        }
    }

    @Override
    public void addExposedPorts(int... ports) {
        for (int port : ports) {
            addExposedPort(port);
        }
    }

    @Override
    public String getHost() {
        return podOwner != null ? podOwner.getHost() : super.getHost();
    }

    /** Runs with a read-only root filesystem, as the hardened pod specs do. */
    public SELF withReadOnlyRootFilesystem() {
        return withCreateContainerCmdModifier(cmd -> cmd.getHostConfig().withReadonlyRootfs(true));
    }
}
