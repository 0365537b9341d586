package dev.podkit.testcontainers;

import java.time.Duration;
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

    /** Runs with a read-only root filesystem, as the hardened pod specs do. */
    public SELF withReadOnlyRootFilesystem() {
        return withCreateContainerCmdModifier(cmd -> cmd.getHostConfig().withReadonlyRootfs(true));
    }
}
