package dev.podkit.ambassador.proxy;

import dev.podkit.ambassador.metrics.TargetMetrics.ConnectError;
import dev.podkit.ambassador.route.Endpoint;
import dev.podkit.ambassador.route.Route;
import dev.podkit.ambassador.route.Target;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.Future;
import java.net.InetAddress;
import java.net.NoRouteToHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javax.net.ssl.SSLException;

/**
 * Connects a client's connection to a target: looks the target names up (from the cache when
 * fresh), lets the balancer pick an address, connects with the connect timeout and, on failure,
 * tries another address, up to {@code retries} more times. A failed address counts towards its
 * passive ejection and drops its name's cached answer, so a moved service is found again.
 */
final class TargetConnector {
    private final ProxyContext context;
    private final Connection connection;
    private final Route route;
    private final EventLoop loop;
    private final List<Endpoint> tried = new ArrayList<>();
    private int attemptsLeft;
    private Channel attempt;
    private boolean cancelled;

    TargetConnector(ProxyContext context, Connection connection, Route route, EventLoop loop) {
        this.context = context;
        this.connection = connection;
        this.route = route;
        this.loop = loop;
    }

    void start() {
        attemptsLeft = 1 + route.config().retries();
        resolveThenConnect();
    }

    void cancel() {
        cancelled = true;
        closeAttempt();
    }

    /** Closes the attempt's channel, registered or not. */
    private void closeAttempt() {
        Channel c = attempt;
        attempt = null;
        if (c == null) {
            return;
        }
        if (c.isRegistered()) {
            c.close();
        } else {
            c.unsafe().closeForcibly();
        }
    }

    private void resolveThenConnect() {
        List<Target> targets = route.targets();
        int lookups = 0;
        for (Target t : targets) {
            List<InetAddress> literal = t.literalAddresses();
            if (literal != null) {
                t.update(literal); // an IP address: nothing to look up
            } else {
                lookups++;
            }
        }
        if (lookups == 0) {
            connect();
            return;
        }
        int[] waiting = {lookups};
        for (Target t : targets) {
            if (t.literalAddresses() != null) {
                continue;
            }
            Future<List<InetAddress>> lookup = context.resolver().resolveAll(loop, t.config().address().host());
            lookup.addListener(done -> {
                if (done.isSuccess()) {
                    @SuppressWarnings("unchecked")
                    List<InetAddress> addresses = (List<InetAddress>) done.getNow();
                    t.update(addresses);
                } else {
                    t.resolveFailed(String.valueOf(done.cause().getMessage()));
                    t.metrics().connectFailed(ConnectError.DNS);
                }
                if (--waiting[0] == 0) {
                    connect();
                }
            });
        }
    }

    private void connect() {
        if (cancelled) {
            return;
        }
        Optional<Endpoint> pick = route.pick(tried);
        if (pick.isEmpty()) {
            connection.connectFailed();
            return;
        }
        Endpoint endpoint = pick.get();
        attemptsLeft--;
        long begin = System.nanoTime();
        // The channel is made, registered on the client's event loop (splice needs both sides on
        // one) and connected right here: no Bootstrap, whose connect is one more task per attempt.
        Channel ch;
        try {
            ch = context.newTargetChannel(connection, endpoint.target(), route.config().timeouts().connect());
        } catch (RuntimeException e) {
            failed(endpoint, e); // no socket, e.g. out of file descriptors
            return;
        }
        attempt = ch;
        ChannelFuture registered = loop.register(ch);
        if (registered.isDone()) {
            registered(ch, registered, endpoint, begin);
        } else {
            registered.addListener(f -> registered(ch, registered, endpoint, begin));
        }
    }

    private void registered(Channel ch, ChannelFuture registration, Endpoint endpoint, long begin) {
        if (cancelled || attempt != ch) {
            return; // cancel() closed it
        }
        if (!registration.isSuccess()) {
            failed(endpoint, registration.cause());
            return;
        }
        ch.connect(endpoint.address()).addListener(f -> {
            if (cancelled) {
                closeAttempt();
            } else if (!f.isSuccess()) {
                failed(endpoint, f.cause());
            } else {
                BackendPipeline.sendProxyHeader(ch, endpoint.target().config(), connection);
                SslHandler ssl = ch.pipeline().get(SslHandler.class);
                if (ssl == null) {
                    succeeded(endpoint, ch, begin);
                } else {
                    ssl.handshakeFuture().addListener(h -> {
                        if (cancelled) {
                            ch.close();
                        } else if (h.isSuccess()) {
                            succeeded(endpoint, ch, begin);
                        } else {
                            failed(endpoint, h.cause());
                        }
                    });
                }
            }
        });
    }

    private void succeeded(Endpoint endpoint, Channel channel, long begin) {
        attempt = null;
        endpoint.connectSucceeded();
        connection.established(channel, endpoint, System.nanoTime() - begin);
    }

    private void failed(Endpoint endpoint, Throwable cause) {
        closeAttempt();
        ConnectError reason = classify(cause);
        endpoint.target().metrics().connectFailed(reason);
        String why = describe(cause);
        if (reason == ConnectError.FD_LIMIT) {
            // Not the target's fault: no ejection, and another address would fail the same way.
            context.fdLog().warn("route " + route + ": out of file descriptors, cannot connect to "
                    + endpoint + "; the client is reset, connections already open keep working (" + why + ")");
            connection.connectFailed();
            return;
        }
        endpoint.connectFailed(route.config().ejection(), System.nanoTime(), why);
        context.resolver().forget(endpoint.target().config().address().host());
        tried.add(endpoint);
        if (attemptsLeft > 0 && !cancelled) {
            resolveThenConnect();
        } else {
            connection.connectFailed();
        }
    }

    static ConnectError classify(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            String m = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
            if (m.contains("too many open files")) {
                return ConnectError.FD_LIMIT;
            }
            if (t instanceof ConnectTimeoutException || m.contains("timed out")) {
                return ConnectError.TIMEOUT;
            }
            if (t instanceof SSLException) {
                return ConnectError.TLS;
            }
            if (m.contains("refused")) {
                return ConnectError.REFUSED;
            }
            if (t instanceof NoRouteToHostException || m.contains("no route to host") || m.contains("unreachable")) {
                return ConnectError.UNREACHABLE;
            }
            if (m.contains("reset")) {
                return ConnectError.RESET;
            }
        }
        return ConnectError.OTHER;
    }

    private static String describe(Throwable cause) {
        Throwable root = cause;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String m = root.getMessage();
        return m == null ? root.getClass().getSimpleName() : m;
    }
}
