package dev.podkit.testcontainers;

import java.time.Duration;
import java.util.Map;
import org.testcontainers.utility.DockerImageName;

/** The {@code podkit/log-sidecar} image: tails a shared volume's log files to stdout. */
public class LogSidecarContainer extends PodkitContainer<LogSidecarContainer> {
    public static final String HELPER = "log-sidecar";
    public static final int ADMIN_PORT = 9701;
    /** Where the image looks for logs unless {@code LOG_PATHS} says otherwise. */
    public static final String DEFAULT_LOG_PATHS = "/input/*.log";

    /** The image named by {@link PodkitImages#of} (system properties, else this artifact's version). */
    public LogSidecarContainer() {
        this(PodkitImages.of(HELPER));
    }

    public LogSidecarContainer(DockerImageName image) {
        super(image, HELPER, ADMIN_PORT);
    }

    /** {@code LOG_PATHS}: absolute paths or globs of the files to tail. */
    public LogSidecarContainer withLogPaths(String... paths) {
        return withSetting("LOG_PATHS", String.join(",", paths));
    }

    /** {@code LOG_EXCLUDE}: globs of files never to read. */
    public LogSidecarContainer withExclude(String... globs) {
        return withSetting("LOG_EXCLUDE", String.join(",", globs));
    }

    /** {@code READ_FROM}: head or tail, for the files there at the very first start. */
    public LogSidecarContainer withReadFrom(String headOrTail) {
        return withSetting("READ_FROM", headOrTail);
    }

    /** Mounts the pod's shared {@code emptyDir} (the one the app writes its logs to) at {@code path}, e.g. {@code /input}. */
    public LogSidecarContainer withSharedVolume(EmptyDir volume, String path) {
        return volume.mount(self(), path);
    }

    /**
     * {@code STATE_DIR} on a tmpfs owned by the image's uid 65532 (a named volume would be root-owned
     * and unwritable). It lives as long as the container: across restarts of the same container.
     */
    public LogSidecarContainer withStateTmpfs(String path) {
        withTmpFs(Map.of(path, "rw,uid=65532,gid=65532,mode=0700"));
        return withSetting("STATE_DIR", path);
    }

    /**
     * {@code STATE_DIR} on a volume of its own, which keeps the checkpoint across container restarts
     * and re-creations (in Kubernetes: a volume writable by uid 65532, e.g. with {@code fsGroup: 65532}).
     */
    public LogSidecarContainer withStateVolume(EmptyDir volume, String path) {
        volume.mount(self(), path);
        return withSetting("STATE_DIR", path);
    }

    /** {@code STATE_DIR} without mounting anything (e.g. an unwritable path, to see the warning). */
    public LogSidecarContainer withStateDir(String path) {
        return withSetting("STATE_DIR", path);
    }

    /** {@code OUTPUT_FORMAT=json}: one JSON object per line on stdout. */
    public LogSidecarContainer withJsonOutput() {
        return withSetting("OUTPUT_FORMAT", "json");
    }

    /** {@code POD_NAME}, {@code POD_NAMESPACE}, {@code CONTAINER_NAME}, as the Downward API sets them. */
    public LogSidecarContainer withPodMetadata(String pod, String namespace, String container) {
        return withSetting("POD_NAME", pod).withSetting("POD_NAMESPACE", namespace).withSetting("CONTAINER_NAME", container);
    }

    /** {@code SINK_URL}: POST newline-delimited JSON batches there. */
    public LogSidecarContainer withSink(String url) {
        return withSetting("SINK_URL", url);
    }

    /** {@code POLL_INTERVAL}. */
    public LogSidecarContainer withPollInterval(Duration interval) {
        return withSetting("POLL_INTERVAL", interval.toMillis() + "ms");
    }
}
