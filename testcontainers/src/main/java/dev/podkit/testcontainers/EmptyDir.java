package dev.podkit.testcontainers;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Volume;
import java.util.Arrays;
import java.util.UUID;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.startupcheck.OneShotStartupCheckStrategy;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.TestcontainersConfiguration;

/**
 * A volume shared by the containers of a test "pod", like a Kubernetes {@code emptyDir}: created
 * empty, writable by every uid (podkit runs as 65532, apps as whatever they like), removed on
 * {@link #close()}. It carries Testcontainers' labels, so its reaper removes it if the test JVM dies.
 *
 * <pre>{@code
 * try (EmptyDir logs = EmptyDir.create()) {
 *     logs.mount(app, "/output");
 *     logs.mount(sidecar, "/input");
 *     ...
 * }
 * }</pre>
 */
public final class EmptyDir implements AutoCloseable {
    private final String name;

    private EmptyDir(String name) {
        this.name = name;
    }

    /** Creates the volume and opens it to every uid (mode 1777, as an emptyDir with no fsGroup). */
    public static EmptyDir create() {
        DockerClient docker = DockerClientFactory.instance().client();
        String name = "podkit-emptydir-" + UUID.randomUUID();
        docker.createVolumeCmd().withName(name).withLabels(DockerClientFactory.DEFAULT_LABELS).exec();
        EmptyDir dir = new EmptyDir(name);
        // A fresh volume is root-owned 0755; Testcontainers' tiny image opens it up.
        try (GenericContainer<?> chmod = new GenericContainer<>(
                DockerImageName.parse(TestcontainersConfiguration.getInstance().getTinyImage()))) {
            dir.mount(chmod, "/dir")
                    .withCommand("chmod", "1777", "/dir")
                    .withStartupCheckStrategy(new OneShotStartupCheckStrategy())
                    .start();
        } catch (RuntimeException e) {
            dir.close();
            throw e;
        }
        return dir;
    }

    /** Mounts this volume at {@code path} in {@code container} (before it starts). */
    public <T extends GenericContainer<?>> T mount(T container, String path) {
        container.withCreateContainerCmdModifier(cmd -> {
            Bind[] old = cmd.getHostConfig().getBinds();
            Bind[] binds = old == null ? new Bind[1] : Arrays.copyOf(old, old.length + 1);
            binds[binds.length - 1] = new Bind(name, new Volume(path));
            cmd.getHostConfig().withBinds(binds);
        });
        return container;
    }

    /** The Docker volume's name. */
    public String name() {
        return name;
    }

    @Override
    public void close() {
        try {
            DockerClientFactory.instance().client().removeVolumeCmd(name).exec();
        } catch (RuntimeException e) {
            // Still in use by a container that has not stopped yet; the reaper removes it later.
        }
    }
}
