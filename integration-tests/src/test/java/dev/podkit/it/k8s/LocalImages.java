package dev.podkit.it.k8s;

import dev.podkit.it.TestImages;
import dev.podkit.testcontainers.PodkitImages;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.testcontainers.utility.DockerImageName;

/**
 * The local image for an image a manifest names: {@code podkit/<helper>:<release tag>} is the image
 * this build made ({@link PodkitImages#of}); the public images are the configurable test images of
 * {@link TestImages} (local stand-ins on machines without a registry).
 */
final class LocalImages {
    private static final Map<String, Supplier<DockerImageName>> OTHERS = Map.of(
            TestImages.PUBLIC_BUSYBOX, TestImages::busybox,
            TestImages.PUBLIC_NGINX, TestImages::nginx,
            TestImages.PUBLIC_POSTGRES, TestImages::postgres,
            TestImages.PUBLIC_HTTP_ECHO, TestImages::httpEcho);

    private LocalImages() {
    }

    static DockerImageName of(String manifestImage) {
        return ManifestChecks.helperOf(manifestImage).map(h -> PodkitImages.of(h.name()))
                .or(() -> Optional.ofNullable(OTHERS.get(manifestImage)).map(Supplier::get))
                .orElseThrow(() -> new IllegalArgumentException("no local image for " + manifestImage));
    }
}
