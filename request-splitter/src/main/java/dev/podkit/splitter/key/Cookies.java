package dev.podkit.splitter.key;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * Cookies exactly as nginx finds them for {@code $cookie_NAME}
 * ({@code ngx_http_parse_multi_header_lines} over every {@code Cookie} header, in order): at the
 * start of the value or after a {@code ;} or {@code ,} (and the spaces after it), a case-insensitive
 * (ASCII) name, optional spaces, {@code =}, optional spaces, then the value up to the next
 * {@code ;} (a {@code ,} does not end it). Quotes and inner spaces stay part of the value. A name
 * not followed by {@code =} makes nginx skip one byte more than it looks at, so the next pair in
 * {@code user;user=4} is not seen: reproduced here.
 */
public final class Cookies {
    private Cookies() {
    }

    public static boolean find(List<String> cookieHeaders, String lowerName, ByteSink out) {
        int len = lowerName.length();
        for (String h : cookieHeaders) {
            int end = h.length();
            if (len > end) {
                continue;
            }
            int start = 0;
            while (start < end) {
                if (Latin1.regionMatchesIgnoreAsciiCase(h, start, lowerName)) {
                    int p = start + len;
                    while (p < end && h.charAt(p) == ' ') {
                        p++;
                    }
                    if (p < end && h.charAt(p) == '=') {
                        p++;
                        while (p < end && h.charAt(p) == ' ') {
                            p++;
                        }
                        int last = p;
                        while (last < end && h.charAt(last) != ';') {
                            last++;
                        }
                        Latin1.append(out, h, p, last);
                        return true;
                    }
                    // nginx reads the byte after the name even when it is not '=' ("*start++"),
                    // so the skip below starts one further: in "user;user=4" it swallows "user=4".
                    start = p < end ? p + 1 : p;
                }
                // skip to after the next ';' or ',', then its spaces
                while (start < end) {
                    char ch = h.charAt(start++);
                    if (ch == ';' || ch == ',') {
                        break;
                    }
                }
                while (start < end && h.charAt(start) == ' ') {
                    start++;
                }
            }
        }
        return false;
    }

    public static String value(List<String> cookieHeaders, String name) {
        ByteSink sink = new ByteSink();
        return find(cookieHeaders, name.toLowerCase(Locale.ROOT), sink)
                ? new String(sink.toByteArray(), StandardCharsets.ISO_8859_1) : null;
    }
}
