package dev.podkit.splitter.config;

import java.time.Duration;

/**
 * @param connect establishing an upstream connection (nginx {@code proxy_connect_timeout}); then 504
 * @param read between two reads from the upstream while a response is due (nginx
 *        {@code proxy_read_timeout}); before the response head: 504
 * @param clientIdle an idle keep-alive client connection, or a client that stops sending a request
 *        (nginx {@code keepalive_timeout}, {@code client_header_timeout}, {@code client_body_timeout})
 * @param upstreamIdle how long an idle pooled upstream connection is kept (nginx {@code keepalive_timeout}
 *        in an {@code upstream} block); keep it below the backends' own idle timeout
 */
public record Timeouts(Duration connect, Duration read, Duration clientIdle, Duration upstreamIdle) {
    public Timeouts {
        check("connect", connect);
        check("read", read);
        check("client_idle", clientIdle);
        check("upstream_idle", upstreamIdle);
    }

    private static void check(String name, Duration d) {
        if (d == null || d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException("timeout " + name + " must be above 0");
        }
    }

    public Timeouts with(Duration connect, Duration read, Duration clientIdle, Duration upstreamIdle) {
        return new Timeouts(connect != null ? connect : this.connect, read != null ? read : this.read,
                clientIdle != null ? clientIdle : this.clientIdle, upstreamIdle != null ? upstreamIdle : this.upstreamIdle);
    }
}
