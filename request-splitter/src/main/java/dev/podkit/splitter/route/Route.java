package dev.podkit.splitter.route;

import dev.podkit.splitter.config.VariantConfig;

/**
 * Where a request goes and why.
 *
 * @param setCookie a Set-Cookie value to add to the response (sticky assignment), or {@code null}
 */
public record Route(VariantConfig variant, Reason reason, String setCookie) {
    /** Why a request went to its variant; a label of the routing metric. */
    public enum Reason { RULE, STICKY, SPLIT }
}
