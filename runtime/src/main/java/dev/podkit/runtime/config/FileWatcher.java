package dev.podkit.runtime.config;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Notices when the content of files changes (a config file to reload, a certificate to swap) by
 * reading them every {@code interval} and comparing digests. Polling, not inotify, on purpose:
 * Kubernetes updates a mounted ConfigMap or Secret by re-pointing a {@code ..data} symlink, which
 * file-level watches miss, and polling a few small files costs next to nothing.
 */
public final class FileWatcher implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(FileWatcher.class.getName());

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "podkit-file-watcher");
        t.setDaemon(true);
        return t;
    });
    private final Map<Path, Watched> watched = new ConcurrentHashMap<>();

    private static final class Watched {
        final Consumer<byte[]> onChange;
        volatile byte[] digest;
        volatile boolean unreadableReported;

        Watched(Consumer<byte[]> onChange, byte[] digest) {
            this.onChange = onChange;
            this.digest = digest;
        }
    }

    public FileWatcher(Duration interval) {
        long millis = Math.max(1, interval.toMillis());
        timer.scheduleWithFixedDelay(this::poll, millis, millis, TimeUnit.MILLISECONDS);
    }

    /**
     * Calls {@code onChange} with the new content (on the watcher's thread) whenever the content of
     * {@code file} differs from what it was at the last look, starting from its content now.
     */
    public void watch(Path file, Consumer<byte[]> onChange) {
        watched.put(file, new Watched(onChange, digestOf(read(file))));
    }

    public void unwatch(Path file) {
        watched.remove(file);
    }

    private void poll() {
        watched.forEach((file, w) -> {
            byte[] content = read(file);
            if (content == null) {
                // Mid-swap or removed: report once, keep the last good content in use.
                if (!w.unreadableReported) {
                    w.unreadableReported = true;
                    LOG.log(Level.WARNING, "cannot read " + file + " any more; keeping what was last read from it");
                }
                return;
            }
            w.unreadableReported = false;
            byte[] digest = digestOf(content);
            if (!Arrays.equals(digest, w.digest)) {
                w.digest = digest;
                try {
                    w.onChange.accept(content);
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "handling the change of " + file + " failed", e);
                }
            }
        });
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            return null;
        }
    }

    private static byte[] digestOf(byte[] content) {
        if (content == null) {
            return null;
        }
        try {
            return MessageDigest.getInstance("SHA-256").digest(content);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
