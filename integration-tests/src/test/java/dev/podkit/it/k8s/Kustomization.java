package dev.podkit.it.k8s;

import java.util.List;

/**
 * The part of kustomize's {@code kustomization.yaml} that k8s/ uses: the resource files and image
 * overrides. Bound strictly, so a field kustomize would read differently (or a typo) is an error.
 */
public record Kustomization(String apiVersion, String kind, List<String> resources, List<Image> images) {
    public Kustomization {
        if (!"kustomize.config.k8s.io/v1beta1".equals(apiVersion) || !"Kustomization".equals(kind)) {
            throw new IllegalArgumentException("expected apiVersion kustomize.config.k8s.io/v1beta1, kind Kustomization");
        }
        resources = resources == null ? List.of() : List.copyOf(resources);
        images = images == null ? List.of() : List.copyOf(images);
    }

    /** {@code images:} entry: which image name to rewrite, and to what. */
    public record Image(String name, String newName, String newTag, String digest) {
        public Image {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("an images entry needs a name");
            }
        }
    }
}
