package dev.podkit.ambassador.proxy;

import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;

/**
 * The optional one line per connection ({@code CONNECTION_LOG=true}), written when it ends, in
 * the process's log format on stderr:
 * {@code route=:8080 client=10.1.0.7:51234 target=db:5432 address=10.2.0.9:5432 up=5120 down=77003 ms=1532 end=closed}.
 */
public final class ConnectionLog {
    private static final System.Logger LOG = System.getLogger(ConnectionLog.class.getName());

    public void ended(String route, InetSocketAddress client, String target, InetSocketAddress address,
            long upstreamBytes, long downstreamBytes, long durationNanos, EndReason how) {
        StringBuilder line = new StringBuilder(160)
                .append("route=").append(route)
                .append(" client=").append(text(client))
                .append(" target=").append(target == null ? "-" : target)
                .append(" address=").append(text(address))
                .append(" up=").append(upstreamBytes)
                .append(" down=").append(downstreamBytes)
                .append(" ms=").append(durationNanos / 1_000_000)
                .append(" end=").append(how.label());
        LOG.log(Level.INFO, line.toString());
    }

    private static String text(InetSocketAddress a) {
        if (a == null) {
            return "-";
        }
        String ip = a.getAddress() == null ? a.getHostString() : a.getAddress().getHostAddress();
        return (ip.contains(":") ? "[" + ip + "]" : ip) + ":" + a.getPort();
    }
}
