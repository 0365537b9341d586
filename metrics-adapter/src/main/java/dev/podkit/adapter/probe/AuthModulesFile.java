package dev.podkit.adapter.probe;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.podkit.adapter.AdapterSettings;
import dev.podkit.runtime.config.ConfigException;
import dev.podkit.runtime.config.YamlFiles;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** postgres_exporter.yml ({@code --config.file}), bound strictly: its {@code auth_modules}. */
public record AuthModulesFile(@JsonProperty("auth_modules") Map<String, Module> authModules) {

    /** One auth module. */
    public record Module(String type, UserPass userpass, Map<String, String> options) {
    }

    /** Credentials of a {@code userpass} module. */
    public record UserPass(String username, String password) {
    }

    public static AuthModules load(Path file) {
        String setting = AdapterSettings.CONFIG_FILE.name();
        AuthModulesFile parsed = YamlFiles.read(setting, file, AuthModulesFile.class);
        Map<String, AuthModules.Module> modules = new LinkedHashMap<>();
        if (parsed.authModules() != null) {
            parsed.authModules().forEach((name, m) -> {
                String at = file + " at auth_modules." + name;
                if (m == null || !"userpass".equals(m.type())) {
                    throw ConfigException.of(setting, at + ".type: only \"userpass\" is supported");
                }
                if (m.userpass() == null || m.userpass().username() == null || m.userpass().username().isBlank()) {
                    throw ConfigException.of(setting, at + ".userpass.username is missing");
                }
                modules.put(name, new AuthModules.Module(name, m.userpass().username(), m.userpass().password(),
                        m.options() == null ? Map.of() : m.options()));
            });
        }
        return new AuthModules(modules);
    }
}
