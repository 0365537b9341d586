package dev.podkit.splitter.split;

/**
 * A variant's share as nginx's {@code split_clients} writes it: {@code 50%}, {@code 12.5%},
 * {@code 0.01%} (at most two decimals), or {@code *} for the rest. Kept in hundredths of a percent,
 * as nginx keeps it ({@code ngx_atofp(value, 2)}). Unlike nginx, {@code 0%} is allowed: a variant at
 * weight 0 gets no new keys (it drains).
 */
public record Weight(int hundredths, boolean rest) {
    public static final Weight REST = new Weight(0, true);
    public static final String EXPECTED = "a percentage with at most two decimals such as 50%, 12.5% or 0.01%, or * for the rest";

    public Weight {
        if (hundredths < 0 || hundredths > 10_000) {
            throw new IllegalArgumentException(EXPECTED);
        }
    }

    /** Parses {@code 50%}, {@code 12.5%}, {@code *}; throws {@link IllegalArgumentException} otherwise. */
    public static Weight parse(String text) {
        String t = text.trim();
        if (t.equals("*")) {
            return REST;
        }
        if (!t.endsWith("%") || t.length() < 2) {
            throw new IllegalArgumentException(EXPECTED + ", got \"" + text + "\"");
        }
        String number = t.substring(0, t.length() - 1);
        // ngx_atofp with point = 2: digits and at most one dot, at most two decimals.
        long value = 0;
        int decimals = -1;
        boolean digits = false;
        for (int i = 0; i < number.length(); i++) {
            char c = number.charAt(i);
            if (c == '.') {
                if (decimals >= 0) {
                    throw new IllegalArgumentException(EXPECTED + ", got \"" + text + "\"");
                }
                decimals = 0;
                continue;
            }
            if (c < '0' || c > '9' || decimals == 2) {
                throw new IllegalArgumentException(EXPECTED + ", got \"" + text + "\"");
            }
            digits = true;
            value = value * 10 + (c - '0');
            if (decimals >= 0) {
                decimals++;
            }
            if (value > 1_000_000) {
                throw new IllegalArgumentException("a weight of at most 100%, got \"" + text + "\"");
            }
        }
        if (!digits) {
            throw new IllegalArgumentException(EXPECTED + ", got \"" + text + "\"");
        }
        for (int d = Math.max(decimals, 0); d < 2; d++) {
            value *= 10;
        }
        if (value > 10_000) {
            throw new IllegalArgumentException("a weight of at most 100%, got \"" + text + "\"");
        }
        return new Weight((int) value, false);
    }

    public boolean isZero() {
        return !rest && hundredths == 0;
    }

    @Override
    public String toString() {
        if (rest) {
            return "*";
        }
        int whole = hundredths / 100;
        int fraction = hundredths % 100;
        return fraction == 0 ? whole + "%" : fraction % 10 == 0 ? whole + "." + fraction / 10 + "%"
                : whole + "." + (fraction < 10 ? "0" : "") + fraction + "%";
    }
}
