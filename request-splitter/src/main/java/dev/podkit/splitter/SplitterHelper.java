package dev.podkit.splitter;

import dev.podkit.runtime.Helper;
import dev.podkit.runtime.HelperContext;
import dev.podkit.runtime.admin.AdminResponse;
import dev.podkit.runtime.config.Config;
import dev.podkit.runtime.config.ConfigException;
import dev.podkit.runtime.config.FileWatcher;
import dev.podkit.runtime.net.Transport;
import dev.podkit.splitter.config.Settings;
import dev.podkit.splitter.config.SplitterConfig;
import dev.podkit.splitter.metrics.SplitterMetrics;
import dev.podkit.splitter.proxy.SplitterServer;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

/** The splitter's lifecycle: configuration (and its reloads), the HTTP server, the drain. */
final class SplitterHelper implements Helper {
    private static final System.Logger LOG = System.getLogger(SplitterHelper.class.getName());

    private final Config env;
    private final SplitterMetrics metrics = new SplitterMetrics();
    private final SplitterServer server;
    private final SplitterConfig envDefaults;
    private FileWatcher watcher;

    SplitterHelper(HelperContext context) {
        this.env = context.config();
        Transport transport = Transport.select(env.get(Transport.SETTING));
        SplitterConfig initial = Settings.initial(env);
        this.envDefaults = Settings.fromEnvironment(env);
        metrics.bindTo(context.meters());
        int threads = env.get(Settings.WORKER_THREADS);
        this.server = new SplitterServer(transport, threads == 0 ? Runtime.getRuntime().availableProcessors() : threads,
                initial, metrics);
        context.admin().route("/config", request -> AdminResponse.text(200, server.config().summary()));
    }

    @Override
    public void start() throws Exception {
        SplitterConfig config = server.config();
        InetSocketAddress bound;
        try {
            bound = server.start();
        } catch (Exception e) {
            throw new java.net.BindException("cannot listen on " + config.listenAddress() + ":" + config.listenPort()
                    + " (LISTEN_ADDRESS, LISTEN_PORT): " + e.getMessage());
        }
        LOG.log(Level.INFO, "splitting HTTP on " + config.listenAddress() + ":" + bound.getPort() + " ("
                + server.transport().displayName() + "): " + config.summary());
        if (config.variants().isEmpty()) {
            LOG.log(Level.WARNING, "no variants configured (set VARIANTS or CONFIG_FILE): every request is answered 503");
        }
        String file = env.get(Settings.CONFIG_FILE);
        if (!file.isEmpty()) {
            Path path = Path.of(file);
            watcher = new FileWatcher(env.get(Settings.CONFIG_RELOAD_INTERVAL));
            watcher.watch(path, content -> reload(path, content));
        }
    }

    private void reload(Path path, byte[] content) {
        SplitterConfig current = server.config();
        try {
            SplitterConfig next = Settings.fromFile(path, content, envDefaults);
            if (next.listenPort() != current.listenPort() || !next.listenAddress().equals(current.listenAddress())) {
                throw ConfigException.of(Settings.CONFIG_FILE.name(), path + ": listen cannot change while running ("
                        + current.listenAddress() + ":" + current.listenPort() + "); restart to apply");
            }
            server.apply(next);
            metrics.reload(true);
            LOG.log(Level.INFO, "reloaded " + path + ": " + next.summary());
        } catch (ConfigException e) {
            metrics.reload(false);
            LOG.log(Level.ERROR, "rejected the new " + path + ", the previous configuration stays live: " + e.getMessage());
        }
    }

    @Override
    public CompletableFuture<Void> drain() {
        if (watcher != null) {
            watcher.close();
        }
        return server.drain();
    }

    @Override
    public void close() {
        if (watcher != null) {
            watcher.close();
        }
        server.close();
    }
}
