package dev.podkit.splitter.key;

import io.netty.handler.codec.http.HttpHeaders;
import java.util.Iterator;
import java.util.Map;

/**
 * Header values as nginx finds them for {@code $http_NAME}: header names are compared lower-cased
 * with {@code -} read as {@code _}; names nginx ignores as invalid (anything but letters, digits
 * and {@code -}, so also {@code _}: nginx's defaults {@code ignore_invalid_headers on},
 * {@code underscores_in_headers off}) never match. Several lines of the same header are joined with
 * {@code ", "} ({@code "; "} for {@code Cookie}), as nginx 1.23.0 and later do; nginx 1.22 and
 * older return only the first line (except for {@code Cookie} and {@code X-Forwarded-For}).
 */
public final class Headers {
    private Headers() {
    }

    /** Appends the value of {@code $http_<variableSuffix>} (lower case, '_' for '-'); returns whether found. */
    public static boolean find(HttpHeaders headers, String variableSuffix, ByteSink out) {
        byte[] separator = variableSuffix.equals("cookie") ? new byte[] {';', ' '} : new byte[] {',', ' '};
        boolean found = false;
        Iterator<Map.Entry<CharSequence, CharSequence>> it = headers.iteratorCharSequence();
        while (it.hasNext()) {
            Map.Entry<CharSequence, CharSequence> e = it.next();
            if (!matches(e.getKey(), variableSuffix)) {
                continue;
            }
            if (found) {
                out.add(separator);
            }
            CharSequence value = e.getValue();
            Latin1.append(out, value, 0, value.length());
            found = true;
        }
        return found;
    }

    static boolean matches(CharSequence name, String variableSuffix) {
        int n = name.length();
        if (n != variableSuffix.length()) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = name.charAt(i);
            char normalized;
            if (c >= 'A' && c <= 'Z') {
                normalized = (char) (c | 0x20);
            } else if (c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
                normalized = c;
            } else if (c == '-') {
                normalized = '_';
            } else {
                return false; // nginx drops such a header line as invalid
            }
            if (normalized != variableSuffix.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
