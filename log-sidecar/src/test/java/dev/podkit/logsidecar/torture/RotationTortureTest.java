package dev.podkit.logsidecar.torture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podkit.logsidecar.checkpoint.StateStore;
import dev.podkit.logsidecar.tail.FileKey;
import dev.podkit.logsidecar.tail.Fingerprints;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rotation torture test: a writer appends numbered lines (random lengths, multibyte UTF-8,
 * some of 50-150 KiB, some written in two parts) to five files while rotating them in every style
 * (rename-and-create, several renames in quick succession, copytruncate, delete-and-recreate, a
 * symlink re-pointed to a new target), adds files late, and SIGKILLs the sidecar (a real child
 * process) in the middle of bursts, rotating while it is down, then restarts it. The checker proves
 * that no line is lost or corrupted, that every file's lines come in order, and that a line is
 * repeated only if it had been written to stdout but not yet checkpointed when SIGKILL struck
 * (the one window no process can close: see README, "Restarts").
 *
 * <p>Size: {@code -Dpodkit.torture.rounds=N} (default 8, about 40 s); {@code -Dpodkit.torture.seed=S} repeats a run.
 */
class RotationTortureTest {
    private static final int ROUNDS = Integer.getInteger("podkit.torture.rounds", 8);
    private static final long SEED = Long.getLong("podkit.torture.seed", System.nanoTime());
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @TempDir
    Path tmp;

    private Path in;
    private Path gen;
    private Path stateDir;
    private final Random random = new Random(SEED);
    private final Map<String, Stream> streams = new HashMap<>();
    private final List<Run> runs = new ArrayList<>();
    private Process sidecar;
    private int port;

    /** One written line: where its bytes ended in which file(s). */
    record Location(FileKey key, long end) {
    }

    /** One logical log file and how it is rotated. */
    private final class Stream {
        final String name;
        final String style;
        Path live;
        Path target; // what the writer appends to (the symlink's target for "link")
        int generation;
        int next; // next sequence number
        String pendingPart; // second half of a line whose first half is written
        final Map<FileKey, Long> sizes = new HashMap<>();
        final List<List<Location>> locations = new ArrayList<>();
        /** copytruncate: the copy's identity, the file it was copied from and its first bytes. */
        final Map<FileKey, Copy> copiedFrom = new HashMap<>();

        Stream(String name, String style) throws IOException {
            this.name = name;
            this.style = style;
            this.live = in.resolve(name + ".log");
            if (style.equals("link")) {
                target = gen.resolve(name + "-0.log");
                Files.createFile(target);
                Files.createSymbolicLink(live, target);
            } else {
                target = live;
            }
        }

