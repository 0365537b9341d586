package dev.podkit.logsidecar.tail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.podkit.logsidecar.LogSidecarSettings.Options;
import dev.podkit.logsidecar.LogSidecarSettings.WatchMode;
import dev.podkit.logsidecar.checkpoint.StateStore;
import dev.podkit.logsidecar.lines.LineSplitter;
import dev.podkit.logsidecar.discovery.ChangeWatcher;
import dev.podkit.logsidecar.metrics.TailMetrics;
import dev.podkit.logsidecar.output.HttpSink;
import dev.podkit.runtime.config.Config;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The tailer in-process, against real files: the behaviours the torture test does not cover. */
class TailerTest {
    @TempDir
    Path dir;

    private final Map<String, String> env = new HashMap<>();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final Out out = new Out();
    /** What the tailer writes to: {@link #out} unless a test gives it a real file. */
    private OutputStream stdout = out;
    private Tailer tailer;
    private ChangeWatcher watcher;
    private HttpSink sink;
    private HttpServer server;
    private Tailer.DirectoryLister lister;
    /** How long a truncated file waits for its copy, when a test sets it. */
    private Duration copyWait;

    /** stdout as the tailer sees it, readable while it writes. */
    private static final class Out extends OutputStream {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        /** Runs before each write: the moment a SIGKILL would leave the checkpoint as it is. */
        volatile Runnable beforeWrite;

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            Runnable hook = beforeWrite;
            if (hook != null) {
                hook.run();
            }
            bytes.write(b, off, len);
        }

        @Override
        public synchronized void write(int b) {
            bytes.write(b);
        }

        synchronized String text() {
            return bytes.toString(StandardCharsets.UTF_8);
        }

        synchronized byte[] raw() {
            return bytes.toByteArray();
        }

