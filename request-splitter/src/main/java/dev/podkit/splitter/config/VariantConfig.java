package dev.podkit.splitter.config;

import dev.podkit.splitter.split.Weight;
import java.util.List;
import java.util.regex.Pattern;

/** One variant: its name (the {@code split_clients} value), weight and upstream servers. */
public record VariantConfig(String name, Weight weight, List<ServerAddress> servers) {
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

    public VariantConfig {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("variant name " + (name == null ? "missing" : "\"" + name + "\"")
                    + ": expected letters, digits, '.', '_' or '-' (at most 63)");
        }
        if (weight == null) {
            throw new IllegalArgumentException("variant " + name + ": weight missing");
        }
        if (servers == null || servers.isEmpty()) {
            throw new IllegalArgumentException("variant " + name + ": no servers");
        }
        servers = List.copyOf(servers);
    }
}
