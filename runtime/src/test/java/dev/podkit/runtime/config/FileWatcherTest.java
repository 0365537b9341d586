package dev.podkit.runtime.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileWatcherTest {

    private static String next(BlockingQueue<byte[]> changes) throws InterruptedException {
        byte[] content = changes.poll(10, TimeUnit.SECONDS);
        return content == null ? null : new String(content, StandardCharsets.UTF_8);
    }

    @Test
    void reportsContentChangesOnlyOnce(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("config.yaml"), "a: 1\n");
        BlockingQueue<byte[]> changes = new LinkedBlockingQueue<>();
        try (FileWatcher watcher = new FileWatcher(Duration.ofMillis(20))) {
            watcher.watch(file, changes::add);
            Thread.sleep(100);
            assertNull(changes.poll(), "no change yet");
            Files.writeString(file, "a: 2\n");
            assertEquals("a: 2\n", next(changes));
            Files.writeString(file, "a: 2\n"); // rewritten, same content
            Thread.sleep(100);
            assertNull(changes.poll(), "same content is no change");
        }
    }

    /** Kubernetes swaps a mounted ConfigMap by re-pointing the ..data symlink. */
    @Test
    void followsAConfigMapStyleSymlinkSwap(@TempDir Path dir) throws Exception {
        Path v1 = Files.createDirectory(dir.resolve("..2026_11_22_v1"));
        Files.writeString(v1.resolve("config.yaml"), "version: 1\n");
        Path v2 = Files.createDirectory(dir.resolve("..2026_11_22_v2"));
        Files.writeString(v2.resolve("config.yaml"), "version: 2\n");
        Path data = Files.createSymbolicLink(dir.resolve("..data"), v1.getFileName());
        Path file = Files.createSymbolicLink(dir.resolve("config.yaml"), Path.of("..data", "config.yaml"));

        BlockingQueue<byte[]> changes = new LinkedBlockingQueue<>();
        try (FileWatcher watcher = new FileWatcher(Duration.ofMillis(20))) {
            watcher.watch(file, changes::add);
            Path tmp = Files.createSymbolicLink(dir.resolve("..data_tmp"), v2.getFileName());
            Files.move(tmp, data, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            assertEquals("version: 2\n", next(changes));
        }
    }

    @Test
    void aVanishedFileKeepsTheLastContentAndComesBack(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("cert.pem"), "one");
        BlockingQueue<byte[]> changes = new LinkedBlockingQueue<>();
        try (FileWatcher watcher = new FileWatcher(Duration.ofMillis(20))) {
            watcher.watch(file, changes::add);
            Files.delete(file);
            Thread.sleep(100);
            assertNull(changes.poll(), "a missing file is not a change");
            Files.writeString(file, "two");
            assertEquals("two", next(changes));
        }
    }
}
