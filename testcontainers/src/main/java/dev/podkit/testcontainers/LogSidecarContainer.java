package dev.podkit.testcontainers;

import org.testcontainers.utility.DockerImageName;

/** The {@code podkit/log-sidecar} image: tails a shared volume's log files to stdout. */
public class LogSidecarContainer extends PodkitContainer<LogSidecarContainer> {
    public static final String HELPER = "log-sidecar";
    public static final int ADMIN_PORT = 9701;

    /** The image named by {@link PodkitImages#of} (system properties, else this artifact's version). */
    public LogSidecarContainer() {
        this(PodkitImages.of(HELPER));
    }

    public LogSidecarContainer(DockerImageName image) {
        super(image, HELPER, ADMIN_PORT);
    }
}
