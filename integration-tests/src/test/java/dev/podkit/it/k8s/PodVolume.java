package dev.podkit.it.k8s;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.AccessMode;
import com.github.dockerjava.api.model.Bind;
import dev.podkit.testcontainers.EmptyDir;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.Volume;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.startupcheck.OneShotStartupCheckStrategy;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.TestcontainersConfiguration;

/**
 * A pod volume as a Docker volume: an {@code emptyDir} is podkit-testcontainers' {@link EmptyDir};
 * a {@code configMap} or {@code secret} volume is filled the way the kubelet lays it out (the keys
 * in a timestamped folder, a {@code ..data} symlink to it, one symlink per key) and mounted read-only.
 */
final class PodVolume implements AutoCloseable {
    private static final DateTimeFormatter KUBELET_DIR = DateTimeFormatter.ofPattern("'..'yyyy_MM_dd_HH_mm_ss.nnnnnnnnn");

    private final String dockerName;
    private final boolean readOnly;
    private final AutoCloseable owner;

    private PodVolume(String dockerName, boolean readOnly, AutoCloseable owner) {
        this.dockerName = dockerName;
        this.readOnly = readOnly;
        this.owner = owner;
    }

    static PodVolume of(Volume volume, ManifestSet set) {
        if (volume.getEmptyDir() != null) {
            if (volume.getEmptyDir().getMedium() != null && !volume.getEmptyDir().getMedium().isEmpty()) {
                throw new UnsupportedOperationException("emptyDir medium " + volume.getEmptyDir().getMedium());
            }
            EmptyDir dir = EmptyDir.create();
            return new PodVolume(dir.name(), false, dir);
        }
        if (volume.getConfigMap() != null) {
            var source = volume.getConfigMap();
            var map = set.configMap(source.getName()).orElseThrow(() -> new IllegalArgumentException("no ConfigMap " + source.getName()));
            Map<String, byte[]> data = new LinkedHashMap<>();
            map.getData().forEach((k, v) -> data.put(k, v.getBytes(StandardCharsets.UTF_8)));
            map.getBinaryData().forEach((k, v) -> data.put(k, Base64.getDecoder().decode(v)));
            return files(select(data, source.getItems()), source.getDefaultMode());
        }
        if (volume.getSecret() != null) {
            var source = volume.getSecret();
            var secret = set.secret(source.getSecretName())
                    .orElseThrow(() -> new IllegalArgumentException("no Secret " + source.getSecretName()));
            return files(select(secretData(secret), source.getItems()), source.getDefaultMode());
        }
        throw new UnsupportedOperationException("volume " + volume.getName() + ": only emptyDir, configMap and secret volumes");
    }

    /** A Secret's values: {@code data} (base64) and {@code stringData} (plain, wins), as the API server merges them. */
    static Map<String, byte[]> secretData(io.fabric8.kubernetes.api.model.Secret secret) {
        Map<String, byte[]> data = new LinkedHashMap<>();
        secret.getData().forEach((k, v) -> data.put(k, Base64.getDecoder().decode(v)));
        secret.getStringData().forEach((k, v) -> data.put(k, v.getBytes(StandardCharsets.UTF_8)));
        return data;
    }

    private static Map<String, byte[]> select(Map<String, byte[]> data, List<KeyToPath> items) {
        if (items.isEmpty()) {
            return data;
        }
        return items.stream().collect(Collectors.toMap(KeyToPath::getPath, i -> data.get(i.getKey()), (a, b) -> b,
                LinkedHashMap::new));
    }

    /** Files in the kubelet's layout in a new volume, root-owned, mode {@code defaultMode} (0644 if unset). */
    private static PodVolume files(Map<String, byte[]> files, Integer defaultMode) {
        DockerClient docker = DockerClientFactory.instance().client();
        String name = "podkit-k8s-volume-" + UUID.randomUUID();
        docker.createVolumeCmd().withName(name).withLabels(DockerClientFactory.DEFAULT_LABELS).exec();
        String dataDir = LocalDateTime.now(ZoneOffset.UTC).format(KUBELET_DIR);
        int mode = defaultMode == null ? 0644 : defaultMode;
        String links = files.keySet().stream().map(p -> p.split("/", 2)[0]).distinct()
                .map(top -> "ln -s ..data/" + top + " " + top).collect(Collectors.joining(" && "));
        try (GenericContainer<?> fill = new GenericContainer<>(
                DockerImageName.parse(TestcontainersConfiguration.getInstance().getTinyImage()))) {
            mount(fill, name, "/dir", false);
            files.forEach((path, bytes) -> fill.withCopyToContainer(Transferable.of(bytes, mode), "/dir/" + dataDir + "/" + path));
            fill.withCommand("sh", "-c", "cd /dir && chmod 755 " + dataDir + " && ln -s " + dataDir + " ..data"
                            + (links.isEmpty() ? "" : " && " + links))
                    .withStartupCheckStrategy(new OneShotStartupCheckStrategy())
                    .start();
        } catch (RuntimeException e) {
            docker.removeVolumeCmd(name).exec();
            throw e;
        }
        return new PodVolume(name, true, () -> docker.removeVolumeCmd(name).exec());
    }

    /** Mounts this volume at {@code path} (read-only when the mount or the volume kind says so). */
    <T extends GenericContainer<?>> T mount(T container, String path, boolean readOnlyMount) {
        return mount(container, dockerName, path, readOnly || readOnlyMount);
    }

    private static <T extends GenericContainer<?>> T mount(T container, String volume, String path, boolean readOnly) {
        container.withCreateContainerCmdModifier(cmd -> {
            Bind[] old = cmd.getHostConfig().getBinds();
            Bind[] binds = old == null ? new Bind[1] : Arrays.copyOf(old, old.length + 1);
            binds[binds.length - 1] = new Bind(volume, new com.github.dockerjava.api.model.Volume(path),
                    readOnly ? AccessMode.ro : AccessMode.rw);
            cmd.getHostConfig().withBinds(binds);
        });
        return container;
    }

    @Override
    public void close() {
        try {
            owner.close();
        } catch (Exception e) {
            // Still in use by a container that has not gone yet; Testcontainers' reaper removes it (labels).
        }
    }
}
