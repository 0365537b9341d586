package dev.podkit.logsidecar.discovery;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Tells the tailer that something changed in the watched directories: inotify through the JDK's
 * WatchService (a thread of its own hands events over, so the tailer also wakes up for other
 * reasons), or nothing but timeouts in poll mode.
 */
public final class ChangeWatcher implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ChangeWatcher.class.getName());

    /** What happened since the last call: files created, deleted or renamed (structural), or only written to. */
    public record Changes(boolean structural, Set<Path> modified, boolean woken) {
        static final Changes NONE = new Changes(false, Set.of(), false);
    }

    private final WatchService service;
    private final Map<Path, WatchKey> keys = new HashMap<>();
    private final Thread pump;
    // Coalesced between the pump and the tailer: bounded by the number of files, however fast they are written.
    private final Object lock = new Object();
    private Set<Path> modified = new HashSet<>();
    private boolean structural;
    private boolean woken;

    public ChangeWatcher(boolean inotify) {
        WatchService ws = null;
        if (inotify) {
            try {
                ws = FileSystems.getDefault().newWatchService();
            } catch (IOException | UnsupportedOperationException e) {
                LOG.log(Level.WARNING, "no inotify (" + e.getMessage() + "): polling only");
            }
        }
        service = ws;
        if (service != null) {
            pump = new Thread(this::pump, "log-watch");
            pump.setDaemon(true);
            pump.start();
        } else {
            pump = null;
        }
    }

    public boolean inotify() {
        return service != null;
    }

    /** Watches exactly these directories (adds new ones, drops the rest). */
    public void watch(Set<Path> dirs) {
        if (service == null) {
            return;
        }
        for (Iterator<Map.Entry<Path, WatchKey>> it = keys.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Path, WatchKey> e = it.next();
            if (!dirs.contains(e.getKey()) || !e.getValue().isValid()) {
                e.getValue().cancel();
                it.remove();
            }
        }
        for (Path dir : dirs) {
            if (!keys.containsKey(dir)) {
                try {
                    keys.put(dir, dir.register(service, StandardWatchEventKinds.ENTRY_CREATE,
                            StandardWatchEventKinds.ENTRY_DELETE, StandardWatchEventKinds.ENTRY_MODIFY));
                } catch (IOException e) {
                    // Gone again or unreadable: the next scan tries again, polling covers the gap.
                } catch (ClosedWatchServiceException e) {
                    return;
                }
            }
        }
    }

    /** Makes a waiting {@link #await} return at once. */
    public void wakeup() {
        synchronized (lock) {
            woken = true;
            lock.notifyAll();
        }
    }

    /** Waits up to {@code timeoutNanos} for changes, then returns everything that has piled up. */
    public Changes await(long timeoutNanos) throws InterruptedException {
        synchronized (lock) {
            long deadline = System.nanoTime() + timeoutNanos;
            while (!structural && !woken && modified.isEmpty()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return Changes.NONE;
                }
                TimeUnit.NANOSECONDS.timedWait(lock, left);
            }
            Changes changes = new Changes(structural, modified, woken);
            structural = false;
            woken = false;
            modified = new HashSet<>();
            return changes;
        }
    }

    private void pump() {
        try {
            while (true) {
                WatchKey key = service.take();
                Path dir = (Path) key.watchable();
                synchronized (lock) {
                    for (WatchEvent<?> event : key.pollEvents()) {
                        if (event.kind() == StandardWatchEventKinds.ENTRY_MODIFY && event.context() instanceof Path name) {
                            modified.add(dir.resolve(name));
                        } else {
                            structural = true; // create, delete, rename or overflow: rescan
                        }
                    }
                    lock.notifyAll();
                }
                key.reset();
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // closing
        }
    }

    @Override
    public void close() {
        if (service != null) {
            try {
                service.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }
}
