package dev.podkit.testcontainers;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.testcontainers.containers.BindMode;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.utility.DockerImageName;

/**
 * The {@code podkit/request-splitter} image: splits HTTP requests between weighted variants, with
 * nginx {@code split_clients} buckets. Simple splits are set from the environment
 * ({@link #withVariant}, {@link #withSplitKey}); everything else from a YAML file
 * ({@link #withConfigYaml}, or {@link #withConfigDirectory} to change it while running).
 */
public class RequestSplitterContainer extends PodkitContainer<RequestSplitterContainer> {
    public static final String HELPER = "request-splitter";
    public static final int ADMIN_PORT = 9703;
    public static final int HTTP_PORT = 8000;
    /** Where {@link #withConfigYaml} puts the file, and {@link #withConfigDirectory} mounts its folder. */
    public static final String CONFIG_DIRECTORY = "/etc/podkit";

    private final List<String> variants = new ArrayList<>();

    /** The image named by {@link PodkitImages#of} (system properties, else this artifact's version). */
    public RequestSplitterContainer() {
        this(PodkitImages.of(HELPER));
    }

    public RequestSplitterContainer(DockerImageName image) {
        super(image, HELPER, ADMIN_PORT);
        addExposedPort(HTTP_PORT);
    }

    /**
     * Adds a variant ({@code VARIANTS}): its name, its weight as nginx writes it ({@code 50%},
     * {@code 12.5%}, {@code *} for the rest) and its upstream servers ({@code host:port}).
     */
    public RequestSplitterContainer withVariant(String name, String weight, String... servers) {
        variants.add(name + "=" + weight + ":" + String.join("|", servers));
        return withSetting("VARIANTS", String.join(",", variants));
    }

    /** {@code SPLIT_KEY}: what to split by, as nginx's split_clients key, e.g. {@code $arg_token}. */
    public RequestSplitterContainer withSplitKey(String key) {
        return withSetting("SPLIT_KEY", key);
    }

    /** {@code VARIANT_HEADER}: a header naming the variant, on the upstream request and on the response. */
    public RequestSplitterContainer withVariantHeader(String header) {
        return withSetting("VARIANT_HEADER", header);
    }

    /** {@code STICKY_COOKIE}: sticky-cookie mode for clients without a key. */
    public RequestSplitterContainer withStickyCookie(String cookie) {
        return withSetting("STICKY_COOKIE", cookie);
    }

    /** {@code CONNECT_TIMEOUT}. */
    public RequestSplitterContainer withConnectTimeout(Duration timeout) {
        return withSetting("CONNECT_TIMEOUT", timeout.toMillis() + "ms");
    }

    /** {@code READ_TIMEOUT}. */
    public RequestSplitterContainer withReadTimeout(Duration timeout) {
        return withSetting("READ_TIMEOUT", timeout.toMillis() + "ms");
    }

    /** A YAML config file, copied into the container as {@code /etc/podkit/splitter.yaml}. */
    public RequestSplitterContainer withConfigYaml(String yaml) {
        withCopyToContainer(Transferable.of(yaml, 0644), CONFIG_DIRECTORY + "/splitter.yaml");
        return withSetting("CONFIG_FILE", CONFIG_DIRECTORY + "/splitter.yaml");
    }

    /**
     * Mounts a host folder (read-only, as a ConfigMap) on {@code /etc/podkit} and uses {@code file}
     * in it as the config file: changing the file on the host reloads the splitter.
     */
    public RequestSplitterContainer withConfigDirectory(Path directory, String file) {
        withFileSystemBind(directory.toAbsolutePath().toString(), CONFIG_DIRECTORY, BindMode.READ_ONLY);
        return withSetting("CONFIG_FILE", CONFIG_DIRECTORY + "/" + file)
                .withSetting("CONFIG_RELOAD_INTERVAL", "200ms");
    }

    /** {@code http://host:port} of the splitter's HTTP port, from the test's side. */
    public String getProxyUrl() {
        return "http://" + getHost() + ":" + getProxyPort();
    }

    /** The mapped HTTP port. */
    public int getProxyPort() {
        return getMappedPort(HTTP_PORT);
    }
}
