package dev.podkit.testcontainers;

import org.testcontainers.utility.DockerImageName;

/** The {@code podkit/tcp-ambassador} image: forwards TCP from localhost to services outside the pod. */
public class TcpAmbassadorContainer extends PodkitContainer<TcpAmbassadorContainer> {
    public static final String HELPER = "tcp-ambassador";
    public static final int ADMIN_PORT = 9702;

    /** The image named by {@link PodkitImages#of} (system properties, else this artifact's version). */
    public TcpAmbassadorContainer() {
        this(PodkitImages.of(HELPER));
    }

    public TcpAmbassadorContainer(DockerImageName image) {
        super(image, HELPER, ADMIN_PORT);
    }
}
