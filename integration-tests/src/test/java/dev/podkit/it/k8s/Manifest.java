package dev.podkit.it.k8s;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.nio.file.Path;

/** One Kubernetes object from a manifest file: where it was written and what it decoded to. */
public record Manifest(Path file, int line, HasMetadata resource) {

    public String kind() {
        return resource.getKind();
    }

    public String name() {
        return resource.getMetadata() == null ? null : resource.getMetadata().getName();
    }

    /** {@code k8s/sidecar/pod.yaml line 3 (Pod sidecar-example)}, for messages. */
    public String describe() {
        return file + " line " + line + " (" + kind() + " " + name() + ")";
    }
}
