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
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Tells the tailer that something changed in the watched directories: inotify through the JDK's
 * WatchService, or nothing but timeouts in poll mode. The tailer thread waits on the WatchService
 * itself, so an event reaches it through one hand-over (the JDK's watch thread), not two. Another
 * thread wakes it ({@link #wakeup}) with an interrupt that only ever lands while it waits there.
 */
public final class ChangeWatcher implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ChangeWatcher.class.getName());

    /** What happened since the last call: files created, deleted or renamed (structural), or only written to. */
    public record Changes(boolean structural, Set<Path> modified, boolean woken) {
        static final Changes NONE = new Changes(false, Set.of(), false);
    }

    private final WatchService service;
    private final Map<Path, WatchKey> keys = new HashMap<>();
    /** Poll mode: {@link #await} waits on it. */
    private final Object lock = new Object();
    private volatile boolean wakeRequested;

    // Where the waiting thread is, so that an interrupt reaches it only inside WatchService.poll: an
    // interrupt anywhere else would close the FileChannel it uses (stdout's, the files').
    private static final int RUNNING = 0;
    private static final int WAITING = 1;
    private static final int INTERRUPTING = 2;
    private static final int INTERRUPTED = 3;
    private final AtomicInteger state = new AtomicInteger(RUNNING);
    private volatile Thread waiter;

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

    /** Makes a waiting {@link #await} return at once (or the next one, if none waits now). */
    public void wakeup() {
        wakeRequested = true;
        synchronized (lock) {
            lock.notifyAll();
        }
        if (state.compareAndSet(WAITING, INTERRUPTING)) {
            waiter.interrupt();
            state.set(INTERRUPTED);
        }
    }

    /**
     * Waits up to {@code timeoutNanos} for changes, then returns everything that has piled up. One
     * thread only (the tailer's).
     */
    public Changes await(long timeoutNanos) throws InterruptedException {
        if (service == null) {
            return awaitWakeup(timeoutNanos);
        }
        WatchKey key;
        try {
            key = timeoutNanos <= 0 || wakeRequested ? service.poll() : waitForKey(timeoutNanos);
        } catch (ClosedWatchServiceException e) {
            return awaitWakeup(timeoutNanos); // closed: no events any more, only timeouts
        }
        boolean woken = wakeRequested;
        wakeRequested = false; // before the pass that follows, so a later wakeup is not lost
        if (key == null && !woken) {
            return Changes.NONE;
        }
        Set<Path> modified = new HashSet<>();
        boolean structural = false;
        try {
            for (; key != null; key = service.poll()) {
                // Events that came meanwhile are taken too: the pass reads every file they name.
                Path dir = (Path) key.watchable();
                for (WatchEvent<?> event : key.pollEvents()) {
                    if (event.kind() == StandardWatchEventKinds.ENTRY_MODIFY && event.context() instanceof Path name) {
                        modified.add(dir.resolve(name));
                    } else {
                        structural = true; // create, delete, rename or overflow: rescan
                    }
                }
                if (!key.reset()) {
                    structural = true; // the directory is gone: the scan finds out what is left
                }
            }
        } catch (ClosedWatchServiceException e) {
            // closing
        }
        return new Changes(structural, modified, woken);
    }

    /** Poll mode: nothing but timeouts and wakeups. */
    private Changes awaitWakeup(long timeoutNanos) throws InterruptedException {
        synchronized (lock) {
            long deadline = System.nanoTime() + timeoutNanos;
            while (!wakeRequested) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return Changes.NONE;
                }
                TimeUnit.NANOSECONDS.timedWait(lock, left);
            }
        }
        wakeRequested = false;
        return new Changes(false, Set.of(), true);
    }

    private WatchKey waitForKey(long timeoutNanos) throws InterruptedException {
        Thread me = Thread.currentThread();
        waiter = me;
        state.set(WAITING);
        WatchKey key = null;
        boolean interrupted = false;
        try {
            if (!wakeRequested) { // read after WAITING is set: a wakeup either sees WAITING or is seen here
                key = service.poll(timeoutNanos, TimeUnit.NANOSECONDS);
            }
        } catch (InterruptedException e) {
            interrupted = true;
        } finally {
            if (!state.compareAndSet(WAITING, RUNNING)) {
                // A wakeup is interrupting this thread: let its interrupt land, then clear it.
                while (state.get() != INTERRUPTED) {
                    Thread.yield();
                }
                Thread.interrupted();
                state.set(RUNNING);
                interrupted = false;
            }
        }
        if (interrupted) {
            throw new InterruptedException(); // not a wakeup's: someone wants the thread to stop
        }
        return key;
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
