package dev.podkit.splitter.proxy;

import java.util.Locale;

/** Request checks nginx makes before proxying, for the cases Netty's decoder lets through. */
final class RequestChecks {
    private RequestChecks() {
    }

    /** Whether the request-target holds control characters (nginx answers 400). */
    static boolean hasControlCharacters(String target) {
        for (int i = 0; i < target.length(); i++) {
            char c = target.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                return true;
            }
        }
        return false;
    }

    /**
     * nginx's {@code $host} from a Host value ({@code ngx_http_validate_host}): lower case, without
     * the port and a trailing dot; {@code null} when nginx rejects it (400).
     */
    static String validHost(String host) {
        int dotPos = host.length();
        int hostLen = host.length();
        int state = 0; // 0 usual, 1 literal, 2 rest
        for (int i = 0; i < host.length(); i++) {
            char ch = host.charAt(i);
            switch (ch) {
                case '.' -> {
                    if (dotPos == i - 1) {
                        return null;
                    }
                    dotPos = i;
                }
                case ':' -> {
                    if (state == 0) {
                        hostLen = i;
                        state = 2;
                    }
                }
                case '[' -> {
                    if (i == 0) {
                        state = 1;
                    }
                }
                case ']' -> {
                    if (state == 1) {
                        hostLen = i + 1;
                        state = 2;
                    }
                }
                default -> {
                    if (ch == '/' || ch <= 0x20 || ch == 0x7f) {
                        return null;
                    }
                }
            }
        }
        if (dotPos == hostLen - 1) {
            hostLen--;
        }
        if (hostLen <= 0) {
            return null;
        }
        return host.substring(0, hostLen).toLowerCase(Locale.ROOT);
    }

    /** The host of an absolute-form request-target ({@code http://Host:80/p}), or {@code null}. */
    static String targetAuthority(String target) {
        if (target.startsWith("/")) {
            return null;
        }
        int scheme = target.indexOf("://");
        if (scheme <= 0) {
            return null;
        }
        int start = scheme + 3;
        int end = start;
        while (end < target.length() && target.charAt(end) != '/' && target.charAt(end) != '?') {
            end++;
        }
        return end > start ? target.substring(start, end) : null;
    }
}
