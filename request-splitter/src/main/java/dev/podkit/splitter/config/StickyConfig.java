package dev.podkit.splitter.config;

import java.time.Duration;
import java.util.regex.Pattern;

/**
 * Sticky-cookie mode: a client whose split key is empty gets a weighted random variant on its first
 * request and a cookie naming it; later requests carrying the cookie keep that variant.
 */
public record StickyConfig(String cookie, Duration maxAge, String path, String domain, boolean secure,
        boolean httpOnly, String sameSite) {
    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+\\-.^_`|~0-9A-Za-z]+");

    public StickyConfig {
        if (cookie == null || !TOKEN.matcher(cookie).matches()) {
            throw new IllegalArgumentException("sticky cookie name " + (cookie == null ? "missing" : "\"" + cookie + "\"")
                    + ": expected a cookie name (letters, digits, !#$%&'*+-.^_`|~)");
        }
        if (maxAge == null) {
            maxAge = Duration.ofDays(7);
        }
        if (maxAge.isNegative()) {
            throw new IllegalArgumentException("sticky max_age must not be negative");
        }
        if (path == null || path.isEmpty()) {
            path = "/";
        }
        if (sameSite == null || sameSite.isEmpty()) {
            sameSite = "Lax";
        }
        if (!sameSite.equals("Lax") && !sameSite.equals("Strict") && !sameSite.equals("None")) {
            throw new IllegalArgumentException("sticky same_site: expected Lax, Strict or None, got \"" + sameSite + "\"");
        }
        if (path.chars().anyMatch(c -> c < 0x21 || c == ';' || c > 0x7e)) {
            throw new IllegalArgumentException("sticky path: expected a cookie path, got \"" + path + "\"");
        }
        if (domain != null && (domain.isEmpty() || domain.chars().anyMatch(c -> c < 0x21 || c == ';' || c > 0x7e))) {
            throw new IllegalArgumentException("sticky domain: expected a domain, got \"" + domain + "\"");
        }
    }

    public static StickyConfig named(String cookie) {
        return new StickyConfig(cookie, null, null, null, false, true, null);
    }

    /** The Set-Cookie value assigning {@code variant}. */
    public String setCookie(String variant) {
        StringBuilder b = new StringBuilder(cookie).append('=').append(variant)
                .append("; Path=").append(path)
                .append("; Max-Age=").append(maxAge.toSeconds());
        if (domain != null) {
            b.append("; Domain=").append(domain);
        }
        if (secure || sameSite.equals("None")) {
            b.append("; Secure");
        }
        if (httpOnly) {
            b.append("; HttpOnly");
        }
        return b.append("; SameSite=").append(sameSite).toString();
    }
}
