package dev.podkit.it.k8s;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/** The objects of a folder of manifests (or of one file), strictly decoded, plus its kustomization. */
public record ManifestSet(Path root, List<Manifest> manifests, Optional<Kustomization> kustomization) {
    public static final String KUSTOMIZATION = "kustomization.yaml";

    /** Every {@code *.yaml} under {@code dir}; {@code kustomization.yaml} at its top is read as such. */
    public static ManifestSet load(Path dir) {
        List<Manifest> manifests = new ArrayList<>();
        for (Path file : yamlFiles(dir)) {
            manifests.addAll(StrictManifestReader.read(file));
        }
        Path kustomization = dir.resolve(KUSTOMIZATION);
        return new ManifestSet(dir, List.copyOf(manifests), Files.exists(kustomization)
                ? Optional.of(StrictManifestReader.readOne(kustomization, Kustomization.class))
                : Optional.empty());
    }

    /** The objects of one file. */
    public static ManifestSet ofFile(Path file) {
        return new ManifestSet(file.getParent(), StrictManifestReader.read(file), Optional.empty());
    }

    /** The manifest files under {@code dir} (not the kustomization), sorted. */
    public static List<Path> yamlFiles(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml"))
                    .filter(f -> !f.equals(dir.resolve(KUSTOMIZATION)))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The objects of one kind, with where they were written. */
    public <T extends HasMetadata> List<T> all(Class<T> kind) {
        return manifests.stream().map(Manifest::resource).filter(kind::isInstance).map(kind::cast).toList();
    }

    public List<Pod> pods() {
        return all(Pod.class);
    }

    public List<Service> services() {
        return all(Service.class);
    }

    public Optional<ConfigMap> configMap(String name) {
        return all(ConfigMap.class).stream().filter(c -> name.equals(c.getMetadata().getName())).findFirst();
    }

    public Optional<Secret> secret(String name) {
        return all(Secret.class).stream().filter(s -> name.equals(s.getMetadata().getName())).findFirst();
    }

    public Pod pod(String name) {
        return pods().stream().filter(p -> name.equals(p.getMetadata().getName())).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no Pod " + name + " in " + root));
    }

    /** Where an object was written, for messages. */
    public String where(HasMetadata resource) {
        return manifests.stream().filter(m -> m.resource() == resource).findFirst().map(Manifest::describe)
                .orElse(resource.getKind() + " " + resource.getMetadata().getName());
    }
}
