package dev.podkit.splitter.key;

/**
 * Query arguments exactly as nginx finds them for {@code $arg_NAME}. The arguments are the raw
 * bytes after the first {@code ?} of the request-target up to the first {@code #} after it; a
 * {@code #} before any {@code ?} means there are none ({@code ngx_http_parse_request_line} and
 * {@code ngx_http_parse_complex_uri}). The search is {@code ngx_http_arg}'s: the first
 * case-insensitive (ASCII) occurrence of the name that starts the arguments or follows a
 * {@code &} and is followed by {@code =}; the value runs to the next {@code &} and is neither
 * percent-decoded nor {@code +}-decoded. Only {@code &} separates ({@code ;} does not).
 */
public final class QueryArgs {
    private QueryArgs() {
    }

    /** {@code [start, end)} of the arguments in {@code target}, or {@code null} when there are none. */
    static int[] range(CharSequence target) {
        int n = target.length();
        int i = 0;
        if (n == 0 || target.charAt(0) == '*') {
            return null;
        }
        if (target.charAt(0) != '/') {
            // absolute-form: scheme "://" authority, then the path (or directly '?')
            int scheme = indexOf(target, "://", 0);
            if (scheme < 0) {
                return null;
            }
            i = scheme + 3;
            while (i < n && target.charAt(i) != '/' && target.charAt(i) != '?') {
                i++;
            }
        }
        for (; i < n; i++) {
            char c = target.charAt(i);
            if (c == '#') {
                return null;
            }
            if (c == '?') {
                int start = i + 1;
                int end = start;
                while (end < n && target.charAt(end) != '#') {
                    end++;
                }
                return new int[] {start, end};
            }
        }
        return null;
    }

    /** Appends the value of argument {@code lowerName} to {@code out}; returns whether it was found. */
    public static boolean find(CharSequence target, String lowerName, ByteSink out) {
        int[] r = range(target);
        if (r == null) {
            return false;
        }
        int start = r[0];
        int last = r[1];
        int len = lowerName.length();
        if (last - start == 0 || len == 0) {
            return false;
        }
        // The name must end before the last byte: '=' has to follow it.
        for (int p = start; p + len <= last - 1; p++) {
            if (!Latin1.regionMatchesIgnoreAsciiCase(target, p, lowerName)) {
                continue;
            }
            if ((p == start || target.charAt(p - 1) == '&') && target.charAt(p + len) == '=') {
                int valueStart = p + len + 1;
                int valueEnd = valueStart;
                while (valueEnd < last && target.charAt(valueEnd) != '&') {
                    valueEnd++;
                }
                Latin1.append(out, target, valueStart, valueEnd);
                return true;
            }
        }
        return false;
    }

    /** The raw value as a string (one char per byte), or {@code null}. */
    public static String value(CharSequence target, String name) {
        ByteSink sink = new ByteSink();
        if (!find(target, name.toLowerCase(java.util.Locale.ROOT), sink)) {
            return null;
        }
        return new String(sink.toByteArray(), java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    private static int indexOf(CharSequence s, String what, int from) {
        outer:
        for (int i = from; i + what.length() <= s.length(); i++) {
            for (int j = 0; j < what.length(); j++) {
                if (s.charAt(i + j) != what.charAt(j)) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
