package dev.podkit.adapter.probe;

import dev.podkit.adapter.dsn.DataSource;
import java.util.Map;

/**
 * postgres_exporter's {@code auth_modules} (its {@code --config.file}): named credentials and
 * connection options for {@code /probe}, so that passwords stay out of Prometheus's config.
 */
public final class AuthModules {
    /** One module of type {@code userpass}. */
    public record Module(String name, String username, String password, Map<String, String> options) {
        public Module {
            options = Map.copyOf(options);
        }

        DataSource apply(DataSource target) {
            return target.withCredentials(username, password, options);
        }

        @Override
        public String toString() {
            return "Module[" + name + ", user=" + username + "]";
        }
    }

    private final Map<String, Module> modules;

    public AuthModules(Map<String, Module> modules) {
        this.modules = Map.copyOf(modules);
    }

    public static AuthModules none() {
        return new AuthModules(Map.of());
    }

    public Module get(String name) {
        return modules.get(name);
    }

    public boolean isEmpty() {
        return modules.isEmpty();
    }

    public int size() {
        return modules.size();
    }
}