        synchronized void reset() {
            bytes.reset();
        }
    }

    private void start() throws Exception {
        env.putIfAbsent("LOG_PATHS", dir.resolve("in") + "/*.log");
        env.putIfAbsent("POLL_INTERVAL", "100ms");
        Options options = Options.from(new Config(env));
        TailMetrics metrics = new TailMetrics();
        metrics.bindTo(registry);
        watcher = new ChangeWatcher(options.watch() == WatchMode.AUTO);
        if (options.sinkUrl().isPresent()) {
            sink = new HttpSink(options.sinkUrl().get(), options.sinkBatchBytes(), options.sinkBufferBytes(),
                    options.sinkTimeout(), options.sinkRetryMax(), options.sinkAuthorization(), watcher::wakeup);
            sink.bindTo(registry);
        }
        StateStore state = options.stateDir().map(StateStore::new).orElse(null);
        tailer = new Tailer(options, watcher, state, metrics, stdout, sink);
        if (lister != null) {
            tailer.lister = lister;
        }
        if (copyWait != null) {
            tailer.copyWaitNanos = copyWait.toNanos();
        }
        tailer.start();
        if (sink != null) {
            sink.start();
        }
    }

    private void stop() throws Exception {
        tailer.stop().get(30, TimeUnit.SECONDS);
    }

    @AfterEach
    void close() throws Exception {
        if (tailer != null) {
            tailer.stop().get(30, TimeUnit.SECONDS);
        }
        if (sink != null) {
            sink.close();
        }
        if (watcher != null) {
            watcher.close();
        }
        if (server != null) {
            server.stop(0);
        }
    }

    private Path in(String name) throws IOException {
        return Files.createDirectories(dir.resolve("in")).resolve(name);
    }

    private static void append(Path file, String text) throws IOException {
        append(file, text.getBytes(StandardCharsets.UTF_8));
    }

    private static void append(Path file, byte[] bytes) throws IOException {
        Files.write(file, bytes, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    private static void await(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(10);
        }
    }

    private void awaitOut(Predicate<String> condition) throws InterruptedException {
        await("output; got: " + out.text(), () -> condition.test(out.text()));
    }

    private double meter(String name, String... tags) {
        var search = registry.find(name);
        if (tags.length > 0) {
            search = search.tags(tags);
        }
        var counter = search.counter();
        if (counter != null) {
            return counter.count();
        }
        return search.gauge().value();
    }

    @Test
    void rawLinesAreByteExactIncludingInvalidUtf8() throws Exception {
        Path a = in("a.log");
        byte[] weird = {'x', (byte) 0xFF, (byte) 0xC3, '\r', 'y', '\n'};
        append(a, weird);
        start();
        append(a, "é漢🙂\n");
        awaitOut(t -> t.contains("🙂"));
        byte[] expected = new byte[weird.length + "é漢🙂\n".getBytes(StandardCharsets.UTF_8).length];
        System.arraycopy(weird, 0, expected, 0, weird.length);
        System.arraycopy("é漢🙂\n".getBytes(StandardCharsets.UTF_8), 0, expected, weird.length, expected.length - weird.length);
        assertEquals(new String(expected, StandardCharsets.ISO_8859_1), new String(out.raw(), StandardCharsets.ISO_8859_1));
        assertEquals(2.0, meter("podkit.logsidecar.lines.read", "file", a.toString()));
    }

    @Test
    void jsonLinesCarryFileOffsetAndPodMetadata() throws Exception {
        env.put("OUTPUT_FORMAT", "json");
        env.put("POD_NAME", "web-0");
        env.put("POD_NAMESPACE", "shop");
        env.put("CONTAINER_NAME", "app");
        Path a = in("a.log");
        append(a, "first\n");
        start();
        append(a, new byte[] {'b', (byte) 0xFF, '"', '\n'});
        awaitOut(t -> t.lines().count() == 2);
        List<String> lines = out.text().lines().toList();
        Pattern json = Pattern.compile("\\{\"time\":\"[0-9T:.\\-]+Z\",\"file\":\"" + Pattern.quote(a.toString())
                + "\",\"offset\":(\\d+),\"pod\":\"web-0\",\"namespace\":\"shop\",\"container\":\"app\",\"message\":\"(.*)\"}");
        var first = json.matcher(lines.get(0));
        var second = json.matcher(lines.get(1));
        assertTrue(first.matches() && second.matches(), lines.toString());
        assertEquals("0", first.group(1));
        assertEquals("first", first.group(2));
        assertEquals("6", second.group(1));
        assertEquals("b\uFFFD\\\"", second.group(2));
    }

    @Test
    void readFromTailSkipsWhatIsThereAtTheFirstStartButNotFilesThatComeLater() throws Exception {
        env.put("READ_FROM", "tail");
        Path a = in("a.log");
        append(a, "old 1\nold 2\nhalf");
        start();
        append(a, " done\nnew\n");
        append(in("b.log"), "late file, from its head\n");
        awaitOut(t -> t.contains("late file") && t.contains("new"));
        assertTrue(!out.text().contains("old"), out.text());
        assertTrue(out.text().contains("half done\nnew\n"), "starts after the last complete line: " + out.text());
    }

    @Test
    void aPartialLineIsEmittedAfterTheTimeoutAndNeverAgain() throws Exception {
        env.put("PARTIAL_LINE_TIMEOUT", "200ms");
        env.put("STATE_DIR", dir.resolve("state").toString());
        Files.createDirectories(dir.resolve("state"));
        Path a = in("a.log");
        start();
        append(a, "no newline yet");
        awaitOut(t -> t.equals("no newline yet\n"));
        append(a, " - the rest\n");
        awaitOut(t -> t.equals("no newline yet\n - the rest\n"));
        assertEquals(1.0, meter("podkit.logsidecar.partial.line.flushes", "file", a.toString()));
        stop();
        tailer = null;
        // After a restart from the checkpoint nothing is emitted again.
        start();
        append(a, "later\n");
        awaitOut(t -> t.endsWith("later\n"));
        assertEquals("no newline yet\n - the rest\nlater\n", out.text());
    }

    @Test
    void aPartialLineIsHeldWithoutATimeout() throws Exception {
        Path a = in("a.log");
        start();
        append(a, "complete\nheld");
        awaitOut(t -> t.equals("complete\n"));
        Thread.sleep(500);
        assertEquals("complete\n", out.text());
        append(a, " now\n");
        awaitOut(t -> t.equals("complete\nheld now\n"));
    }

    @ParameterizedTest
    @EnumSource(names = {"SPLIT", "TRUNCATE"})
    void longLinesAreCutAndCountedAndTheFileGoesOn(dev.podkit.logsidecar.LogSidecarSettings.LongLines mode)
            throws Exception {
        env.put("MAX_LINE_BYTES", "64");
        env.put("LONG_LINES", mode.name().toLowerCase());
        Path a = in("a.log");
        String longLine = "x".repeat(150);
        append(a, longLine + "\nafter\n");
        start();
        awaitOut(t -> t.endsWith("after\n"));
        String expected = mode == dev.podkit.logsidecar.LogSidecarSettings.LongLines.SPLIT
                ? "x".repeat(64) + "\n" + "x".repeat(64) + "\n" + "x".repeat(22) + "\nafter\n"
                : "x".repeat(64) + " [truncated]\nafter\n";
        assertEquals(expected, out.text());
        assertTrue(meter("podkit.logsidecar.long.lines", "file", a.toString()) >= 1.0);
    }

    /**
     * stdout as in the image (a file descriptor, written through its channel from the direct read
     * buffer): byte for byte what the splitter gives line by line from a byte array, across many
     * reads, lines longer than the maximum and lines that arrive in pieces.
     */
    @ParameterizedTest
    @EnumSource(names = {"SPLIT", "TRUNCATE"})
    void rawOutputToAFileDescriptorIsWhatTheLineByLineSplitterGives(dev.podkit.logsidecar.LogSidecarSettings.LongLines mode)
            throws Exception {
        int max = 1000;
        env.put("MAX_LINE_BYTES", Integer.toString(max));
        env.put("LONG_LINES", mode.name().toLowerCase());
        java.util.Random random = new java.util.Random(mode.ordinal());
        java.io.ByteArrayOutputStream text = new java.io.ByteArrayOutputStream();
        for (int i = 0; text.size() < 900_000; i++) {
            int length = random.nextInt(20) == 0 ? max - 2 + random.nextInt(4000) : random.nextInt(300);
            StringBuilder line = new StringBuilder(i + " ");
            while (line.length() < length) {
                line.append(random.nextInt(8) == 0 ? "漢é" : "abcdefgh".substring(random.nextInt(8)));
            }
            text.writeBytes(line.append('\n').toString().getBytes(StandardCharsets.UTF_8));
        }
        text.writeBytes(b("held, no newline"));
        byte[] all = text.toByteArray();
        java.io.ByteArrayOutputStream expected = new java.io.ByteArrayOutputStream();
        LineSplitter reference = new LineSplitter(max, mode == dev.podkit.logsidecar.LogSidecarSettings.LongLines.TRUNCATE);
        reference.feed(all, 0, all.length, 0, new LineSplitter.Sink() {
            @Override
            public void line(byte[] bytes, int offset, int length, long start, long end, int flags) {
                expected.write(bytes, offset, length);
                if ((flags & LineSplitter.TRUNCATED) != 0) {
                    expected.writeBytes(b(" [truncated]"));
                }
                expected.write('\n');
            }

            @Override
            public void skipped(long end) {
            }
        });
        Path file = dir.resolve("stdout");
        try (java.io.FileOutputStream fd = new java.io.FileOutputStream(file.toFile())) {
            stdout = fd;
            Path a = in("a.log");
            append(a, java.util.Arrays.copyOf(all, 300_000));
            start();
            for (int at = 300_000; at < all.length; ) {
                int n = Math.min(all.length - at, 1 + random.nextInt(200_000));
                append(a, java.util.Arrays.copyOfRange(all, at, at + n));
                at += n;
                Thread.sleep(random.nextInt(30));
            }
            await("all lines in " + file, () -> file.toFile().length() >= expected.size());
            stop();
        }
        assertTrue(java.util.Arrays.equals(expected.toByteArray(), Files.readAllBytes(file)), "byte for byte");
        assertTrue(out.raw().length == 0);
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aBinaryFileIsSkippedWhileTheOthersFlow() throws Exception {
        Path bin = in("core.log");
        append(bin, new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0});
        start();
        append(in("a.log"), "text\n");
        awaitOut(t -> t.equals("text\n"));
        assertEquals(1.0, meter("podkit.logsidecar.files.skipped", "reason", "binary"));
    }

    @Test
    void aDirectoryThatDoesNotExistYetIsWaitedFor() throws Exception {
        env.put("LOG_PATHS", dir.resolve("later") + "/*.log");
        start();
        Thread.sleep(300);
        Files.createDirectories(dir.resolve("later"));
        append(dir.resolve("later/a.log"), "finally\n");
        awaitOut(t -> t.equals("finally\n"));
    }

    @Test
    void multilineRecordsAreJoinedInJson() throws Exception {
        env.put("OUTPUT_FORMAT", "json");
        env.put("MULTILINE_START", "^\\d{4}-");
        env.put("MULTILINE_TIMEOUT", "300ms");
        Path a = in("a.log");
        start();
        append(a, "2026-11-22 ERROR boom\n\tat A.b(A.java:1)\n\tat C.d(C.java:2)\n2026-11-22 INFO next\n");
        awaitOut(t -> t.lines().count() == 2);
        List<String> lines = out.text().lines().toList();
        assertTrue(lines.get(0).endsWith("\"message\":\"2026-11-22 ERROR boom\\n\\tat A.b(A.java:1)\\n\\tat C.d(C.java:2)\"}"),
                lines.get(0));
        assertTrue(lines.get(1).endsWith("\"message\":\"2026-11-22 INFO next\"}"), lines.get(1));
    }

    @Test
    void aDeletedFileIsFinishedAndReleased() throws Exception {
        env.put("ROTATE_WAIT", "1s");
        Path a = in("a.log");
        append(a, "one\n");
        start();
        awaitOut(t -> t.equals("one\n"));
        await("the file open", () -> meter("podkit.logsidecar.files.open") == 1.0);
        try (var writer = Files.newOutputStream(a, StandardOpenOption.APPEND)) {
            writer.write("two\n".getBytes(StandardCharsets.UTF_8));
            Files.delete(a);
            awaitOut(t -> t.equals("one\ntwo\n"));
            // The writer still holds the deleted file and appends: read for ROTATE_WAIT after its last growth.
            Thread.sleep(300);
            writer.write("three\n".getBytes(StandardCharsets.UTF_8));
        }
        awaitOut(t -> t.equals("one\ntwo\nthree\n"));
        await("the deleted file let go", () -> meter("podkit.logsidecar.files.open") == 0.0);
        assertEquals(0.0, meter("podkit.logsidecar.files.tracked"), "forgotten once closed");
    }

    @Test
    void pollingAloneFollowsARotation() throws Exception {
        env.put("WATCH", "poll");
        Path a = in("a.log");
        append(a, "one\n");
        start();
        awaitOut(t -> t.equals("one\n"));
        append(a, "two\n");
        Files.move(a, in("a.log.1"));
        append(a, "three\n");
        awaitOut(t -> t.equals("one\ntwo\nthree\n"));
        assertEquals(1.0, meter("podkit.logsidecar.rotations", "file", a.toString()));
    }

    /**
     * The directory listings the tailer gets: while {@code hiding}, each one misses the names {@code hide}
     * picks, given whether it is an odd or an even listing, as listings taken during renames can.
     */
    private final class Listings {
        final java.util.concurrent.atomic.AtomicBoolean hiding = new java.util.concurrent.atomic.AtomicBoolean();
        final AtomicInteger count = new AtomicInteger();
        final AtomicInteger hidden = new AtomicInteger();

        Listings(java.util.function.BiPredicate<String, Boolean> hide) {
            lister = d -> {
                boolean odd = count.incrementAndGet() % 2 == 1;
                return Files.newDirectoryStream(d, p -> {
                    boolean missed = hiding.get() && hide.test(p.getFileName().toString(), odd);
                    if (missed) {
                        hidden.incrementAndGet();
                    }
                    return !missed;
                });
            };
        }

        void awaitMore(String what, int listings) throws InterruptedException {
            int before = count.get();
            await(what, () -> count.get() - before >= listings);
        }
    }

    @Test
    void filesMissingFromListingsThatNeverAgreeAreNotTakenForGone() throws Exception {
        // A listing taken while a chain of renames runs can miss files, each time other ones. Taking such a
        // listing as the truth forgets a rotated generation; the next scan finds it "new" and reads it again.
        env.put("SCAN_INTERVAL", "20ms");
        env.put("ROTATE_WAIT", "50ms");
        Path a = in("a.log");
        append(a, "one\n");
        Listings listings = new Listings((name, odd) -> name.equals(odd ? "a.log.1" : "a.log.2"));
        start();
        awaitOut(t -> t.equals("one\n"));
        Files.move(a, in("a.log.1"));
        append(a, "two\n");
        awaitOut(t -> t.equals("one\ntwo\n"));
        Files.move(in("a.log.1"), in("a.log.2"));
        Files.move(a, in("a.log.1"));
        append(a, "three\n");
        awaitOut(t -> t.equals("one\ntwo\nthree\n"));
        await("the rotated files to be closed", () -> meter("podkit.logsidecar.files.open") == 1.0);
        listings.hiding.set(true);
        listings.awaitMore("scans with disagreeing listings", 30);
        listings.hiding.set(false);
        listings.awaitMore("scans with agreeing listings", 10);
        append(a, "four\n");
        awaitOut(t -> t.endsWith("four\n"));
        assertTrue(listings.hidden.get() >= 20, "listings missed files: " + listings.hidden.get());
        assertEquals("one\ntwo\nthree\nfour\n", out.text());
    }

    @Test
    void newGenerationsSeenWhileListingsDisagreeWaitUntilTheyAgree() throws Exception {
        // While files are being renamed an older generation can be missing from every listing of a scan that
        // shows a newer one; reading the newer one then would put its lines first.
        env.put("SCAN_INTERVAL", "20ms");
        Path a = in("a.log");
        append(a, "one\n");
        Listings listings = new Listings((name, odd) -> name.equals("a.log.2") || (odd && name.equals("a.log.x")));
        start();
        awaitOut(t -> t.equals("one\n"));
        listings.hiding.set(true);
        Files.createFile(in("a.log.x"));
        // Three rotations at once, as a scan sees them: two generations it has not seen and a new a.log.
        long now = System.currentTimeMillis();
        Files.move(a, in("a.log.3"));
        append(in("a.log.2"), "two\n");
        Files.setLastModifiedTime(in("a.log.2"), java.nio.file.attribute.FileTime.fromMillis(now - 3000));
        append(in("a.log.1"), "three\n");
        Files.setLastModifiedTime(in("a.log.1"), java.nio.file.attribute.FileTime.fromMillis(now - 2000));
        append(a, "four\n");
        listings.awaitMore("scans with disagreeing listings", 30);
        listings.hiding.set(false);
        awaitOut(t -> t.contains("two\n") && t.contains("three\n") && t.contains("four\n"));
        assertEquals("one\ntwo\nthree\nfour\n", out.text());
    }

    @Test
    void aDeletedFileIsLetGoOfEvenWhileListingsNeverAgree() throws Exception {
        env.put("SCAN_INTERVAL", "20ms");
        env.put("ROTATE_WAIT", "50ms");
        Path a = in("a.log");
        append(a, "one\n");
        Listings listings = new Listings((name, odd) -> name.equals(odd ? "a.log.1" : "a.log.2"));
        start();
        for (String line : List.of("two", "three", "four")) {
            for (int g = 2; g >= 1; g--) {
                if (Files.exists(in("a.log." + g))) {
                    Files.move(in("a.log." + g), in("a.log." + (g + 1)));
                }
            }
            Files.move(a, in("a.log.1"));
            append(a, line + "\n");
            awaitOut(t -> t.endsWith(line + "\n"));
        }
        await("four files", () -> meter("podkit.logsidecar.files.tracked") == 4.0);
        listings.hiding.set(true); // from now on no two listings agree
        Files.delete(in("a.log.3"));
        await("the deleted file to be let go of", () -> meter("podkit.logsidecar.files.tracked") == 3.0);
        assertEquals("one\ntwo\nthree\nfour\n", out.text());
    }

    @Test
    void aFileCopiedAndTruncatedBeforeItsFirstReadIsSeenToBeRewrittenAndItsCopyComesFirst() throws Exception {
        // log-sidecar has seen a.log but not read it yet (here: an older generation is still being written);
        // meanwhile copytruncate copies it and the writer fills it again. Its first bytes no longer match what
        // was seen, so the copy's content must come out before the new content.
        env.put("SCAN_INTERVAL", "20ms");
        Files.createDirectories(dir.resolve("in"));
        java.util.concurrent.atomic.AtomicBoolean hideCopy = new java.util.concurrent.atomic.AtomicBoolean();
        lister = d -> Files.newDirectoryStream(d, p -> !(hideCopy.get() && p.getFileName().toString().equals("a.log.1")));
        start();
        Path a = in("a.log");
        Path older = in("a.log.9");
        append(older, "nine\n");
        // a.log appears with its line in it (moved in whole): created empty and written after, it could
        // be placed while empty, with no first bytes to compare, and its rewrite would look like growth.
        Path whole = dir.resolve("a.log.new");
        append(whole, "one\n");
        Files.move(whole, a, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        java.util.concurrent.atomic.AtomicBoolean touching = new java.util.concurrent.atomic.AtomicBoolean(true);
        Thread toucher = new Thread(() -> {
            // "Written to just now": the family waits for a.log.9 to settle and reads none of it meanwhile.
            while (touching.get()) {
                try {
                    Files.setLastModifiedTime(older, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis()));
                    Thread.sleep(20);
                } catch (Exception e) {
                    return;
                }
            }
        });
        toucher.start();
        try {
            await("a.log to be placed", () -> meter("podkit.logsidecar.files.tracked") >= 1.0);
            Thread.sleep(100);
            assertEquals("", out.text(), "nothing is read while a generation settles");
            hideCopy.set(true); // the copy shows up only once the rewrite has been seen
            Files.copy(a, in("a.log.1"));
            try (var ch = java.nio.channels.FileChannel.open(a, StandardOpenOption.WRITE)) {
                ch.truncate(0);
            }
            append(a, "two\n");
        } finally {
            touching.set(false);
            toucher.join();
        }
        await("the rewrite of a.log to be seen", () -> meter("podkit.logsidecar.truncations", "file", a.toString()) >= 1.0);
        hideCopy.set(false);
        awaitOut(t -> t.contains("nine\n") && t.contains("one\n") && t.contains("two\n"));
        // a.log.9's place among them follows its (touched) modification time; what matters is one before two.
        assertEquals("one\ntwo\n", out.text().replace("nine\n", ""));
        assertEquals(3, out.text().lines().count(), out.text());
    }

    @Test
    void aSecondCopytruncateBeforeTheNewContentWasReadIsSeenToo() throws Exception {
        // After a truncation log-sidecar waits for the copy before it reads the new content; a second
        // copytruncate in that wait rewrites the file again before any of it was read.
        env.put("SCAN_INTERVAL", "20ms");
        copyWait = Duration.ofSeconds(60); // the copies show up when the test says; a stall must not end the wait
        Set<String> hidden = java.util.concurrent.ConcurrentHashMap.newKeySet();
        lister = d -> Files.newDirectoryStream(d, p -> !hidden.contains(p.getFileName().toString()));
        Path a = in("a.log");
        append(a, "one\n");
        start();
        awaitOut(t -> t.equals("one\n"));
        hidden.addAll(List.of("a.log.1", "a.log.2"));
        // The first copy's original is written over in place (the same length), so that log-sidecar sees its
        // new first bytes whenever it looks; after a truncation to nothing it could look before they came.
        Files.copy(a, in("a.log.1"));
        try (var ch = java.nio.channels.FileChannel.open(a, StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap("two\n".getBytes(StandardCharsets.UTF_8)), 0);
        }
        await("the first truncation to be seen", () -> meter("podkit.logsidecar.truncations", "file", a.toString()) >= 1.0);
        Files.move(in("a.log.1"), in("a.log.2"));
        copyTruncate(a, in("a.log.1"), "three\n");
        hidden.remove("a.log.2"); // the first copy shows up; the second only once a.log's new content was looked at
        await("a.log to be looked at again", () -> out.text().contains("three")
                || meter("podkit.logsidecar.truncations", "file", a.toString()) >= 2.0);
        hidden.clear();
        awaitOut(t -> t.contains("two\n") && t.contains("three\n"));
        assertEquals("one\ntwo\nthree\n", out.text());
    }

    @Test
    void aFileDeletedWhileItWaitsForItsCopyComesAfterTheCopy() throws Exception {
        // a.log was rewritten (copytruncate) and waits for its copy; then it is deleted. Read at once, its new
        // content would come before the rest of the old content, which is in the copy.
        env.put("SCAN_INTERVAL", "20ms");
        copyWait = Duration.ofSeconds(60);
        Set<String> hidden = java.util.concurrent.ConcurrentHashMap.newKeySet();
        AtomicInteger listings = new AtomicInteger();
        lister = d -> {
            listings.incrementAndGet();
            return Files.newDirectoryStream(d, p -> !hidden.contains(p.getFileName().toString()));
        };
        Path a = in("a.log");
        append(a, "one\n");
        start();
        awaitOut(t -> t.equals("one\n"));
        hidden.add("a.log.1");
        Path copy = in("a.log.1");
        Files.copy(a, copy);
        append(copy, "rest\n"); // what the copy holds that log-sidecar has not read yet
        Files.setLastModifiedTime(copy, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 5000));
        try (var ch = java.nio.channels.FileChannel.open(a, StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap("two\n".getBytes(StandardCharsets.UTF_8)), 0);
        }
        await("the rewrite to be seen", () -> meter("podkit.logsidecar.truncations", "file", a.toString()) >= 1.0);
        Files.delete(a);
        int before = listings.get();
        await("scans after the deletion", () -> listings.get() - before >= 8);
        String meanwhile = out.text();
        hidden.clear();
        awaitOut(t -> t.contains("rest\n") && t.contains("two\n"));
        assertEquals(3, out.text().lines().count(), out.text());
        assertEquals("one\n", meanwhile, "nothing of the deleted file before its copy");
        assertEquals("one\nrest\ntwo\n", out.text());
    }

    private static void copyTruncate(Path file, Path copy, String then) throws IOException {
        Files.copy(file, copy);
        try (var ch = java.nio.channels.FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(0);
        }
        append(file, then);
    }

    @Test
    void aThousandFilesAreAllFollowed() throws Exception {
        for (int i = 0; i < 1000; i++) {
            append(in("f" + i + ".log"), "first " + i + "\n");
        }
        start();
        awaitOut(t -> t.lines().count() == 1000);
        for (int i = 0; i < 1000; i++) {
            append(in("f" + i + ".log"), "second " + i + "\n");
        }
        awaitOut(t -> t.lines().count() == 2000);
        List<String> lines = out.text().lines().toList();
        for (int i = 0; i < 1000; i++) {
            assertTrue(lines.indexOf("first " + i) < lines.indexOf("second " + i), "order of f" + i);
        }
        assertEquals(1000.0, meter("podkit.logsidecar.files.open"));
    }

    @Test
    void theSinkGetsEveryLineOnceThroughFailuresAndTheCheckpointWaitsForItsAcknowledgement() throws Exception {
        List<String> received = new ArrayList<>();
        AtomicInteger requests = new AtomicInteger();
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/logs", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            int n = requests.incrementAndGet();
            int status = n % 3 == 1 ? 503 : 200; // every third request fails first
            if (status == 200) {
                synchronized (received) {
                    new String(body, StandardCharsets.UTF_8).lines().forEach(received::add);
                }
            }
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        server.start();
        env.put("OUTPUT_FORMAT", "none");
        env.put("SINK_URL", "http://127.0.0.1:" + server.getAddress().getPort() + "/logs");
        env.put("SINK_BATCH_BYTES", "1024");
        env.put("SINK_BUFFER_BYTES", "4096"); // tiny: reading must pause instead of dropping
        env.put("SINK_FLUSH_INTERVAL", "50ms");
        env.put("STATE_DIR", Files.createDirectories(dir.resolve("state")).toString());
        Path a = in("a.log");
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 500; i++) {
            text.append("line ").append(i).append('\n');
        }
        append(a, text.toString());
        start();
        await("500 lines at the sink", () -> {
            synchronized (received) {
                return received.size() >= 500;
            }
        });
        stop();
        tailer = null;
        synchronized (received) {
            assertEquals(500, received.size(), "each line once");
            for (int i = 0; i < 500; i++) {
                assertTrue(received.get(i).endsWith("\"message\":\"line " + i + "\"}"), received.get(i));
            }
        }
        assertTrue(meter("podkit.logsidecar.sink.retries") >= 1.0, "failed POSTs were retried");
        var state = new StateStore(dir.resolve("state")).load().orElseThrow();
        assertEquals(Files.size(a), state.get(0).offset(), "checkpoint at the end once all was acknowledged");
    }

    @Test
    void withoutAcknowledgementTheCheckpointDoesNotAdvance() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/logs", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(500, -1);
            exchange.close();
        });
        server.start();
        env.put("SINK_URL", "http://127.0.0.1:" + server.getAddress().getPort() + "/logs");
        env.put("SINK_FLUSH_INTERVAL", "50ms");
        env.put("STATE_DIR", Files.createDirectories(dir.resolve("state")).toString());
        append(in("a.log"), "one\ntwo\n");
        start();
        awaitOut(t -> t.equals("one\ntwo\n")); // stdout has them
        await("a failed POST", () -> meter("podkit.logsidecar.sink.errors") >= 2.0);
        var state = new StateStore(dir.resolve("state")).load().orElseThrow();
        assertEquals(0, state.get(0).offset(), "the sink never acknowledged: a restart reads them again");
        tailer.stop(); // the drain waits for the sink; closing cuts it short
        sink.close();
        tailer.awaitStopped(5, TimeUnit.SECONDS);
        tailer = null;
        assertEquals(0, new StateStore(dir.resolve("state")).load().orElseThrow().get(0).offset(),
                "still not advanced after the cut-short drain");
    }

    /** Raw reads are large, but what one write puts out before its checkpoint (what a SIGKILL repeats) stays small. */
    @Test
    void whatASigkillCanRepeatIsAtMostTheOutputBufferAndOneRunOfLines() throws Exception {
        StateStore store = stateStore();
        Path a = in("a.log");
        java.util.Random random = new java.util.Random(5);
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (int i = 0; all.size() < 4_000_000; i++) {
            all.writeBytes(("line " + i + " " + "x".repeat(random.nextInt(200)) + "\n").getBytes(StandardCharsets.UTF_8));
        }
        append(a, all.toByteArray()); // there at the start: read in full buffers
        long bound = 64 * 1024 + 128 * 1024;
        long[] worst = {0};
        out.beforeWrite = () -> {
            try {
                long committed = Files.exists(store.file()) ? store.load().orElseThrow().get(0).offset() : 0;
                worst[0] = Math.max(worst[0], out.raw().length - committed);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
        start();
        await("all of it out", () -> out.raw().length == all.size());
        stop();
        out.beforeWrite = null;
        assertTrue(worst[0] > 0 && worst[0] <= bound, "written but not checkpointed at most " + bound + ", was " + worst[0]);
    }

    @Test
    void everyCheckpointVerifiesAfterARestartAcrossReadsRunsAndPartialLines() throws Exception {
        // A restart checks a state entry against the file (head, and a CRC of the bytes before the offset) and
        // reads the file again from its start if that fails: every checkpoint written must pass, including those
        // taken between a run of whole lines, a line completed by the next read and a flush in the middle of a read.
        env.put("MAX_LINE_BYTES", "1048576"); // as the torture test: every read goes out as runs
        StateStore store = stateStore();
        Path a = in("a.log");
        java.util.Random random = new java.util.Random(42);
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (int i = 0; all.size() < 6_000_000; i++) {
            all.writeBytes(lineOfSomeLength(random, i));
        }
        byte[] content = all.toByteArray();
        int before = 3_000_000; // there at the start: read in full buffers, flushed every 64 KiB of output
        append(a, java.util.Arrays.copyOf(content, before));
        List<String> failures = new ArrayList<>();
        List<byte[]> snapshots = new ArrayList<>();
        checkAtEveryWrite(store, a, failures, snapshots);
        start();
        // The rest in pieces cut anywhere, some of a few bytes: partial lines held across reads and passes,
        // reads that end a held line and then a run within the ring's 64 bytes.
        for (int at = before; at < content.length; ) {
            int n = Math.min(content.length - at, 1 + random.nextInt(random.nextBoolean() ? 300 : 400_000));
            append(a, java.util.Arrays.copyOfRange(content, at, at + n));
            at += n;
            Thread.sleep(random.nextInt(30));
        }
        await("all of it out", () -> out.raw().length == content.length);
        stop();
        tailer = null;
        out.beforeWrite = null;
        failures.addAll(unverifiable(store, a));
        assertEquals(List.of(), failures.subList(0, Math.min(5, failures.size())));
        assertTrue(snapshots.size() > 20, "checkpoints taken: " + snapshots.size());
        // Restarts from some of them continue exactly at the offset: nothing repeated.
        for (int k = 1; k <= 3; k++) {
            byte[] snapshot = snapshots.get(snapshots.size() * k / 4);
            Files.write(store.file(), snapshot);
            long offset = store.load().orElseThrow().get(0).offset();
            out.reset();
            start();
            await("the rest out", () -> out.raw().length >= content.length - offset);
            stop();
            tailer = null;
            assertEquals(content.length - offset, out.raw().length, "restart from offset " + offset);
        }
    }

    @Test
    void aCheckpointAfterAHeldLineEndedByTheNextReadVerifiesAndARestartRepeatsNothing() throws Exception {
        // One append per read (each awaited): a held line ended by the next read (the slow path), then a run of
        // whole lines straight from the read buffer, the two within the ring's 64 bytes or not, and a line longer
        // than a read whose output flushes in the middle of the read that ends it.
        env.put("MAX_LINE_BYTES", "1048576");
        StateStore store = stateStore();
        Path a = in("a.log");
        List<String> appends = new ArrayList<>(List.of("a 1\nheld", " 2\nb 3\nc", " 4\n", "d 5\ne",
                " 6 " + "y".repeat(100) + "\nf 7\ng", " 8\n" + "h 9 " + "z".repeat(80) + "\ni", " 10\nj 11\n",
                "k " + "w".repeat(300_000) + "\nl 12\nm", " 13\nn 14\n"));
        StringBuilder many = new StringBuilder();
        for (int i = 0; many.length() < 200_000; i++) {
            many.append("many ").append(i).append('\n');
        }
        appends.add(many + "o");
        appends.add(" 15\np 16\n");
        List<String> failures = new ArrayList<>();
        List<byte[]> snapshots = new ArrayList<>();
        checkAtEveryWrite(store, a, failures, snapshots);
        append(a, "");
        start();
        StringBuilder written = new StringBuilder();
        for (String piece : appends) {
            append(a, piece);
            written.append(piece);
            String whole = written.substring(0, written.lastIndexOf("\n") + 1);
            await("output up to the last newline", () -> out.text().length() == whole.length());
        }
        stop();
        tailer = null;
        out.beforeWrite = null;
        failures.addAll(unverifiable(store, a));
        snapshots.add(Files.readAllBytes(store.file()));
        assertEquals(List.of(), failures);
        byte[] content = Files.readAllBytes(a);
        for (byte[] snapshot : snapshots) {
            Files.write(store.file(), snapshot);
            long offset = store.load().orElseThrow().get(0).offset();
            out.reset();
            start();
            append(a, "after\n");
            await("the rest out", () -> out.text().endsWith("after\n"));
            stop();
            tailer = null;
            assertEquals(new String(content, (int) offset, content.length - (int) offset, StandardCharsets.UTF_8)
                    + "after\n", out.text(), "restart from offset " + offset);
            content = Files.readAllBytes(a);
        }
    }

    @Test
    void aNewFileOnTheInodeOfACheckpointedOneIsReadFromItsStartAndTheOldOneStaysAFormer() throws Exception {
        // A file deleted while log-sidecar was down, its inode given to a new file (ext4 reuses a freed inode at
        // once): the state file then holds a former entry on the new file's inode, with the old file's offset.
        Path stateDir = Files.createDirectories(dir.resolve("state"));
        env.put("STATE_DIR", stateDir.toString());
        Path b = in("b.log");
        append(b, "new 1\nnew 2\n");
        FileKey inode = FileStat.of(b).key();
        Path deleted = in("deleted.log");
        StateStore store = new StateStore(stateDir);
        store.save(List.of(new StateStore.Entry(inode, 50_000, 1024, 12345, 64, 678, deleted, deleted, false)), true);
        start();
        awaitOut(t -> t.equals("new 1\nnew 2\n"));
        stop();
        tailer = null;
        List<StateStore.Entry> state = store.load().orElseThrow();
        long size = Files.size(b);
        assertTrue(state.stream().anyMatch(e -> e.key().equals(inode) && e.former() && e.offset() == 50_000), state::toString);
        assertTrue(state.stream().anyMatch(e -> e.key().equals(inode) && !e.former() && e.offset() == size),
                state::toString);
    }

    /** Lines as the torture test writes them: mostly short, some longer than a read, multibyte characters. */
    /** A STATE_DIR for the sidecar, and a store to read its checkpoints. */
    private StateStore stateStore() throws IOException {
        Path stateDir = Files.createDirectories(dir.resolve("state"));
        env.put("STATE_DIR", stateDir.toString());
        return new StateStore(stateDir);
    }

    private static byte[] lineOfSomeLength(java.util.Random random, int seq) {
        int length = random.nextInt(60) == 0 ? 50_000 + random.nextInt(100_000) : random.nextInt(200);
        String[] pieces = {"a", "z", " ", "é", "漢", "🙂"};
        StringBuilder text = new StringBuilder().append(seq).append(' ');
        while (text.length() < length) {
            text.append(pieces[random.nextInt(pieces.length)]);
        }
        return text.append('\n').toString().getBytes(StandardCharsets.UTF_8);
    }

    /** At every write to stdout (where a SIGKILL leaves the checkpoint as it is): keeps it and checks it. */
    private void checkAtEveryWrite(StateStore store, Path file, List<String> failures, List<byte[]> snapshots) {
        out.beforeWrite = () -> {
            try {
                if (Files.exists(store.file())) {
                    snapshots.add(Files.readAllBytes(store.file()));
                    failures.addAll(unverifiable(store, file));
                }
            } catch (IOException e) {
                failures.add(e.toString());
            }
        };
    }

    /** The state entries for {@code file} that a restart would not accept as its content. */
    private static List<String> unverifiable(StateStore store, Path file) throws IOException {
        List<String> bad = new ArrayList<>();
        try (var ch = java.nio.channels.FileChannel.open(file, StandardOpenOption.READ)) {
            for (StateStore.Entry e : store.load().orElse(List.of())) {
                if (e.former()) {
                    continue;
                }
                if (e.headLength() > 0 && Fingerprints.crc(ch, 0, e.headLength()) != e.headCrc()) {
                    bad.add("head at " + e);
                }
                if (e.tailLength() > e.offset()) {
                    bad.add("tail longer than the bytes before " + e);
                } else if (e.tailLength() > 0
                        && Fingerprints.crc(ch, e.offset() - e.tailLength(), e.tailLength()) != e.tailCrc()) {
                    bad.add("tail at " + e);
                }
            }
        }
        return bad;
    }
}
