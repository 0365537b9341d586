package dev.podkit.runtime.admin;

import java.util.List;
import java.util.Map;

/** What a route sees of a request to the admin server. */
public record AdminRequest(String method, String path, Map<String, List<String>> query, String accept) {

    /** The first value of a query parameter, or {@code null}. */
    public String queryParam(String name) {
        List<String> values = query.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }
}
