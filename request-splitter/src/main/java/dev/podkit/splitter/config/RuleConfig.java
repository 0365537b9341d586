package dev.podkit.splitter.config;

import java.util.regex.Pattern;

/**
 * A force-variant rule, checked before the split: when the request's header, cookie or query
 * argument (exactly one of them) is present, and equals {@code value} or fully matches
 * {@code regex} when one is given, the request goes to {@code variant}. Cookies and arguments are
 * read as nginx reads them (raw, not decoded).
 */
public record RuleConfig(String variant, Source source, String name, String value, Pattern regex) {
    /** Where a rule looks. */
    public enum Source { HEADER, COOKIE, QUERY }

    public RuleConfig {
        if (variant == null || variant.isEmpty()) {
            throw new IllegalArgumentException("rule without a variant");
        }
        if (source == null || name == null || name.isEmpty()) {
            throw new IllegalArgumentException("rule for " + variant + ": name exactly one of header, cookie or query");
        }
        if (value != null && regex != null) {
            throw new IllegalArgumentException("rule for " + variant + ": give value or regex, not both");
        }
    }

    /** Whether a found value (null: not present) satisfies the rule. */
    public boolean accepts(String found) {
        if (found == null) {
            return false;
        }
        if (value != null) {
            return value.equals(found);
        }
        if (regex != null) {
            return regex.matcher(found).matches();
        }
        return true;
    }

    public String describe() {
        return source.name().toLowerCase(java.util.Locale.ROOT) + " " + name
                + (value != null ? " = \"" + value + "\"" : regex != null ? " ~ /" + regex.pattern() + "/" : " present")
                + " -> " + variant;
    }
}
