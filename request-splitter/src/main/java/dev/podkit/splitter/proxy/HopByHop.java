package dev.podkit.splitter.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.List;

/** Hop-by-hop headers (RFC 9110 7.6.1): they describe one connection and are never forwarded. */
final class HopByHop {
    private static final AsciiString PROXY_CONNECTION = AsciiString.cached("proxy-connection");
    /** Hop-by-hop whatever the Connection header says (lower case); Upgrade is decided per message. */
    static final List<AsciiString> ALWAYS = List.of(HttpHeaderNames.KEEP_ALIVE, PROXY_CONNECTION,
            HttpHeaderNames.TE, HttpHeaderNames.TRAILER, HttpHeaderNames.PROXY_AUTHENTICATE);

    private HopByHop() {
    }

    /**
     * Removes the hop-by-hop headers, including those the Connection header names. Transfer-Encoding
     * stays (the encoder re-frames chunked bodies itself); Upgrade stays only when {@code keepUpgrade}.
     */
    static void strip(HttpHeaders headers, boolean keepUpgrade) {
        List<String> connection = headers.contains(HttpHeaderNames.CONNECTION)
                ? headers.getAll(HttpHeaderNames.CONNECTION) : List.of();
        for (String value : connection) {
            for (String token : value.split(",")) {
                String t = token.trim();
                if (!t.isEmpty() && !(keepUpgrade && t.equalsIgnoreCase("upgrade"))
                        && !t.equalsIgnoreCase("transfer-encoding") && !t.equalsIgnoreCase("content-length")
                        && !t.equalsIgnoreCase("host")) {
                    headers.remove(t);
                }
            }
        }
        headers.remove(HttpHeaderNames.CONNECTION);
        for (AsciiString name : ALWAYS) {
            headers.remove(name);
        }
        if (!keepUpgrade) {
            headers.remove(HttpHeaderNames.UPGRADE);
        }
    }
}
