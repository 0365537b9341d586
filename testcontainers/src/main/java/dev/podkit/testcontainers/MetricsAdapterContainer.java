package dev.podkit.testcontainers;

import org.testcontainers.utility.DockerImageName;

/** The {@code podkit/metrics-adapter} image: exposes PostgreSQL statistics as Prometheus metrics. */
public class MetricsAdapterContainer extends PodkitContainer<MetricsAdapterContainer> {
    public static final String HELPER = "metrics-adapter";
    public static final int ADMIN_PORT = 9187;

    /** The image named by {@link PodkitImages#of} (system properties, else this artifact's version). */
    public MetricsAdapterContainer() {
        this(PodkitImages.of(HELPER));
    }

    public MetricsAdapterContainer(DockerImageName image) {
        super(image, HELPER, ADMIN_PORT);
    }
}
