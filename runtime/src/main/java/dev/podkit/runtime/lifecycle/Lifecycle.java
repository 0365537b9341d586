package dev.podkit.runtime.lifecycle;

import dev.podkit.runtime.BuildInfo;
import dev.podkit.runtime.Helper;
import dev.podkit.runtime.HelperContext;
import dev.podkit.runtime.HelperDescriptor;
import dev.podkit.runtime.admin.AdminServer;
import dev.podkit.runtime.config.CommonSettings;
import dev.podkit.runtime.config.Config;
import dev.podkit.runtime.config.Durations;
import dev.podkit.runtime.health.Health;
import dev.podkit.runtime.metrics.Metrics;
import java.lang.System.Logger.Level;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One helper process from start to exit: create the helper (bad settings fail before anything is
 * bound), start the admin server, start the helper, report ready; on shutdown turn readiness off,
 * drain up to {@code SHUTDOWN_TIMEOUT}, close everything.
 */
public final class Lifecycle {
    private static final System.Logger LOG = System.getLogger(Lifecycle.class.getName());

    private final Config config;
    private final CommonSettings common;
    private final Health health = new Health();
    private final Metrics metrics;
    private final AdminServer admin;
    private final Helper helper;
    private final AtomicBoolean shutdownStarted = new AtomicBoolean();
    private final CompletableFuture<Void> forced = new CompletableFuture<>();
    private volatile InetSocketAddress adminAddress;

    /**
     * Builds the process's parts and the helper. Throws {@link dev.podkit.runtime.config.ConfigException}
     * for a setting the helper rejects; nothing is bound yet then.
     */
    public Lifecycle(HelperDescriptor descriptor, Config config) throws Exception {
        this.config = config;
        this.common = new CommonSettings(descriptor.defaultAdminPort());
        this.metrics = new Metrics(descriptor.name(), BuildInfo.version());
        health.bindTo(metrics.registry());
        this.admin = new AdminServer(health, metrics);
        boolean created = false;
        try {
            this.helper = descriptor.factory().create(
                    new HelperContext(descriptor.name(), BuildInfo.version(), config, metrics, health, admin));
            created = true;
        } finally {
            if (!created) {
                admin.close();
                metrics.close();
            }
        }
    }

    /** Starts serving; returns once ready. On failure everything started so far is closed again. */
    public void start() throws Exception {
        try {
            startAdmin();
            helper.start();
        } catch (Exception | Error e) {
            helper.close();
            admin.close();
            metrics.close();
            throw e;
        }
        health.markReady();
    }

    private void startAdmin() throws Exception {
        String host = config.get(CommonSettings.ADMIN_ADDRESS);
        int port = config.get(common.adminPort);
        try {
            adminAddress = admin.start(host, port);
        } catch (Exception e) {
            // Netty's bind errors name neither the address nor the setting; the user needs both.
            throw new BindException("admin server cannot listen on " + hostPort(host, port) + " (ADMIN_ADDRESS, ADMIN_PORT): "
                    + e.getMessage());
        }
    }

    /** {@code host:port}, with brackets around an IPv6 host. */
    public static String hostPort(String host, int port) {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    /** Where the admin server listens, as configured ({@code 0.0.0.0:9701 (epoll)}), once started. */
    public String adminEndpoint() {
        return hostPort(config.get(CommonSettings.ADMIN_ADDRESS), adminAddress.getPort()) + " ("
                + admin.transport().displayName() + ")";
    }

    /**
     * Turns readiness off, lets the helper drain for up to {@code SHUTDOWN_TIMEOUT}, then closes
     * everything. Only the first call does the work; later ones return at once.
     */
    public void shutdown(String reason) {
        if (!shutdownStarted.compareAndSet(false, true)) {
            return;
        }
        Duration timeout = config.get(CommonSettings.SHUTDOWN_TIMEOUT);
        LOG.log(Level.INFO, reason + ": not ready any more, draining for up to " + Durations.format(timeout));
        health.markDraining();
        long begin = System.nanoTime();
        try {
            CompletableFuture.anyOf(helper.drain(), forced).get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            if (forced.isDone()) {
                LOG.log(Level.WARNING, "drain cut short by a second signal; closing what is left");
            } else {
                LOG.log(Level.INFO, "drained in " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin) + " ms");
            }
        } catch (TimeoutException e) {
            LOG.log(Level.WARNING, "drain did not finish within SHUTDOWN_TIMEOUT=" + Durations.format(timeout)
                    + "; closing what is left");
        } catch (ExecutionException e) {
            LOG.log(Level.WARNING, "drain failed; closing what is left", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            helper.close();
            admin.close();
            metrics.close();
            LOG.log(Level.INFO, "stopped");
        }
    }

    /** Makes a running {@link #shutdown} stop waiting for the drain (a second SIGTERM or Ctrl-C). */
    public void force() {
        forced.complete(null);
    }
}
