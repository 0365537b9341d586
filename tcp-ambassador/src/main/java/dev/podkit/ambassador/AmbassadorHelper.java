package dev.podkit.ambassador;

import static dev.podkit.ambassador.config.AmbassadorSettings.*;

import dev.podkit.ambassador.config.ClientTls;
import dev.podkit.ambassador.config.ListenerConfig;
import dev.podkit.ambassador.config.ListenerConfigs;
import dev.podkit.ambassador.config.Splice;
import dev.podkit.ambassador.config.TargetConfig;
import dev.podkit.ambassador.health.HealthChecker;
import dev.podkit.ambassador.proxy.ConnectionLog;
import dev.podkit.ambassador.proxy.Listener;
import dev.podkit.ambassador.proxy.ProxyContext;
import dev.podkit.ambassador.resolve.TargetResolver;
import dev.podkit.ambassador.route.Route;
import dev.podkit.ambassador.route.Target;
import dev.podkit.ambassador.tls.ReloadingSslContext;
import dev.podkit.runtime.Helper;
import dev.podkit.runtime.HelperContext;
import dev.podkit.runtime.config.Config;
import dev.podkit.runtime.config.ConfigException;
import dev.podkit.runtime.config.FileWatcher;
import dev.podkit.runtime.net.Transport;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslContext;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * tcp-ambassador's job: listeners that forward each connection to a target. Built from a
 * validated configuration (bad settings and unreadable TLS files stop the start with exit 2);
 * {@link #start()} binds, {@link #drain()} stops accepting and waits for open connections.
 */
final class AmbassadorHelper implements Helper {
    private static final System.Logger LOG = System.getLogger(AmbassadorHelper.class.getName());

    private final Config config;
    private final List<Route> routes = new ArrayList<>();
    private final Map<Route, Supplier<SslContext>> listenerTls = new IdentityHashMap<>();
    private final Transport transport;
    private final TargetResolver resolver;
    private final ProxyContext context;
    private final FileWatcher watcher;
    private final List<Listener> listeners = new ArrayList<>();
    private final List<HealthChecker> checkers = new ArrayList<>();
    private EventLoopGroup group;

    AmbassadorHelper(HelperContext helper) {
        this.config = helper.config();
        List<ListenerConfig> configs = ListenerConfigs.from(config);
        this.transport = Transport.select(config.get(Transport.SETTING));
        boolean anyTls = configs.stream().anyMatch(l -> l.tls().isPresent()
                || l.targets().stream().anyMatch(t -> t.tls().isPresent()));
        this.watcher = anyTls ? new FileWatcher(config.get(TLS_RELOAD_INTERVAL)) : null;
        Map<TargetConfig, Supplier<SslContext>> targetTls = new IdentityHashMap<>();
        boolean fromFile = config.get(CONFIG_FILE).isPresent();
        for (ListenerConfig l : configs) {
            Route route = new Route(l);
            routes.add(route);
            try {
                if (l.tls().isPresent()) {
                    listenerTls.put(route, ReloadingSslContext.server("TLS of listener " + l.name(), l.tls().get(), watcher));
                }
            } catch (IllegalArgumentException e) {
                closeWatcher();
                throw ConfigException.of(fromFile ? CONFIG_FILE.name() : LISTEN_TLS_CERT_FILE.name(), e.getMessage());
            }
            for (TargetConfig t : l.targets()) {
                Optional<ClientTls> tls = t.tls();
                try {
                    if (tls.isPresent()) {
                        targetTls.put(t, ReloadingSslContext.client("TLS to " + t.address(), tls.get(), watcher));
                    }
                } catch (IllegalArgumentException e) {
                    closeWatcher();
                    throw ConfigException.of(fromFile ? CONFIG_FILE.name() : TALK_TLS.name(), e.getMessage());
                }
            }
        }
        this.resolver = new TargetResolver(transport, config.get(NAMESERVERS), config.get(DNS_MAX_TTL),
                config.get(DNS_NEGATIVE_TTL), config.get(TIMEOUT_CONNECT));
        this.context = new ProxyContext(transport, resolver, config.get(SPLICE),
                config.get(CONNECTION_LOG) ? new ConnectionLog() : null, config.get(TCP_KEEPALIVE), targetTls);
        for (Route route : routes) {
            route.metrics().bindTo(helper.meters());
            for (Target t : route.targets()) {
                t.metrics().bindTo(helper.meters());
            }
        }
        if (config.get(REQUIRE_HEALTHY_TARGETS)) {
            helper.health().addReadinessCheck("targets", () -> {
                String down = routes.stream().filter(r -> r.usableEndpoints() == 0).map(Route::name)
                        .collect(Collectors.joining(", "));
                return down.isEmpty() ? Optional.empty() : Optional.of("no usable target address for route " + down);
            });
        }
    }

    private void closeWatcher() {
        if (watcher != null) {
            watcher.close();
        }
    }

    @Override
    public void start() throws Exception {
        if (routes.isEmpty()) {
            LOG.log(Level.WARNING, "no listeners configured, forwarding nothing: set LISTEN and TALK "
                    + "(e.g. LISTEN=:8080 TALK=db:5432) or CONFIG_FILE");
            return;
        }
        int threads = config.get(THREADS) == 0 ? Runtime.getRuntime().availableProcessors() : config.get(THREADS);
        group = context.newEventLoopGroup(threads);
        for (Route route : routes) {
            Listener listener = new Listener(context, route, listenerTls.get(route));
            InetSocketAddress bound = listener.bind(group);
            listeners.add(listener);
            ListenerConfig l = route.config();
            LOG.log(Level.INFO, "route " + route + ": listening on " + listenText(l, bound) + " (" + transport.displayName()
                    + (context.splice() != Splice.OFF && l.tls().isEmpty() ? ", splice " + context.splice().name().toLowerCase(java.util.Locale.ROOT) : "") + (l.tls().isPresent() ? ", TLS" : "")
                    + (l.acceptProxy() ? ", PROXY header expected" : "") + "), forwarding to "
                    + l.targets().stream().map(t -> t.address() + (t.tls().isPresent() ? " (TLS)" : ""))
                            .collect(Collectors.joining(", "))
                    + (l.targets().size() > 1 ? " (" + l.balance().text() + ")" : ""));
            if (l.healthCheck().enabled()) {
                HealthChecker checker = new HealthChecker(route, group.next(), transport, resolver);
                checker.start();
                checkers.add(checker);
            }
        }
        reportUnresolvedNames();
    }

    /** A name that does not resolve yet does not stop the start; it is only worth a warning. */
    private void reportUnresolvedNames() {
        for (Route route : routes) {
            for (Target t : route.targets()) {
                resolver.resolveAll(group.next(), t.config().address().host()).addListener(done -> {
                    if (!done.isSuccess()) {
                        LOG.log(Level.WARNING, "route " + route + ": target " + t + " does not resolve yet ("
                                + done.cause().getMessage() + "); its connections fail until it does");
                    }
                });
            }
        }
    }

    private static String listenText(ListenerConfig l, InetSocketAddress bound) {
        String host = l.listen().host().isEmpty() ? "0.0.0.0" : l.listen().host();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + bound.getPort();
    }

    @Override
    public CompletableFuture<Void> drain() {
        listeners.forEach(Listener::close);
        checkers.forEach(HealthChecker::close);
        int open = context.openConnections();
        if (open > 0) {
            LOG.log(Level.INFO, "stopped accepting; waiting for " + open + " open connection(s) to finish");
        }
        return context.drain();
    }

    @Override
    public void close() {
        listeners.forEach(Listener::close);
        checkers.forEach(HealthChecker::close);
        context.closeAll();
        if (group != null) {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        resolver.close();
        if (watcher != null) {
            watcher.close();
        }
    }
}
