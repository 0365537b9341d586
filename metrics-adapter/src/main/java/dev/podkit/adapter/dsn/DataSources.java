package dev.podkit.adapter.dsn;

import dev.podkit.adapter.AdapterSettings;
import dev.podkit.runtime.config.Config;
import dev.podkit.runtime.config.ConfigException;
import dev.podkit.runtime.config.Setting;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The data sources postgres_exporter's environment names: {@code DATA_SOURCE_NAME}
 * (comma-separated), else {@code DATA_SOURCE_URI} with {@code DATA_SOURCE_USER} and
 * {@code DATA_SOURCE_PASS}; each also as a {@code *_FILE}. None at all is allowed: then only
 * {@code /probe} collects.
 */
public final class DataSources {
    private DataSources() {
    }

    public static List<DataSource> from(Config config) {
        Optional<String> names = value(config, AdapterSettings.DATA_SOURCE_NAME, AdapterSettings.DATA_SOURCE_NAME_FILE);
        if (names.isPresent()) {
            return parseAll(AdapterSettings.DATA_SOURCE_NAME.name(), names.get(), null, null);
        }
        Optional<String> uris = value(config, AdapterSettings.DATA_SOURCE_URI, AdapterSettings.DATA_SOURCE_URI_FILE);
        Optional<String> user = value(config, AdapterSettings.DATA_SOURCE_USER, AdapterSettings.DATA_SOURCE_USER_FILE);
        Optional<String> pass = value(config, AdapterSettings.DATA_SOURCE_PASS, AdapterSettings.DATA_SOURCE_PASS_FILE);
        if (uris.isEmpty()) {
            if (user.isPresent() || pass.isPresent()) {
                throw ConfigException.of(AdapterSettings.DATA_SOURCE_URI.name(),
                        "DATA_SOURCE_USER/DATA_SOURCE_PASS are set, but no DATA_SOURCE_URI (host:port/db) to use them with");
            }
            return List.of();
        }
        return parseAll(AdapterSettings.DATA_SOURCE_URI.name(), uris.get(), user.orElse(null), pass.orElse(null));
    }

    private static List<DataSource> parseAll(String setting, String text, String user, String pass) {
        String[] items = text.split(",");
        List<DataSource> sources = new ArrayList<>();
        for (int i = 0; i < items.length; i++) {
            String item = items[i].trim();
            if (item.isEmpty()) {
                continue;
            }
            try {
                if (user != null || pass != null || !item.contains("://") && !item.contains("=")) {
                    DataSource bare = DsnParser.parse("postgresql://" + stripScheme(item));
                    sources.add(bare.withCredentials(user == null ? bare.user() : user, pass, java.util.Map.of()));
                } else {
                    sources.add(DsnParser.parse(item));
                }
            } catch (IllegalArgumentException e) {
                // Never the value itself: it may hold a password.
                throw ConfigException.of(setting, "connection string " + (i + 1) + " of " + items.length + " is not usable: "
                        + e.getMessage());
            }
        }
        return List.copyOf(sources);
    }

    private static String stripScheme(String uri) {
        int scheme = uri.indexOf("://");
        return scheme >= 0 ? uri.substring(scheme + 3) : uri;
    }

    /** A setting's value, or the trimmed content of the file its {@code _FILE} twin names. */
    static Optional<String> value(Config config, Setting<String> direct, Setting<String> file) {
        Optional<String> value = config.raw(direct);
        Optional<String> path = config.raw(file);
        if (value.isPresent() && path.isPresent()) {
            throw ConfigException.of(direct.name(), "set either " + direct.name() + " or " + file.name() + ", not both");
        }
        if (path.isPresent()) {
            try {
                String content = Files.readString(Path.of(path.get())).trim();
                if (content.isEmpty()) {
                    throw ConfigException.of(file.name(), "the file " + path.get() + " is empty");
                }
                return Optional.of(content);
            } catch (IOException | SecurityException e) {
                throw ConfigException.of(file.name(), "cannot read " + path.get() + ": " + e);
            }
        }
        return value;
    }
}
