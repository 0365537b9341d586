package dev.podkit.testcontainers;

import org.testcontainers.utility.DockerImageName;

/** The {@code podkit/request-splitter} image: splits HTTP requests between weighted variants. */
public class RequestSplitterContainer extends PodkitContainer<RequestSplitterContainer> {
    public static final String HELPER = "request-splitter";
    public static final int ADMIN_PORT = 9703;

    /** The image named by {@link PodkitImages#of} (system properties, else this artifact's version). */
    public RequestSplitterContainer() {
        this(PodkitImages.of(HELPER));
    }

    public RequestSplitterContainer(DockerImageName image) {
        super(image, HELPER, ADMIN_PORT);
    }
}
