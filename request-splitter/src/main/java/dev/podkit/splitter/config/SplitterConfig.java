package dev.podkit.splitter.config;

import dev.podkit.splitter.key.KeyExpression;
import dev.podkit.splitter.split.SplitTable;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One complete, validated configuration. A reload builds a new one and swaps it in; requests in
 * flight finish with the one they started with.
 *
 * @param key the split key, or {@code null} when none is configured (then every request hashes the
 *        empty key unless sticky mode assigns one)
 * @param sticky sticky-cookie mode, or {@code null}
 * @param requestVariantHeader header added to the upstream request naming the variant, or {@code null}
 * @param responseVariantHeader header added to the response naming the variant, or {@code null}
 * @param mirror traffic mirroring, or {@code null}
 */
public record SplitterConfig(String listenAddress, int listenPort, KeyExpression key, List<VariantConfig> variants,
        StickyConfig sticky, List<RuleConfig> rules, String requestVariantHeader, String responseVariantHeader,
        MirrorConfig mirror, Timeouts timeouts, int upstreamKeepalive) {

    public SplitterConfig {
        variants = List.copyOf(variants);
        rules = List.copyOf(rules);
        Set<String> names = new HashSet<>();
        for (VariantConfig v : variants) {
            if (!names.add(v.name())) {
                throw new IllegalArgumentException("variant " + v.name() + " is listed twice");
            }
        }
        for (RuleConfig r : rules) {
            if (!names.contains(r.variant())) {
                throw new IllegalArgumentException("rule " + r.describe() + ": no variant named " + r.variant());
            }
        }
        if (!variants.isEmpty()) {
            table(variants); // validates the weights
        }
        if (listenPort < 1 || listenPort > 65535) {
            throw new IllegalArgumentException("listen port: expected 1-65535, got " + listenPort);
        }
        if (upstreamKeepalive < 0) {
            throw new IllegalArgumentException("upstream keepalive must not be negative");
        }
        checkHeaderName("request variant header", requestVariantHeader);
        checkHeaderName("response variant header", responseVariantHeader);
    }

    private static void checkHeaderName(String what, String name) {
        if (name != null && !name.matches("[!#$%&'*+\\-.^_`|~0-9A-Za-z]+")) {
            throw new IllegalArgumentException(what + ": expected a header name, got \"" + name + "\"");
        }
    }

    public static SplitTable<VariantConfig> table(List<VariantConfig> variants) {
        List<SplitTable.Line<VariantConfig>> lines = new ArrayList<>();
        for (VariantConfig v : variants) {
            lines.add(new SplitTable.Line<>(v.weight(), v));
        }
        return new SplitTable<>(lines);
    }

    public Map<String, VariantConfig> variantsByName() {
        Map<String, VariantConfig> byName = new LinkedHashMap<>();
        variants.forEach(v -> byName.put(v.name(), v));
        return byName;
    }

    /** One line for the log: what this configuration splits and how. */
    public String summary() {
        if (variants.isEmpty()) {
            return "no variants configured: every request is answered 503";
        }
        StringBuilder b = new StringBuilder("split ").append(key == null ? "(no key)" : "by \"" + key.source() + "\"")
                .append(": ");
        for (int i = 0; i < variants.size(); i++) {
            VariantConfig v = variants.get(i);
            b.append(i == 0 ? "" : ", ").append(v.name()).append(' ').append(v.weight()).append(' ').append(v.servers());
        }
        if (sticky != null) {
            b.append("; sticky cookie ").append(sticky.cookie());
        }
        if (!rules.isEmpty()) {
            b.append("; ").append(rules.size()).append(rules.size() == 1 ? " rule" : " rules");
        }
        if (mirror != null) {
            b.append("; mirror ").append(mirror.percent()).append(" to ").append(mirror.servers());
        }
        return b.toString();
    }
}