        void write(byte[] bytes, boolean endsLine) throws IOException {
            Files.write(target, bytes, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            FileKey key = key(target);
            long end = sizes.merge(key, (long) bytes.length, Long::sum);
            if (endsLine) {
                locations.add(new ArrayList<>(List.of(new Location(key, end))));
            }
        }

        void writeLine() throws IOException {
            if (pendingPart != null) {
                finishPartial();
            }
            write(line(name, next++), true);
        }

        /** Writes the first part of a line; its newline comes with {@link #finishPartial}. */
        void startPartial() throws IOException {
            if (pendingPart != null) {
                return;
            }
            byte[] whole = line(name, next++);
            int cut = 1 + random.nextInt(whole.length - 1);
            write(java.util.Arrays.copyOf(whole, cut), false);
            pendingPart = new String(whole, StandardCharsets.ISO_8859_1).substring(cut);
        }

        void finishPartial() throws IOException {
            byte[] rest = pendingPart.getBytes(StandardCharsets.ISO_8859_1);
            pendingPart = null;
            write(rest, true);
        }

        int generationCount() {
            int n = 0;
            while (Files.exists(in.resolve(name + ".log." + (n + 1)))) {
                n++;
            }
            return n;
        }

        boolean rotate(boolean sidecarUp) throws Exception {
            if (pendingPart != null) {
                finishPartial();
            }
            switch (style) {
                case "rename" -> {
                    // Every generation is kept: deleting one the sidecar has not read would lose lines for anyone.
                    for (int i = generationCount(); i >= 1; i--) {
                        Path from = in.resolve(name + ".log." + i);
                        if (Files.exists(from)) {
                            Files.move(from, in.resolve(name + ".log." + (i + 1)),
                                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                        }
                    }
                    if (Files.exists(live)) {
                        Files.move(live, in.resolve(name + ".log.1"));
                    }
                }
                case "copy" -> {
                    if (!Files.exists(live)) {
                        return false;
                    }
                    Path first = in.resolve(name + ".log.1");
                    for (int i = generationCount(); i >= 1; i--) {
                        Files.move(in.resolve(name + ".log." + i), in.resolve(name + ".log." + (i + 1)));
                    }
                    FileKey original = key(live);
                    Files.copy(live, first);
                    FileKey copy = key(first);
                    byte[] head;
                    try (var ch = java.nio.channels.FileChannel.open(first)) {
                        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate((int) Math.min(ch.size(), Fingerprints.HEAD_BYTES));
                        while (b.hasRemaining() && ch.read(b) > 0) {
                            // fill
                        }
                        head = java.util.Arrays.copyOf(b.array(), b.position());
                    }
                    copiedFrom.put(copy, new Copy(original, head));
                    long copied = Files.size(first);
                    // After the truncation these lines exist only in the copy, at the same offsets.
                    for (List<Location> l : locations) {
                        Location at = l.get(0);
                        if (at.key.equals(original) && at.end <= copied) {
                            l.set(0, new Location(copy, at.end));
                        }
                    }
                    try (var ch = java.nio.channels.FileChannel.open(live, java.nio.file.StandardOpenOption.WRITE)) {
                        ch.truncate(0);
                    }
                    sizes.put(original, 0L);
                }
                case "recreate" -> {
                    // Deleting unread lines destroys them for every reader: only delete what was shipped.
                    if (!sidecarUp || !caughtUp(this, Duration.ofSeconds(10))) {
                        return false;
                    }
                    FileKey deleted = key(live);
                    Files.delete(live);
                    // Its inode may be reused by any new file: these lines are nowhere to be re-read from now.
                    for (List<Location> l : locations) {
                        if (l.get(0).key != null && l.get(0).key.equals(deleted)) {
                            l.set(0, new Location(null, l.get(0).end));
                        }
                    }
                }
                case "link" -> {
                    generation++;
                    target = gen.resolve(name + "-" + generation + ".log");
                    Files.createFile(target);
                    Path temp = in.resolve("." + name + ".tmp");
                    Files.deleteIfExists(temp);
                    Files.createSymbolicLink(temp, target);
                    Files.move(temp, live, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
                default -> throw new IllegalStateException(style);
            }
            return true;
        }
    }

    /** One run of the sidecar: its stdout, how it ended, and the checkpoint it left. */
    private record Run(Path stdout, Path stderr, boolean killed, List<StateStore.Entry> stateAfter) {
    }

    @Test
    void noLineIsLostCorruptedReorderedOrRepeatedBeyondTheSigkillWindow() throws Exception {
        System.out.printf("torture: seed %d (-Dpodkit.torture.seed=%d repeats it), %d rounds%n", SEED, SEED, ROUNDS);
        long begin = System.nanoTime();
        in = Files.createDirectories(tmp.resolve("in"));
        gen = Files.createDirectories(tmp.resolve("gen"));
        stateDir = Files.createDirectories(tmp.resolve("state"));
        for (String[] s : new String[][] {{"rename", "rename"}, {"copy", "copy"}, {"recreate", "recreate"},
                {"link", "link"}}) {
            streams.put(s[0], new Stream(s[0], s[1]));
        }
        // Lines written before the very first start (READ_FROM=head reads them).
        for (Stream s : streams.values()) {
            for (int i = 0; i < 20; i++) {
                s.writeLine();
            }
        }
        startSidecar();
        int kills = 0;
        int rotations = 0;
        for (int round = 0; round < ROUNDS; round++) {
            if (round == 2 || round == ROUNDS - 2) {
                streams.put("late" + round, new Stream("late" + round, "rename"));
            }
            boolean kill = round % 3 == 1 || round == ROUNDS - 3;
            Thread killer = null;
            if (kill) {
                int delay = 20 + random.nextInt(250);
                killer = new Thread(() -> {
                    sleep(delay);
                    killSidecar();
                });
                killer.start();
            }
            burst(150 + random.nextInt(150));
            if (killer != null) {
                killer.join();
                kills++;
            }
            boolean up = sidecar != null;
            // Rotations, some of them while the sidecar is down.
            for (Stream s : new ArrayList<>(streams.values())) {
                if (random.nextInt(3) > 0 && s.rotate(up)) {
                    rotations++;
                    for (int i = 0; i < 1 + random.nextInt(10); i++) {
                        s.writeLine();
                    }
                }
            }
            if (random.nextBoolean()) {
                // Several rotations between two looks.
                Stream s = streams.get("rename");
                for (int r = 0; r < 3; r++) {
                    s.writeLine();
                    s.rotate(up);
                    rotations++;
                }
                s.writeLine();
            }
            // A partial line: the sidecar must hold it until its newline comes.
            Stream partial = streams.get(random.nextBoolean() ? "rename" : "copy");
            partial.startPartial();
            sleep(150);
            if (!up) {
                startSidecar();
                sleep(100);
            }
            partial.finishPartial();
            if (round == ROUNDS / 2) {
                stopSidecar(); // a graceful restart in between: no repeats allowed there
                startSidecar();
            }
        }
        for (Stream s : streams.values()) {
            s.writeLine();
            assertTrue(caughtUp(s, Duration.ofSeconds(60)), () -> s.name + " not caught up; stderr: " + stderr());
        }
        stopSidecar();
        long millis = (System.nanoTime() - begin) / 1_000_000;
        Result r = check();
        System.out.printf("torture: %d lines in %d files, %d rotations, %d SIGKILLs, %d runs, %d ms: lost %d, corrupted %d,"
                        + " out of order %d, repeated beyond the SIGKILL window %d, repeated within it %d%n",
                r.lines, streams.size(), rotations, kills, runs.size(), millis, r.lost, r.corrupted, r.outOfOrder,
                r.badRepeats, r.windowRepeats);
        if (!r.problems.isEmpty()) {
            System.out.println("torture: the sidecar's stderr of each run:\n" + stderr());
            String keep = System.getProperty("podkit.torture.keep");
            if (keep != null) {
                for (Run run : runs) {
                    Files.copy(run.stdout, Path.of(keep).resolve(run.stdout.getFileName()));
                    Files.copy(run.stderr, Path.of(keep).resolve(run.stderr.getFileName()));
                }
            }
        }
        assertEquals(List.of(), r.problems.subList(0, Math.min(20, r.problems.size())), "seed " + SEED);
        assertEquals(0, r.lost + r.corrupted + r.outOfOrder + r.badRepeats, "seed " + SEED);
        assertTrue(kills >= 2 && rotations >= ROUNDS, "the run exercised kills and rotations");
    }

    @Test
    void theCheckerCountsAFormerEntryOnlyForACopyOfItsFile() {
        // The state a SIGKILL left: a file deleted while the sidecar was down (kept as former 1:7 for a copy that
        // may turn up), a new file that got its inode, and copytruncate's original 1:8 whose copy 1:9 is not placed.
        FileKey reused = new FileKey(1, 7);
        FileKey original = new FileKey(1, 8);
        FileKey copy = new FileKey(1, 9);
        FileKey laterCopy = new FileKey(1, 10);
        Path p = Path.of("x.log");
        byte[] head = "x 1 the original's first content\n".repeat(40).getBytes(StandardCharsets.UTF_8);
        byte[] laterHead = "x 900 its content after the truncation\n".repeat(40).getBytes(StandardCharsets.UTF_8);
        long headCrc = Fingerprints.crc(head, 0, 1024);
        List<StateStore.Entry> state = List.of(new StateStore.Entry(reused, 50_000, 1024, 1, 64, 2, p, p, true),
                new StateStore.Entry(reused, 100, 1024, 3, 64, 4, p, p, false),
                new StateStore.Entry(original, 9_000, 1024, headCrc, 64, 6, p, p, true));
        Map<FileKey, Copy> copiedFrom = Map.of(copy, new Copy(original, head), laterCopy, new Copy(original, laterHead));
        assertEquals(null, committed("x", List.of(new Location(reused, 200)), copiedFrom, state),
                "the new file is read on from its own entry's 100, not the deleted file's 50000");
        assertEquals(state.get(1), committed("x", List.of(new Location(reused, 100)), copiedFrom, state));
        assertEquals(state.get(2), committed("x", List.of(new Location(copy, 9_000)), copiedFrom, state),
                "the copy continues from its original's former entry");
        assertEquals(null, committed("x", List.of(new Location(copy, 9_001)), copiedFrom, state));
        assertEquals(null, committed("x", List.of(new Location(original, 10)), copiedFrom, state),
                "the truncated original's new content is read from its start");
        assertEquals(null, committed("x", List.of(new Location(laterCopy, 10)), copiedFrom, state),
                "a copy of the content written after the truncation does not continue from the entry");
        assertEquals(null, committed("y", List.of(new Location(reused, 100)), copiedFrom, state),
                "an entry of x.log does not cover a line of y.log that got its inode while the sidecar was down");
    }

    private void burst(int lines) throws IOException {
        List<Stream> all = new ArrayList<>(streams.values());
        for (int i = 0; i < lines; i++) {
            all.get(random.nextInt(all.size())).writeLine();
            if (i % 25 == 0) {
                sleep(random.nextInt(15));
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // The line format: "<stream> <seq> <payload>", the payload a function of (stream, seq) only.

    static byte[] line(String stream, int seq) {
        Random r = new Random(stream.hashCode() * 1_000_003L + seq);
        StringBuilder text = new StringBuilder().append(stream).append(' ').append(seq).append(' ');
        int length = r.nextInt(60) == 0 ? 50_000 + r.nextInt(100_000) : r.nextInt(200);
        String[] pieces = {"a", "b", "z", "0", " ", "é", "ß", "漢", "字", "🙂", "\t", "\"", "\\"};
        while (text.length() < length) {
            text.append(pieces[r.nextInt(pieces.length)]);
        }
        return (text.append('\n')).toString().getBytes(StandardCharsets.UTF_8);
    }

    // ---------------------------------------------------------------------------------------------
    // The sidecar process

    private void startSidecar() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        int n = runs.size();
        Path out = tmp.resolve("stdout-" + n);
        Path err = tmp.resolve("stderr-" + n);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xmx256m",
                "-cp", System.getProperty("java.class.path"), "dev.podkit.logsidecar.LogSidecar")
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        Map<String, String> env = pb.environment();
        env.put("LOG_PATHS", in + "/*.log");
        env.put("STATE_DIR", stateDir.toString());
        env.put("ADMIN_PORT", Integer.toString(port));
        env.put("ADMIN_ADDRESS", "127.0.0.1");
        env.put("MAX_LINE_BYTES", "1048576");
        env.put("POLL_INTERVAL", "250ms");
        env.put("SCAN_INTERVAL", "2s");
        env.put("ROTATE_WAIT", "1s");
        env.put("LOG_LEVEL", System.getProperty("podkit.torture.loglevel", "info"));
        sidecar = pb.start();
        runs.add(new Run(out, err, false, null));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/readyz"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            if (!sidecar.isAlive()) {
                throw new AssertionError("sidecar exited with " + sidecar.exitValue() + ": " + Files.readString(err));
            }
            sleep(20);
        }
        throw new AssertionError("sidecar not ready within 60 s: " + Files.readString(err));
    }

    private synchronized void killSidecar() {
        try {
            sidecar.destroyForcibly(); // SIGKILL
            sidecar.waitFor(30, TimeUnit.SECONDS);
            Run last = runs.remove(runs.size() - 1);
            runs.add(new Run(last.stdout, last.stderr, true, new StateStore(stateDir).load().orElse(List.of())));
            sidecar = null;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private void stopSidecar() throws Exception {
        sidecar.destroy(); // SIGTERM: drain and exit 0
        assertTrue(sidecar.waitFor(30, TimeUnit.SECONDS), "exits after SIGTERM");
        assertEquals(0, sidecar.exitValue(), () -> "exit code after SIGTERM; stderr: " + stderr());
        sidecar = null;
    }

    private String stderr() {
        StringBuilder text = new StringBuilder();
        for (Run r : runs) {
            try {
                text.append(Files.readString(r.stderr)).append("----\n");
            } catch (IOException e) {
                text.append(e).append('\n');
            }
        }
        return text.toString();
    }

    /** Waits until the current run's stdout has the stream's last complete line. */
    private boolean caughtUp(Stream s, Duration timeout) throws IOException {
        int last = s.pendingPart != null ? s.next - 2 : s.next - 1;
        if (last < 0) {
            return true;
        }
        String wanted = s.name + " " + last + " ";
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (Run r : runs) {
                if (Files.exists(r.stdout) && containsLineStarting(r.stdout, wanted)) {
                    return true;
                }
            }
            sleep(50);
        }
        return false;
    }

    private static boolean containsLineStarting(Path file, String prefix) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        byte[] p = prefix.getBytes(StandardCharsets.UTF_8);
        int start = 0;
        for (int i = 0; i <= bytes.length; i++) {
            if (i == bytes.length || bytes[i] == '\n') {
                if (i - start >= p.length && java.util.Arrays.equals(bytes, start, start + p.length, p, 0, p.length)) {
                    return true;
                }
                start = i + 1;
            }
        }
        return false;
    }

    private static FileKey key(Path p) throws IOException {
        Map<String, Object> a = Files.readAttributes(p, "unix:dev,ino");
        return new FileKey((Long) a.get("dev"), (Long) a.get("ino"));
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---------------------------------------------------------------------------------------------
    // The checker

    private static final class Result {
        int lines;
        int lost;
        int corrupted;
        int outOfOrder;
        int badRepeats;
        int windowRepeats;
        final List<String> problems = new ArrayList<>();
    }

    private Result check() throws IOException {
        Result r = new Result();
        Map<String, Integer> nextExpected = new HashMap<>();
        Map<String, Set<Integer>> seen = new HashMap<>();
        for (int run = 0; run < runs.size(); run++) {
            Run current = runs.get(run);
            byte[] out = Files.readAllBytes(current.stdout);
            int start = 0;
            Set<String> inThisRun = new HashSet<>();
            for (int i = 0; i < out.length; i++) {
                if (out[i] != '\n') {
                    continue;
                }
                byte[] got = java.util.Arrays.copyOfRange(out, start, i + 1);
                start = i + 1;
                String text = new String(got, StandardCharsets.UTF_8);
                String[] parts = text.split(" ", 3);
                int seq;
                try {
                    seq = Integer.parseInt(parts[1]);
                } catch (RuntimeException e) {
                    r.corrupted++;
                    r.problems.add("run " + run + ": unparsable line " + abbreviate(text));
                    continue;
                }
                String stream = parts[0];
                if (!streams.containsKey(stream) || !java.util.Arrays.equals(got, line(stream, seq))) {
                    r.corrupted++;
                    r.problems.add("run " + run + ": corrupted line " + abbreviate(text));
                    continue;
                }
                Set<Integer> streamSeen = seen.computeIfAbsent(stream, k -> new HashSet<>());
                if (!inThisRun.add(stream + " " + seq)) {
                    r.badRepeats++;
                    r.problems.add("run " + run + ": " + stream + " " + seq + " twice in one run");
                } else if (streamSeen.contains(seq)) {
                    Run before = runs.get(run - 1);
                    Stream s = streams.get(stream);
                    StateStore.Entry covering = before.killed
                            ? committed(stream, s.locations.get(seq), s.copiedFrom, before.stateAfter) : null;
                    if (before.killed && covering == null) {
                        r.windowRepeats++;
                    } else {
                        r.badRepeats++;
                        r.problems.add("run " + run + ": " + stream + " " + seq + " repeated although "
                                + (before.killed ? "checkpointed (" + describe(covering) + ")"
                                        : "the previous run stopped gracefully"));
                    }
                } else {
                    int expected = nextExpected.getOrDefault(stream, 0);
                    if (seq != expected) {
                        r.outOfOrder++;
                        r.problems.add("run " + run + ": " + stream + " " + seq + " where " + expected + " was due");
                    }
                    nextExpected.put(stream, Math.max(expected, seq + 1));
                    streamSeen.add(seq);
                }
            }
            if (start < out.length && !current.killed) {
                r.corrupted++;
                r.problems.add("run " + run + " ended gracefully with a torn line");
            }
        }
        for (Stream s : streams.values()) {
            Set<Integer> got = seen.getOrDefault(s.name, Set.of());
            r.lines += s.next;
            for (int seq = 0; seq < s.next; seq++) {
                if (!got.contains(seq)) {
                    r.lost++;
                    r.problems.add("lost: " + s.name + " " + seq);
                }
            }
        }
        return r;
    }

    /**
     * The checkpoint entry that covered a line (one of the files holding it recorded past its end), or null.
     * A former entry (a file truncated or gone, kept for its copy) covers only the lines of a copy of that
     * file: a restart continues the copy from it, never the file now on that inode (the truncated file's new
     * content, or a new file on the inode a deleted one had). Any entry covers only lines of its own stream:
     * an inode freed by the SIGKILL (a deleted file the sidecar held open) can go to another stream's file
     * before the restart, and the entry describes the deleted file, not that one.
     */
    static StateStore.Entry committed(String stream, List<Location> locations, Map<FileKey, Copy> copiedFrom,
            List<StateStore.Entry> state) {
        for (Location at : locations) {
            if (at.key == null) {
                continue;
            }
            for (StateStore.Entry e : state) {
                FileKey holder = at.key;
                if (e.former()) {
                    // A copy continues from a former entry only if it holds the content the entry describes (its
                    // first bytes): the copy of a later truncation's content does not.
                    Copy c = copiedFrom.get(at.key);
                    holder = c != null && c.head.length >= e.headLength()
                            && Fingerprints.crc(c.head, 0, e.headLength()) == e.headCrc() ? c.original : null;
                }
                if (e.key().equals(holder) && e.offset() >= at.end
                        && e.origin().getFileName().toString().equals(stream + ".log")) {
                    return e;
                }
            }
        }
        return null;
    }

    /** A copytruncate copy: the file it was copied from and the copy's first bytes. */
    record Copy(FileKey original, byte[] head) {
    }

    private static String describe(StateStore.Entry e) {
        return e.key() + " at " + e.offset() + (e.former() ? ", former" : "") + ", " + e.path().getFileName();
    }

    private static String abbreviate(String text) {
        return text.length() > 120 ? text.substring(0, 120) + "..." : text;
    }
}
