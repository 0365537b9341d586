package dev.podkit.logsidecar.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The tailer waits in {@link ChangeWatcher#await}; {@link ChangeWatcher#wakeup} comes from other threads. */
class ChangeWatcherTest {
    /** Longer than any test may take: a wait that ends was ended by what the test did. */
    private static final long FOREVER = TimeUnit.HOURS.toNanos(1);
    /** Only a bound for a hang, not a measure of speed. */
    private static final Duration HANG = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @ParameterizedTest(name = "inotify {0}")
    @ValueSource(booleans = {true, false})
    void aWakeupEndsAWaitThatNothingElseWouldEnd(boolean inotify) {
        try (ChangeWatcher watcher = new ChangeWatcher(inotify)) {
            watcher.watch(Set.of(dir));
            Thread waker = new Thread(() -> {
                try {
                    Thread.sleep(100); // usually after the wait began; before it, the wait must end at once
                } catch (InterruptedException e) {
                    return;
                }
                watcher.wakeup();
            });
            waker.start();
            ChangeWatcher.Changes changes = assertTimeoutPreemptively(HANG, () -> {
                ChangeWatcher.Changes c = watcher.await(FOREVER);
                assertFalse(Thread.currentThread().isInterrupted(), "the wakeup's interrupt does not outlive the wait");
                return c;
            });
            assertTrue(changes.woken());
        }
    }

    @Test
    void aWakeupBeforeTheWaitIsNotLost() throws Exception {
        try (ChangeWatcher watcher = new ChangeWatcher(true)) {
            watcher.watch(Set.of(dir));
            watcher.wakeup();
            ChangeWatcher.Changes changes = assertTimeoutPreemptively(HANG, () -> watcher.await(FOREVER));
            assertTrue(changes.woken());
            assertFalse(watcher.await(0).woken(), "one wakeup, one return");
        }
    }

    @Test
    void fileEventsEndTheWaitAndSayWhatChanged() throws Exception {
        try (ChangeWatcher watcher = new ChangeWatcher(true)) {
            assertTrue(watcher.inotify());
            Path file = Files.writeString(dir.resolve("a.log"), "");
            watcher.watch(Set.of(dir));
            Files.writeString(dir.resolve("b.log"), "");
            ChangeWatcher.Changes created = assertTimeoutPreemptively(HANG, () -> watcher.await(FOREVER));
            assertTrue(created.structural(), "a new file means a scan");
            Files.writeString(file, "line\n", StandardOpenOption.APPEND);
            ChangeWatcher.Changes written = assertTimeoutPreemptively(HANG, () -> {
                ChangeWatcher.Changes c;
                do {
                    c = watcher.await(FOREVER); // the create's own modify events may come first
                } while (!c.modified().contains(file));
                return c;
            });
            assertTrue(written.modified().contains(file));
            assertFalse(written.woken());
        }
    }

    /**
     * Wakeups racing with waits that end for other reasons (timeouts, events): the wakeup's interrupt
     * must never reach the thread outside the wait, where it would close the channel it uses next.
     */
    @Test
    void wakeupsNeverInterruptTheThreadOutsideTheWait() throws Exception {
        Path file = Files.writeString(dir.resolve("a.log"), "x\n");
        try (ChangeWatcher watcher = new ChangeWatcher(true); FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            watcher.watch(Set.of(dir));
            AtomicBoolean done = new AtomicBoolean();
            Thread waker = new Thread(() -> {
                while (!done.get()) {
                    watcher.wakeup();
                    Thread.yield();
                }
            });
            Thread writer = new Thread(() -> {
                while (!done.get()) {
                    try {
                        Files.writeString(file, "y\n", StandardOpenOption.APPEND);
                        Thread.sleep(1);
                    } catch (Exception e) {
                        return;
                    }
                }
            });
            waker.start();
            writer.start();
            ByteBuffer buffer = ByteBuffer.allocate(2);
            try {
                assertTimeoutPreemptively(HANG, () -> {
                    for (int i = 0; i < 20_000; i++) {
                        watcher.await(i % 3 == 0 ? 0 : TimeUnit.MICROSECONDS.toNanos(i % 50));
                        assertFalse(Thread.currentThread().isInterrupted(), "interrupt flag after wait " + i);
                        buffer.clear();
                        channel.read(buffer, 0); // throws ClosedByInterruptException if an interrupt got through
                    }
                });
            } finally {
                done.set(true);
                waker.join();
                writer.join();
            }
            assertTrue(channel.isOpen());
            assertEquals("x\n", new String(buffer.array(), StandardCharsets.US_ASCII));
        }
    }

    @Test
    void anInterruptFromElsewhereStillStopsTheWait() throws Exception {
        try (ChangeWatcher watcher = new ChangeWatcher(true)) {
            watcher.watch(Set.of(dir));
            Thread.currentThread().interrupt();
            assertThrows(InterruptedException.class, () -> watcher.await(FOREVER));
            Thread.interrupted();
        }
    }

    @Test
    void aWatchedDirectoryDeletedAndMadeAgainIsWatchedAgain() throws Exception {
        Path logs = Files.createDirectory(dir.resolve("logs"));
        try (ChangeWatcher watcher = new ChangeWatcher(true)) {
            watcher.watch(Set.of(logs));
            Files.delete(logs);
            assertTrue(assertTimeoutPreemptively(HANG, () -> watcher.await(FOREVER)).structural(), "the directory went: rescan");
            Files.createDirectory(logs);
            watcher.watch(Set.of(logs)); // what the rescan does
            Path file = Files.writeString(logs.resolve("a.log"), "");
            Files.writeString(file, "line\n", StandardOpenOption.APPEND);
            assertTimeoutPreemptively(HANG, () -> {
                ChangeWatcher.Changes c;
                do {
                    c = watcher.await(FOREVER);
                } while (!c.modified().contains(file));
            });
        }
    }

    @Test
    void onlyTheWatchedDirectoriesReportChanges() throws Exception {
        Path a = Files.createDirectory(dir.resolve("a"));
        Path b = Files.createDirectory(dir.resolve("b"));
        Path inA = Files.writeString(a.resolve("x.log"), "");
        Path inB = Files.writeString(b.resolve("x.log"), "");
        try (ChangeWatcher watcher = new ChangeWatcher(true)) {
            watcher.watch(Set.of(a, b));
            watcher.watch(Set.of(b)); // a is dropped
            Files.writeString(inA, "not seen\n", StandardOpenOption.APPEND);
            Files.writeString(inB, "seen\n", StandardOpenOption.APPEND);
            ChangeWatcher.Changes c = assertTimeoutPreemptively(HANG, () -> watcher.await(FOREVER));
            assertEquals(Set.of(inB), c.modified());
            assertFalse(c.structural());
        }
    }

    @ParameterizedTest(name = "inotify {0}")
    @ValueSource(booleans = {true, false})
    void closingEndsAWaitAndLaterWaitsOnlyTimeOut(boolean inotify) throws Exception {
        ChangeWatcher watcher = new ChangeWatcher(inotify);
        watcher.watch(Set.of(dir));
        Thread closer = new Thread(() -> {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                return;
            }
            watcher.close();
        });
        closer.start();
        assertTimeoutPreemptively(HANG, () -> {
            do {
                watcher.await(TimeUnit.SECONDS.toNanos(1));
            } while (closer.isAlive());
            Files.writeString(dir.resolve("a.log"), "after close\n");
            assertEquals(ChangeWatcher.Changes.NONE, watcher.await(TimeUnit.MILLISECONDS.toNanos(50)));
            watcher.wakeup();
            assertTrue(watcher.await(FOREVER).woken(), "a wakeup still ends a wait after close");
        });
        closer.join();
    }
}
