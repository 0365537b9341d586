package dev.podkit.runtime;

import dev.podkit.runtime.config.Setting;
import java.util.List;

/**
 * Names a helper and how to build it: its own settings (the runtime adds the common ones) and a
 * factory that creates it from a validated configuration.
 *
 * @param name the image's name, e.g. {@code tcp-ambassador}
 * @param description one line for {@code --help}
 * @param defaultAdminPort the admin port unless {@code ADMIN_PORT} says otherwise; distinct per
 *        helper, because the containers of a pod share one network namespace
 * @param settings the helper's own settings
 */
public record HelperDescriptor(String name, String description, int defaultAdminPort, List<Setting<?>> settings,
        Factory factory) {

    /** Creates the helper; it may throw {@link dev.podkit.runtime.config.ConfigException} for a bad setting. */
    @FunctionalInterface
    public interface Factory {
        Helper create(HelperContext context) throws Exception;
    }

    public HelperDescriptor {
        settings = List.copyOf(settings);
    }
}
