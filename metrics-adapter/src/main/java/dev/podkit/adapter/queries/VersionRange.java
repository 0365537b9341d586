package dev.podkit.adapter.queries;

import dev.podkit.adapter.collect.PgVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A range of PostgreSQL versions as postgres_exporter's queries.yaml writes them (its semver
 * library's syntax): comparisons joined by spaces (all must hold) and alternatives joined by
 * {@code ||}, e.g. {@code >=10.0.0 <13.0.0 || >=15.0.0}. Versions may be partial ({@code >=13}).
 */
public final class VersionRange {
    private static final Pattern TERM = Pattern.compile("(>=|<=|!=|==|=|>|<)?\\s*(\\d+)(?:\\.(\\d+|x))?(?:\\.(\\d+|x))?");

    private record Comparison(String op, int[] version) {
        boolean test(int[] v) {
            int c = compare(v, version);
            return switch (op) {
                case ">=" -> c >= 0;
                case "<=" -> c <= 0;
                case ">" -> c > 0;
                case "<" -> c < 0;
                case "!=" -> c != 0;
                default -> c == 0;
            };
        }
    }

    private final List<List<Comparison>> alternatives;
    private final String text;

    private VersionRange(List<List<Comparison>> alternatives, String text) {
        this.alternatives = alternatives;
        this.text = text;
    }

    public static VersionRange parse(String text) {
        List<List<Comparison>> alternatives = new ArrayList<>();
        for (String alternative : text.split("\\|\\|", -1)) {
            List<Comparison> all = new ArrayList<>();
            // ">= 10.0.0" with a space is one comparison: join an operator with the version after it.
            String normalized = alternative.trim().replaceAll("(>=|<=|!=|==|=|>|<)\\s+", "$1");
            for (String term : normalized.split("\\s+")) {
                if (term.isEmpty()) {
                    continue;
                }
                Matcher m = TERM.matcher(term);
                if (!m.matches()) {
                    throw new IllegalArgumentException("not a version range: \"" + text + "\" (e.g. \">=10.0.0 <13.0.0\")");
                }
                String op = m.group(1) == null ? "=" : m.group(1);
                int[] version = {Integer.parseInt(m.group(2)), part(m.group(3)), part(m.group(4))};
                all.add(new Comparison(op, version));
            }
            if (all.isEmpty()) {
                throw new IllegalArgumentException("not a version range: \"" + text + "\" (e.g. \">=10.0.0 <13.0.0\")");
            }
            alternatives.add(all);
        }
        return new VersionRange(alternatives, text.trim());
    }

    private static int part(String s) {
        return s == null || s.equals("x") ? 0 : Integer.parseInt(s);
    }

    public boolean includes(PgVersion version) {
        String[] parts = version.semver().split("\\.");
        int[] v = {Integer.parseInt(parts[0]), Integer.parseInt(parts[1]), Integer.parseInt(parts[2])};
        return alternatives.stream().anyMatch(all -> all.stream().allMatch(c -> c.test(v)));
    }

    private static int compare(int[] a, int[] b) {
        for (int i = 0; i < 3; i++) {
            if (a[i] != b[i]) {
                return Integer.compare(a[i], b[i]);
            }
        }
        return 0;
    }

    @Override
    public String toString() {
        return text;
    }
}
