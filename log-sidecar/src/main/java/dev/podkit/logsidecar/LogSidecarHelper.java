package dev.podkit.logsidecar;

import dev.podkit.logsidecar.LogSidecarSettings.Options;
import dev.podkit.logsidecar.LogSidecarSettings.WatchMode;
import dev.podkit.logsidecar.checkpoint.StateStore;
import dev.podkit.logsidecar.discovery.ChangeWatcher;
import dev.podkit.logsidecar.metrics.TailMetrics;
import dev.podkit.logsidecar.output.HttpSink;
import dev.podkit.logsidecar.tail.Tailer;
import dev.podkit.runtime.Helper;
import dev.podkit.runtime.HelperContext;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** log-sidecar's job: the tailer, its outputs and its checkpoint, wired from the settings. */
final class LogSidecarHelper implements Helper {
    private static final System.Logger LOG = System.getLogger(LogSidecarHelper.class.getName());

    private final ChangeWatcher watcher;
    private final HttpSink sink;
    private final Tailer tailer;

    LogSidecarHelper(HelperContext context) {
        this(context, new FileOutputStream(FileDescriptor.out));
    }

    /** {@code stdout}: where the lines go (the process's stdout in the image). */
    LogSidecarHelper(HelperContext context, OutputStream stdout) {
        Options options = Options.from(context.config());
        TailMetrics metrics = new TailMetrics();
        metrics.bindTo(context.meters());
        StateStore state = stateStore(options);
        watcher = new ChangeWatcher(options.watch() == WatchMode.AUTO);
        sink = options.sinkUrl().map(url -> new HttpSink(url, options.sinkBatchBytes(), options.sinkBufferBytes(),
                options.sinkTimeout(), options.sinkRetryMax(), options.sinkAuthorization(), watcher::wakeup)).orElse(null);
        if (sink != null) {
            sink.bindTo(context.meters());
        }
        tailer = new Tailer(options, watcher, state, metrics, stdout, sink);
        context.health().addLivenessCheck("tailer", () -> tailer.thread() != null && !tailer.thread().isAlive()
                && !tailer.stopping() ? Optional.of("the tailing thread stopped (see the error above)") : Optional.empty());
    }

    /** The checkpoint store, or null (with one warning line) when there is nowhere to keep it. */
    private static StateStore stateStore(Options options) {
        if (options.stateDir().isEmpty()) {
            LOG.log(Level.WARNING, "STATE_DIR is unset: running without checkpoints; after a restart files are read "
                    + "again from READ_FROM=" + options.readFrom().name().toLowerCase() + " (repeated or skipped lines). "
                    + "Mount a volume and set STATE_DIR to keep offsets.");
            return null;
        }
        Path dir = options.stateDir().get();
        StateStore store = new StateStore(dir);
        try {
            Files.createDirectories(dir);
            store.checkWritable();
            return store;
        } catch (IOException | SecurityException e) {
            LOG.log(Level.WARNING, "STATE_DIR " + dir + " is not writable (" + e + "): running without checkpoints; "
                    + "after a restart files are read again from READ_FROM=" + options.readFrom().name().toLowerCase()
                    + ". Give the volume to uid 65532 (securityContext.fsGroup: 65532).");
            return null;
        }
    }

    @Override
    public void start() throws Exception {
        tailer.start();
        if (sink != null) {
            sink.start();
        }
    }

    @Override
    public CompletableFuture<Void> drain() {
        return tailer.stop();
    }

    @Override
    public void close() {
        tailer.stop();
        if (sink != null) {
            sink.close(); // a drain that timed out leaves unacknowledged lines: they are read again after a restart
        }
        try {
            tailer.awaitStopped(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        watcher.close();
    }
}
