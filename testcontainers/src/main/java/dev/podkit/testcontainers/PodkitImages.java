package dev.podkit.testcontainers;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import org.testcontainers.utility.DockerImageName;

/**
 * Image names of the podkit helpers: {@code podkit/<helper>:<version of this artifact>} unless
 * system properties say otherwise, like Testcontainers' own modules:
 * <ul>
 *   <li>{@code podkit.image.<helper>}: the whole name of one image, e.g. {@code -Dpodkit.image.tcp-ambassador=registry.local/tcp-ambassador:dev}</li>
 *   <li>{@code podkit.image.prefix}: registry and repository prefix of all four (default {@code podkit/})</li>
 *   <li>{@code podkit.image.tag}: tag of all four (default: this artifact's version)</li>
 * </ul>
 */
public final class PodkitImages {
    private static final Properties DEFAULTS = load();

    private PodkitImages() {
    }

    public static DockerImageName of(String helper) {
        String whole = System.getProperty("podkit.image." + helper);
        if (whole != null && !whole.isBlank()) {
            return DockerImageName.parse(whole.trim());
        }
        String prefix = property("podkit.image.prefix", DEFAULTS.getProperty("prefix"));
        String tag = property("podkit.image.tag", DEFAULTS.getProperty("tag"));
        return DockerImageName.parse(prefix + helper + ":" + tag);
    }

    private static String property(String name, String fallback) {
        String value = System.getProperty(name);
        return value == null || value.isBlank() ? fallback : value.trim();
    }

    private static Properties load() {
        Properties p = new Properties();
        try (InputStream in = PodkitImages.class.getResourceAsStream("image.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }
}
