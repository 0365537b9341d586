package dev.podkit.splitter.key;

/** Netty's HTTP decoder turns each raw byte into one {@code char}; these helpers keep bytes bytes. */
final class Latin1 {
    private Latin1() {
    }

    static void append(ByteSink out, CharSequence s, int from, int to) {
        for (int i = from; i < to; i++) {
            out.add((byte) s.charAt(i));
        }
    }

    static char lower(char c) {
        return c >= 'A' && c <= 'Z' ? (char) (c | 0x20) : c;
    }

    /** ASCII-only case-insensitive comparison, as nginx's {@code ngx_strncasecmp}. */
    static boolean regionMatchesIgnoreAsciiCase(CharSequence s, int offset, String lowerName) {
        int n = lowerName.length();
        if (offset < 0 || offset + n > s.length()) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            if (lower(s.charAt(offset + i)) != lowerName.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
