package dev.podkit.logsidecar.tail;

import dev.podkit.logsidecar.LogSidecarSettings.LongLines;
import dev.podkit.logsidecar.LogSidecarSettings.Options;
import dev.podkit.logsidecar.LogSidecarSettings.OutputFormat;
import dev.podkit.logsidecar.LogSidecarSettings.ReadFrom;
import dev.podkit.logsidecar.checkpoint.StateStore;
import dev.podkit.logsidecar.discovery.ChangeWatcher;
import dev.podkit.logsidecar.discovery.LogPaths;
import dev.podkit.logsidecar.lines.LineSplitter;
import dev.podkit.logsidecar.lines.MultilineJoiner;
import dev.podkit.logsidecar.metrics.FileMeters;
import dev.podkit.logsidecar.metrics.TailMetrics;
import dev.podkit.logsidecar.output.Bytes;
import dev.podkit.logsidecar.output.HttpSink;
import dev.podkit.logsidecar.output.JsonLines;
import dev.podkit.logsidecar.output.Stdout;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The tailing loop, on a thread of its own: finds the files ({@link LogPaths}), follows them
 * across rotations by identity (device, inode and checksums), reads new bytes, cuts them into
 * lines, writes the lines out and checkpoints the offsets the outputs confirmed.
 *
 * <p>Rotated generations of a file ("rotation family": files in its directory whose name starts
 * with its name, e.g. {@code app.log.1}, {@code app.log-20260101}; for a symlinked file, every file
 * in the target's directory) are looked at too: a renamed file is finished, a generation that came
 * and went between two looks (or while the process was down) is read from its beginning, and a
 * copytruncate copy continues where the original was truncated. Older generations are read before
 * newer ones, so each file's lines keep their order.
 */
public final class Tailer {
    private static final System.Logger LOG = System.getLogger(Tailer.class.getName());
    /** Raw output reads this much at a time (fewer reads and passes per GiB); json and the sink read 128 KiB. */
    private static final int READ_BUFFER = 512 * 1024;
    private static final int HEAP_READ_BUFFER = 128 * 1024;
    /** A raw read is cut into lines this much at a time, so one write to stdout (what a SIGKILL can repeat) stays this small. */
    private static final int RUN_BYTES = 128 * 1024;
    /** Bytes read from one file before the others get their turn. */
    private static final long READ_BUDGET = 16L * 1024 * 1024;
    /** stdout is written once this much is waiting (and at the end of every pass). */
    private static final int FLUSH_BYTES = 64 * 1024;
    private static final byte[] TRUNCATED_MARK = " [truncated]".getBytes(StandardCharsets.US_ASCII);

    private final Options options;
    private final LogPaths paths;
    private final ChangeWatcher watcher;
    private final StateStore state;
    private final TailMetrics metrics;
    private final Stdout stdout;
    private final boolean rawStdout;
    private final boolean jsonStdout;
    private final HttpSink sink;
    private final JsonLines json;

    private final Bytes out = new Bytes(64 * 1024);
    private final Bytes record = new Bytes(1024);
    /**
     * One buffer for every file. Raw output reads into a direct buffer and writes runs of whole lines
     * from it (the bytes are copied in from the page cache and out to stdout, nothing else); json and
     * the sink need a line at a time in a byte array anyway.
     */
    private final ByteBuffer readBuffer;
    private TrackedFile chunkFile;
    private long chunkStart;
    private int chunkLength;
    /** A run of whole lines, {@code readBuffer[sliceFrom, sliceTo)}, waiting for the output (empty if equal). */
    private int sliceFrom;
    private int sliceTo;

    private final Map<FileKey, TrackedFile> known = new HashMap<>();
    private final Map<Path, TrackedFile> byPath = new HashMap<>();
    private final Map<Path, FileKey> liveByOrigin = new HashMap<>();
    private final Map<TrackedFile, Emitter> emitters = new HashMap<>();
    private final Set<TrackedFile> dirty = new LinkedHashSet<>();
    private final List<Former> formers = new ArrayList<>();
    private final Set<Path> missingReported = new HashSet<>();
    private final Map<Path, byte[]> quotedOrigins = new HashMap<>();
    private final Map<Path, Path> realDirs = new HashMap<>();
    /** Families with a new generation that is still being written: not read until it has settled. */
    private final Set<Path> settling = new HashSet<>();
    private static final long SETTLE_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    /**
     * How long a truncated file waits for its copy to show up before its new content is read. A test that
     * asserts the order around a copy makes it long, so that a stalled test machine cannot end the wait.
     */
    long copyWaitNanos = TimeUnit.SECONDS.toNanos(1);

    private boolean firstStart;
    private boolean inScan;
    /** A deleted file is still open (a writer may append): the next pass that closes it rescans. */
    private boolean lingering;
    private boolean moreToRead;
    private boolean scanRequested;
    /** Lists a directory. A test replaces it to make listings miss files, as one taken during renames can. */
    interface DirectoryLister {
        DirectoryStream<Path> list(Path dir) throws IOException;
    }

    DirectoryLister lister = Files::newDirectoryStream;
    /** Scans in a row whose listings never agreed. */
    private int incompleteScans;
    /** About a second of scans (SETTLE_NANOS / 4 apart) with listings that never agree. */
    private static final int MAX_INCOMPLETE_SCANS = 20;
    private boolean checkpointDirty;
    private boolean unsynced;
    private boolean missingBases;
    private long scanCount;
    private long nextScan;
    private long nextPoll;
    private long lastFsync;
    private boolean checkpointFailing;

    private volatile boolean stopRequested;
    private final CompletableFuture<Void> finished = new CompletableFuture<>();
    private Thread thread;

    /** What a file looked like before it was truncated or vanished: a copy of it continues from here. */
    private record Former(FileKey key, Path origin, long offset, int headLength, long headCrc, int tailLength,
            long tailCrc, long since) {
        Former(FileKey key, Path origin, long offset, int headLength, long headCrc, int tailLength, long tailCrc) {
            this(key, origin, offset, headLength, headCrc, tailLength, tailCrc, System.nanoTime());
        }
    }

    /** How long a truncated or vanished file is remembered for a copy of it to show up. */
    private static final long FORMER_NANOS = TimeUnit.SECONDS.toNanos(60);

    /** What one scan found. */
    private record Found(Path path, Path origin, boolean live, FileStat stat) {
    }

    /** An unacknowledged sink position of one file. */
    private record Pending(long seq, long offset, int tailLength, long tailCrc) {
    }

    public Tailer(Options options, ChangeWatcher watcher, StateStore state, TailMetrics metrics, OutputStream stdout,
            HttpSink sink) {
        this.options = options;
        this.paths = new LogPaths(options.logPaths(), options.exclude());
        this.watcher = watcher;
        this.state = state;
        this.metrics = metrics;
        this.stdout = stdout == null ? null : new Stdout(stdout);
        this.rawStdout = options.outputFormat() == OutputFormat.RAW;
        this.jsonStdout = options.outputFormat() == OutputFormat.JSON;
        this.sink = sink;
        this.json = jsonStdout || sink != null
                ? new JsonLines(options.podName(), options.podNamespace(), options.containerName()) : null;
        this.readBuffer = json == null
                ? ByteBuffer.allocateDirect(READ_BUFFER).order(ByteOrder.LITTLE_ENDIAN) : ByteBuffer.allocate(HEAP_READ_BUFFER);
    }

    /** Loads the checkpoint, looks at the files once and starts the loop. */
    public void start() throws IOException, InterruptedException {
        Optional<List<StateStore.Entry>> saved = state == null ? Optional.empty() : state.load();
        firstStart = saved.isEmpty();
        saved.ifPresent(entries -> {
            for (StateStore.Entry e : entries) {
                if (e.former()) {
                    formers.add(new Former(e.key(), e.origin(), e.offset(), e.headLength(), e.headCrc(), e.tailLength(),
                            e.tailCrc()));
                    continue;
                }
                TrackedFile f = newFile(e.key(), e.path(), e.origin());
                f.restoreCommitted(e.offset(), e.tailLength(), e.tailCrc());
                f.headLength = e.headLength();
                f.headCrc = e.headCrc();
                f.unverified = true;
                known.put(e.key(), f);
            }
            LOG.log(Level.INFO, "continuing from " + state.file() + ": " + entries.size() + " files");
        });
        long now = System.nanoTime();
        lastFsync = now;
        scan();
        firstStart = false;
        nextScan = now + options.scanInterval().toNanos();
        nextPoll = now; // the first pass reads everything the scan placed
        thread = new Thread(this::loop, "log-tailer");
        thread.start();
    }

    /** Stops after a last pass that reads what is on disk now and writes it out; completes when done. */
    public CompletableFuture<Void> stop() {
        stopRequested = true;
        watcher.wakeup();
        return finished;
    }

    public void awaitStopped(long timeout, TimeUnit unit) throws InterruptedException {
        try {
            finished.get(timeout, unit);
        } catch (Exception e) {
            if (e instanceof InterruptedException ie) {
                throw ie;
            }
        }
    }

    public boolean stopping() {
        return stopRequested;
    }

    /** The thread doing the work, for closing it hard. */
    public Thread thread() {
        return thread;
    }

    private void loop() {
        try {
            while (!stopRequested) {
                long now = System.nanoTime();
                ChangeWatcher.Changes changes = watcher.await(moreToRead || scanRequested ? 0 : nextDeadline(now) - now);
                if (stopRequested) {
                    break;
                }
                pass(changes, System.nanoTime());
            }
            finalPass();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable e) {
            LOG.log(Level.ERROR, "tailer stopped by an unexpected error", e);
        } finally {
            for (TrackedFile f : known.values()) {
                f.closeChannel();
            }
            finished.complete(null);
        }
    }

    private void pass(ChangeWatcher.Changes changes, long now) throws IOException, InterruptedException {
        boolean scan = changes.structural() || now >= nextScan || scanRequested;
        scanRequested = false;
        boolean pollAll = false;
        if (now >= nextPoll) {
            nextPoll = now + options.pollInterval().toNanos();
            pollAll = true;
            scan |= missingBases || livePathsChanged();
        }
        Collection<TrackedFile> targets = new LinkedHashSet<>();
        if (!scan) {
            for (Path p : changes.modified()) {
                TrackedFile f = byPath.get(p);
                if (f != null) {
                    targets.add(f);
                } else if (mayMatter(p)) {
                    scan = true;
                    break;
                }
            }
        }
        if (moreToRead) {
            pollAll = true;
        }
        if (scan) {
            scan();
            nextScan = now + (settling.isEmpty() && !listingIncomplete() ? options.scanInterval().toNanos() : SETTLE_NANOS / 4);
            pollAll = true;
        }
        if (pollAll) {
            targets = new ArrayList<>();
            for (TrackedFile f : known.values()) {
                if (f.channel != null || f.size != f.position() || scan) {
                    targets.add(f);
                }
            }
        }
        if (!pollAll && !targets.isEmpty()) {
            // Older generations of a written file come first, if they have anything left.
            Set<Path> origins = new HashSet<>();
            for (TrackedFile f : targets) {
                origins.add(f.origin);
            }
            for (TrackedFile f : known.values()) {
                if (origins.contains(f.origin) && (f.channel != null || f.size != f.position())) {
                    targets.add(f);
                }
            }
        }
        moreToRead = false;
        readInOrder(targets, now);
        timeouts(now);
        flush();
        applyAcks();
        closeFinished(now);
        checkpoint(now);
        if (!moreToRead) {
            out.shrink(64 * 1024); // idle: a burst's large buffer goes back to the heap
        }
    }

    private void finalPass() throws IOException, InterruptedException {
        long now = System.nanoTime();
        scan();
        do {
            moreToRead = false;
            readInOrder(new ArrayList<>(known.values()), now);
        } while (moreToRead);
        flushJoiners();
        flush();
        if (sink != null) {
            sink.seal();
            // The runtime stops waiting at SHUTDOWN_TIMEOUT; unacknowledged lines are read again after a restart.
            sink.awaitAcknowledged(System.nanoTime() + TimeUnit.DAYS.toNanos(1));
            applyAcks();
        }
        checkpointDirty = true;
        saveCheckpoint(true);
    }

    private long nextDeadline(long now) {
        long deadline = Math.min(nextScan, nextPoll);
        if (unsynced) {
            deadline = Math.min(deadline, lastFsync + options.stateFsyncInterval().toNanos());
        }
        long partial = options.partialLineTimeout().toNanos();
        long multiline = options.multilineTimeout().toNanos();
        for (TrackedFile f : known.values()) {
            if (f.holdUntil - now > 0) {
                deadline = Math.min(deadline, f.holdUntil);
            }
            if (partial > 0 && f.splitter.pendingLength() > 0) {
                deadline = Math.min(deadline, f.splitter.pendingSince() + partial);
            }
            Emitter e = emitters.get(f);
            if (e != null && e.joiner != null && e.joiner.holding()) {
                deadline = Math.min(deadline, e.joiner.heldSince() + multiline);
            }
        }
        if (sink != null) {
            deadline = Math.min(deadline, sink.sealDeadline(options.sinkFlushInterval().toNanos()));
        }
        return Math.max(deadline, now + 1);
    }

    /** Whether a written file we do not know could be one of ours (else a busy unrelated file would cost scans). */
    private boolean mayMatter(Path p) {
        if (paths.excluded(p)) {
            return false;
        }
        String name = p.getFileName().toString();
        for (TrackedFile f : known.values()) {
            if (f.path.getParent().equals(p.getParent()) && name.startsWith(f.origin.getFileName().toString())) {
                return true;
            }
        }
        return paths.matches(p);
    }

    /** Whether a LOG_PATHS match now names another file (a rotation inotify did not report). */
    private boolean livePathsChanged() {
        for (Map.Entry<Path, FileKey> e : liveByOrigin.entrySet()) {
            try {
                if (!FileStat.of(e.getKey()).key().equals(e.getValue())) {
                    return true;
                }
            } catch (IOException ex) {
                return true;
            }
        }
        return false;
    }

    // ---------------------------------------------------------------------------------------------
    // Finding files

    private void scan() throws IOException, InterruptedException {
        if (inScan) {
            return;
        }
        inScan = true;
        try {
            scanCount++;
            Set<Path> watchDirs = new LinkedHashSet<>();
            // A listing taken while files are being renamed can miss a file or show it twice; acting on it would
            // repeat or skip lines. Look until two listings agree (a few tries), and go by all of them: a file
            // counts as gone only if none showed it, and where a file is, the latest listing that showed it says.
            Map<FileKey, Found> found = collect(watchDirs);
            Map<FileKey, Found> seen = new LinkedHashMap<>(found);
            boolean agreed = false;
            for (int i = 0; i < 5 && !agreed; i++) {
                Map<FileKey, Found> again = collect(watchDirs);
                agreed = samePlaces(found, again);
                found = again;
                seen.putAll(again);
                if (!agreed) {
                    Thread.sleep(1);
                }
            }
            // Bounded: files of a family renamed nonstop must not hold its new generations back for ever.
            incompleteScans = agreed ? 0 : incompleteScans + 1;
            if (listingIncomplete()) {
                LOG.log(Level.DEBUG, "listings kept changing (files being renamed): looking again soon");
            }
            reconcile(seen);
            watcher.watch(watchDirs);
            checkpointDirty = true;
        } finally {
            inScan = false;
        }
    }

    /** The last scan's listings never agreed (and not for too long): look again soon. */
    private boolean listingIncomplete() {
        return incompleteScans > 0 && incompleteScans <= MAX_INCOMPLETE_SCANS;
    }

    private static boolean samePlaces(Map<FileKey, Found> a, Map<FileKey, Found> b) {
        if (!a.keySet().equals(b.keySet())) {
            return false;
        }
        for (Map.Entry<FileKey, Found> e : a.entrySet()) {
            if (!e.getValue().path().equals(b.get(e.getKey()).path())) {
                return false;
            }
        }
        return true;
    }

    /** One listing: the LOG_PATHS matches and their rotation families, by identity. */
    private Map<FileKey, Found> collect(Set<Path> watchDirs) {
        {
            LogPaths.Expansion expansion = paths.expand();
            reportMissing(expansion.missingBases());
            Map<FileKey, Found> found = new LinkedHashMap<>();
            watchDirs.addAll(expansion.directories());
            Map<Path, Set<String>> families = new LinkedHashMap<>();
            for (Path p : expansion.files()) {
                Path real;
                FileStat stat;
                try {
                    real = p.toRealPath();
                    stat = FileStat.of(real);
                } catch (IOException e) {
                    continue; // a dangling symlink or a file deleted just now
                }
                if (!stat.regular()) {
                    continue;
                }
                found.putIfAbsent(stat.key(), new Found(real, p, true, stat));
                Path dir = real.getParent();
                watchDirs.add(dir);
                boolean viaOtherDirectory = !dir.equals(realDirectory(p.getParent()));
                // A symlink into a directory of its own (Kubernetes' /var/log/pods): all of it is the family.
                families.computeIfAbsent(dir, d -> new HashSet<>()).add(viaOtherDirectory ? "" : real.getFileName().toString());
            }
            for (TrackedFile f : known.values()) {
                Path dir = f.path.getParent();
                if (dir != null) {
                    families.computeIfAbsent(dir, d -> new HashSet<>()).add(familyPrefix(f));
                }
            }
            for (Map.Entry<Path, Set<String>> family : families.entrySet()) {
                siblings(family.getKey(), family.getValue(), found);
            }
            return found;
        }
    }

    private String familyPrefix(TrackedFile f) {
        return f.path.getParent().equals(realDirectory(f.origin.getParent())) ? f.origin.getFileName().toString() : "";
    }

    /** A directory as the files' real paths name it (the volume may be mounted through a symlink). */
    private Path realDirectory(Path dir) {
        if (dir == null) {
            return null;
        }
        return realDirs.computeIfAbsent(dir, d -> {
            try {
                return d.toRealPath();
            } catch (IOException e) {
                return d;
            }
        });
    }

    /** Rotated generations: regular files in {@code dir} whose name starts with one of the prefixes. */
    private void siblings(Path dir, Set<String> prefixes, Map<FileKey, Found> found) {
        try (DirectoryStream<Path> entries = lister.list(dir)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (name.startsWith(".") || paths.excluded(entry) || prefixes.stream().noneMatch(name::startsWith)) {
                    continue;
                }
                try {
                    FileStat stat = FileStat.of(entry, LinkOption.NOFOLLOW_LINKS);
                    if (stat.regular() && !found.containsKey(stat.key())) {
                        found.put(stat.key(), new Found(entry, originOf(entry, found), false, stat));
                    }
                } catch (IOException e) {
                    // gone meanwhile
                }
            }
        } catch (IOException e) {
            // the directory vanished: its files are noticed as gone
        }
    }

    /** The live file a sibling belongs to: the longest LOG_PATHS match in its directory that its name starts with. */
    private Path originOf(Path sibling, Map<FileKey, Found> found) {
        String name = sibling.getFileName().toString();
        Path best = null;
        for (Found f : found.values()) {
            if (f.live && f.path.getParent().equals(sibling.getParent())) {
                String live = f.path.getFileName().toString();
                if (name.startsWith(live) && (best == null || live.length() > best.getFileName().toString().length())) {
                    best = f.origin;
                }
                if (best == null && !f.path.getParent().equals(realDirectory(f.origin.getParent()))) {
                    best = f.origin; // a symlink target's directory
                }
            }
        }
        if (best == null) {
            TrackedFile f = byPath.get(sibling);
            if (f != null) {
                return f.origin;
            }
            for (TrackedFile t : known.values()) {
                if (t.path.getParent().equals(sibling.getParent()) && name.startsWith(familyPrefix(t))) {
                    return t.origin;
                }
            }
        }
        return best == null ? sibling : best;
    }

    private void reportMissing(Set<Path> missing) {
        missingBases = !missing.isEmpty();
        for (Path p : missing) {
            if (missingReported.add(p)) {
                LOG.log(Level.INFO, "waiting for directory " + p + " to appear (LOG_PATHS)");
            }
        }
        for (Iterator<Path> it = missingReported.iterator(); it.hasNext(); ) {
            Path p = it.next();
            if (!missing.contains(p)) {
                it.remove();
                LOG.log(Level.INFO, "directory " + p + " is there now");
            }
        }
    }

    private void reconcile(Map<FileKey, Found> found) throws IOException, InterruptedException {
        // 1. Known identities whose content is not what we read any more. Held open, the inode cannot have
        //    been reused: the file was truncated. Not held open, it may be another file on a reused inode:
        //    it is treated as new (and may turn out to be a copy).
        for (Map.Entry<FileKey, Found> e : found.entrySet()) {
            TrackedFile f = known.get(e.getKey());
            if (f != null && (f.unverified || f.channel == null || e.getValue().stat().size() < f.position())) {
                boolean open = f.channel != null;
                Path before = f.path;
                f.path = e.getValue().path();
                if (!sameContent(f, e.getValue().stat().size())) {
                    if (open) {
                        restartFile(f, "was truncated");
                    } else {
                        LOG.log(Level.DEBUG, before + " (" + f.key + ") is another file now: " + f.path);
                        replaced(f);
                        continue;
                    }
                }
                f.unverified = false;
            }
        }
        // Entries of the state file that are gone: a copy of them may still be here.
        for (Iterator<TrackedFile> it = known.values().iterator(); it.hasNext(); ) {
            TrackedFile f = it.next();
            if (f.unverified && !found.containsKey(f.key)) {
                LOG.log(Level.DEBUG, "gone while log-sidecar was down: " + f);
                formers.add(new Former(f.key, f.origin, f.committed, f.headLength, f.headCrc, f.committedTailLength,
                        f.committedTailCrc));
                it.remove();
            }
        }
        // 2. New identities, oldest first. A new file may be a copy of an open one that was truncated after this
        //    scan's stat (copytruncate in progress): find those truncations first, so the copy continues them.
        List<Found> fresh = new ArrayList<>();
        boolean anyFresh = found.keySet().stream().anyMatch(k -> !known.containsKey(k));
        if (anyFresh) {
            for (TrackedFile f : new ArrayList<>(known.values())) {
                if (f.channel != null && f.copyOf == null && !f.binary && (f.channel.size() < f.position()
                        || (f.headLength > 0 && Fingerprints.crc(f.channel, 0, f.headLength) != f.headCrc))) {
                    restartFile(f, "was truncated");
                }
            }
        }
        for (Found fd : found.values()) {
            if (!known.containsKey(fd.stat().key())) {
                fresh.add(fd);
            }
        }
        fresh.sort(Comparator.comparingLong((Found fd) -> fd.stat().mtimeNanos()));
        settling.clear();
        long wallNanos = TimeUnit.MILLISECONDS.toNanos(System.currentTimeMillis());
        for (Found fd : fresh) {
            // A rotated generation we have not seen, written to just now, may be a copy still being made
            // (copytruncate): it and its family wait until it has settled, so it is placed with all its bytes.
            // So do new generations seen while files were being renamed (listings that never agreed): a
            // generation missing from them would be read after a newer one.
            if (!fd.live() && (listingIncomplete() || wallNanos - fd.stat().mtimeNanos() < SETTLE_NANOS)) {
                settling.add(fd.origin());
                LOG.log(Level.DEBUG, "waiting for " + fd.path() + " to settle ("
                        + (listingIncomplete() ? "files being renamed" : "written to just now") + ")");
            }
        }
        for (Found fd : fresh) {
            if (!fd.live() && (fd.stat().size() == 0 || settling.contains(fd.origin()))) {
                continue;
            }
            TrackedFile f = newFile(fd.stat().key(), fd.path(), fd.origin());
            f.size = fd.stat().size();
            f.mtimeNanos = fd.stat().mtimeNanos();
            f.live = fd.live();
            known.put(f.key, f);
            try {
                place(f, fd);
            } catch (MovedException | NoSuchFileException e) {
                known.remove(f.key); // renamed or deleted since the scan looked: the next scan places it
                f.closeChannel();
                scanRequested = true;
            }
        }
        long pruneBefore = System.nanoTime() - FORMER_NANOS;
        formers.removeIf(s -> s.since < pruneBefore);
        // 3. Where everything is now.
        byPath.clear();
        for (Found fd : found.values()) {
            TrackedFile f = known.get(fd.stat().key());
            if (f == null) {
                continue; // replaced while being read just now: the next scan places it
            }
            f.path = fd.path();
            f.live = fd.live();
            if (fd.live()) {
                f.origin = fd.origin();
            }
            f.size = fd.stat().size();
            f.mtimeNanos = fd.stat().mtimeNanos();
            f.seenInScan = scanCount;
            byPath.put(fd.path(), f);
            if (fd.live()) {
                FileKey before = liveByOrigin.put(fd.origin(), f.key);
                if (before != null && !before.equals(f.key)) {
                    meters(f).rotations.increment();
                    LOG.log(Level.INFO, "rotation: " + fd.origin() + " is a new file (" + f.key + ", was " + before + ")");
                }
            }
        }
        liveByOrigin.values().removeIf(k -> !found.containsKey(k) && !known.containsKey(k));
        // 4. Gone (deleted): read what the open descriptor has. A writer may still hold the file open and
        //    append to it, so it stays open and read, like a rotated file, until it has been quiet for
        //    ROTATE_WAIT (closeFinished); that holds no disk the writer's own descriptor does not. Then,
        //    or at once when it is quiet already, it is finished and let go of.
        List<TrackedFile> gone = new ArrayList<>();
        for (TrackedFile f : known.values()) {
            if (f.seenInScan != scanCount) {
                gone.add(f);
            }
        }
        long now = System.nanoTime();
        for (TrackedFile f : gone) {
            if (f.channel != null) {
                // An older generation or its copy coming first: it is read later, like any rotated file.
                boolean waits = f.holdUntil - now > 0 || settling.contains(f.origin);
                if (!waits) {
                    readCopiesOf(f, now); // its copy, found in this scan (copytruncate, then deleted)
                    readFile(f, now, Long.MAX_VALUE);
                }
                if (f.channel != null && (waits
                        || !stopRequested && now - f.lastGrowthNanos < options.rotateWait().toNanos())) {
                    f.live = false;
                    lingering = true;
                    continue;
                }
                finishFile(f);
            }
            LOG.log(Level.DEBUG, "gone: " + f);
            forget(f);
        }
        metrics.tracked(known.size());
    }

    /** Decides where a newly seen file starts. */
    private void place(TrackedFile f, Found fd) throws IOException {
        long size = fd.stat().size();
        if (f.headLength == 0) {
            fingerprintHead(f, size);
        }
        Former former = copySourceAmongFormers(f, size);
        if (former != null) {
            long start = Math.min(former.offset, size);
            f.startAt(start);
            initTail(f, start);
            f.copiedFrom = former.key;
            formers.remove(former); // its rest is in this copy now
            TrackedFile original = known.get(former.key);
            // The wait ends with the copy of the file's latest truncation; an earlier one's copy turning up
            // while a later copy is still missing does not end it.
            if (original != null && formers.stream().noneMatch(s -> s.key.equals(former.key) && s.since > former.since)) {
                original.holdUntil = 0;
            }
            LOG.log(Level.INFO, "found " + f.path + " holding the rest of " + former.origin + " (copytruncate); reading it from offset " + start);
            return;
        }
        TrackedFile original = copySourceAmongOpen(f, size);
        if (original != null) {
            f.copyOf = original;
            long start = Math.min(original.emitted, size);
            f.startAt(start);
            initTail(f, start);
            f.closeChannel(); // not read while the original is intact
            LOG.log(Level.DEBUG, f.path + " is a copy of " + original.path + "; reading it only once that is truncated");
            return;
        }
        if (LOG.isLoggable(Level.DEBUG)) {
            LOG.log(Level.DEBUG, "new file " + f + " size " + size + ": no copy of " + formers + " or of the open files");
        }
        long start;
        if (firstStart && fd.live() && options.readFrom() == ReadFrom.TAIL) {
            start = lastLineEnd(f.path, size);
        } else if (firstStart && !fd.live()) {
            start = size; // rotated generations from before the very first start are history
        } else {
            start = 0;
        }
        f.startAt(start);
        initTail(f, start);
        if (fd.live()) {
            LOG.log(Level.INFO, "following " + fd.origin() + (fd.origin().equals(f.path) ? "" : " -> " + f.path) + " ("
                    + f.key + ") from offset " + start);
        } else if (start == 0) {
            LOG.log(Level.INFO, "reading " + f.path + " from its beginning: a generation of " + f.origin
                    + " rotated away before it was seen");
        }
    }

    /**
     * Takes a file's first bytes as they are now, not at its first read: a file truncated and written again
     * before that read (copytruncate while log-sidecar lags behind) is then seen to be rewritten, and its old
     * content's rest, in the copy, still comes first.
     */
    private void fingerprintHead(TrackedFile f, long size) throws IOException {
        f.headLength = 0;
        f.headCrc = 0;
        if (size > 0) {
            int head = (int) Math.min(size, Fingerprints.HEAD_BYTES);
            long crc = Fingerprints.crc(channelFor(f), 0, head);
            if (crc >= 0) {
                f.headLength = head;
                f.headCrc = crc;
            }
        }
    }

    private Former copySourceAmongFormers(TrackedFile f, long size) throws IOException {
        for (int i = formers.size() - 1; i >= 0; i--) {
            Former s = formers.get(i);
            if (s.headLength == 0 || size < s.headLength || s.key.equals(f.key)) {
                continue;
            }
            if (Fingerprints.crc(channelFor(f), 0, s.headLength) != s.headCrc) {
                continue;
            }
            if (size >= s.offset && s.tailLength > 0
                    && Fingerprints.crc(channelFor(f), s.offset - s.tailLength, s.tailLength) != s.tailCrc) {
                continue;
            }
            return s;
        }
        return null;
    }

    private TrackedFile copySourceAmongOpen(TrackedFile f, long size) throws IOException {
        if (size == 0) {
            return null;
        }
        for (TrackedFile s : known.values()) {
            if (s == f || s.channel == null || s.headLength == 0 || s.copyOf != null) {
                continue;
            }
            int head = (int) Math.min(size, Fingerprints.HEAD_BYTES);
            long mine = Fingerprints.crc(channelFor(f), 0, head);
            if (mine < 0 || mine != Fingerprints.crc(s.channel, 0, head)) {
                continue;
            }
            int n = (int) Math.min(Fingerprints.TAIL_BYTES, size);
            long theirs = Fingerprints.crc(s.channel, size - n, n);
            if (theirs >= 0 && theirs == Fingerprints.crc(channelFor(f), size - n, n)) {
                return s;
            }
        }
        return null;
    }

    /** Whether the file still holds what was read from it: head and the bytes before the offset. */
    private boolean sameContent(TrackedFile f, long size) throws IOException {
        if (size < f.position()) {
            return false;
        }
        FileChannel ch;
        try {
            ch = channelFor(f);
        } catch (IOException e) {
            return true; // cannot tell now (permission, renamed meanwhile); the read or the next scan sees it
        }
        if (f.headLength > 0 && Fingerprints.crc(ch, 0, f.headLength) != f.headCrc) {
            return false;
        }
        long end = f.committed;
        if (f.unverified && f.committedTailLength > 0) {
            return Fingerprints.crc(ch, end - f.committedTailLength, f.committedTailLength) == f.committedTailCrc;
        }
        return true;
    }

    /** A known identity turned out to be another file (reused inode): forget it, keeping it as a copy source. */
    private void replaced(TrackedFile f) {
        long offset = f.unverified ? f.committed : f.emitted;
        formers.add(f.unverified
                ? new Former(f.key, f.origin, offset, f.headLength, f.headCrc, f.committedTailLength, f.committedTailCrc)
                : new Former(f.key, f.origin, offset, f.headLength, f.headCrc, f.tailLength(),
                        f.tailLength() == 0 ? 0 : f.tailCrc()));
        forget(f);
        scanRequested = true;
    }

    /** The file no longer holds what we read: remember it for its copy, then read it from the start. */
    private void restartFile(TrackedFile f, String why) throws IOException, InterruptedException {
        LOG.log(Level.INFO, f.origin + (f.origin.equals(f.path) ? "" : " (" + f.path + ")") + " " + why
                + " at offset " + f.committed + "; reading it from its beginning");
        meters(f).truncations.increment();
        formers.add(f.unverified
                ? new Former(f.key, f.origin, f.committed, f.headLength, f.headCrc, f.committedTailLength, f.committedTailCrc)
                : new Former(f.key, f.origin, f.emitted, f.headLength, f.headCrc, f.tailLength(),
                        f.tailLength() == 0 ? 0 : f.tailCrc()));
        // Copies waiting for this file continue where it was cut.
        long cut = f.emitted;
        for (TrackedFile c : known.values()) {
            if (c.copyOf == f) {
                c.copyOf = null;
                c.size = channelFor(c).size();
                long start = Math.max(c.position(), Math.min(cut, c.size));
                c.startAt(start);
                initTail(c, start);
                readFile(c, System.nanoTime(), Long.MAX_VALUE);
            }
        }
        Emitter e = emitters.get(f);
        if (e != null) {
            e.pending.clear();
            if (e.joiner != null) {
                e.joiner.reset();
            }
        }
        fingerprintHead(f, f.channel == null ? 0 : f.channel.size());
        f.startAt(0);
        dirty.add(f);
        // copytruncate makes its copy before truncating: give the listing a moment to show it, so the old
        // content's rest (in the copy) comes out before the new content.
        f.holdUntil = System.nanoTime() + copyWaitNanos;
        nextScan = Math.min(nextScan, System.nanoTime() + SETTLE_NANOS / 4);
    }

    private TrackedFile newFile(FileKey key, Path path, Path origin) {
        return new TrackedFile(key, path, origin, options.maxLineBytes(), options.longLines() == LongLines.TRUNCATE);
    }

    private void forget(TrackedFile f) {
        f.closeChannel();
        known.remove(f.key);
        emitters.remove(f);
        dirty.remove(f);
        f.dirty = false;
        for (TrackedFile c : known.values()) {
            if (c.copyOf == f) {
                c.copyOf = null; // the original is gone, read to its end: its copy has nothing new up to there
                long start = Math.max(c.position(), Math.min(f.emitted, c.size));
                c.startAt(start);
            }
        }
    }

    private FileChannel channelFor(TrackedFile f) throws IOException {
        if (f.channel == null) {
            FileChannel ch = FileChannel.open(f.path, StandardOpenOption.READ);
            // The name may have been given to another file between the scan's stat and this open.
            FileKey now;
            try {
                now = FileStat.of(f.path).key();
            } catch (IOException e) {
                now = null;
            }
            if (!f.key.equals(now)) {
                ch.close();
                scanRequested = true;
                throw new MovedException(f.path);
            }
            f.channel = ch;
        }
        return f.channel;
    }

    /** The path names another file than the one expected: look again. */
    private static final class MovedException extends IOException {
        private static final long serialVersionUID = 1L;

        MovedException(Path path) {
            super(path + " was renamed meanwhile");
        }
    }

    /** Fills the tail check's ring with the bytes before {@code offset}. */
    private void initTail(TrackedFile f, long offset) throws IOException {
        if (offset == 0) {
            return;
        }
        int n = (int) Math.min(Fingerprints.TAIL_BYTES, offset);
        ByteBuffer buf = ByteBuffer.allocate(n);
        FileChannel ch = channelFor(f);
        while (buf.hasRemaining()) {
            if (ch.read(buf, offset - n + buf.position()) < 0) {
                return;
            }
        }
        f.startAt(offset, buf.array(), n);
    }

    private long lastLineEnd(Path path, long size) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            int n = (int) Math.min(size, options.maxLineBytes());
            ByteBuffer buf = ByteBuffer.allocate(n);
            while (buf.hasRemaining() && ch.read(buf, size - n + buf.position()) > 0) {
                // fill
            }
            for (int i = n - 1; i >= 0; i--) {
                if (buf.get(i) == '\n') {
                    return size - n + i + 1;
                }
            }
            return size;
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Reading

    private static final Comparator<TrackedFile> OLDEST_FIRST = Comparator
            .comparingLong((TrackedFile f) -> f.mtimeNanos)
            .thenComparing(f -> f.live)
            .thenComparing(Comparator.comparingLong(Tailer::rotationNumber).reversed())
            .thenComparing(f -> f.path.toString());

    /** {@code app.log.3} is older than {@code app.log.1}: the trailing number, or -1. */
    private static long rotationNumber(TrackedFile f) {
        String name = f.path.getFileName().toString();
        int end = name.length();
        int start = end;
        while (start > 0 && Character.isDigit(name.charAt(start - 1))) {
            start--;
        }
        if (start == end || end - start > 9) {
            return -1;
        }
        return Long.parseLong(name.substring(start, end));
    }

    private void readInOrder(Collection<TrackedFile> files, long now) throws IOException, InterruptedException {
        List<TrackedFile> ordered = new ArrayList<>(files);
        ordered.sort(OLDEST_FIRST);
        for (TrackedFile f : ordered) {
            if (known.get(f.key) == f && !settling.contains(f.origin)) {
                readFile(f, now, READ_BUDGET);
            }
        }
        int open = 0;
        Map<Path, Long> lag = new HashMap<>();
        for (TrackedFile f : known.values()) {
            if (f.channel != null) {
                open++;
            }
            lag.merge(f.origin, Math.max(0, f.size - f.position()), Long::sum);
        }
        metrics.open(open);
        lag.forEach((origin, bytes) -> metrics.file(origin.toString()).lag(bytes));
    }

    /** The rest of a truncated file's old content, in its copy, comes before the file's new content. */
    private void readCopiesOf(TrackedFile f, long now) throws IOException, InterruptedException {
        for (TrackedFile c : new ArrayList<>(known.values())) {
            if (f.key.equals(c.copiedFrom) && known.get(c.key) == c) {
                readFile(c, now, Long.MAX_VALUE);
            }
        }
    }

    /** Reads new bytes of one file, at most {@code budget}. */
    private void readFile(TrackedFile f, long now, long budget) throws IOException, InterruptedException {
        if (f.binary || f.copyOf != null) {
            if (f.copyOf != null) {
                long start = Math.max(f.position(), Math.min(f.copyOf.emitted, f.size));
                if (start != f.position()) {
                    f.startAt(start);
                    dirty.add(f);
                }
            }
            return;
        }
        FileChannel ch;
        boolean reopened = f.channel == null;
        try {
            ch = channelFor(f);
        } catch (AccessDeniedException e) {
            if (!f.warnedUnreadable) {
                f.warnedUnreadable = true;
                metrics.skippedUnreadable();
                LOG.log(Level.WARNING, "cannot read " + f.path + ": permission denied; the other files keep flowing, this one is tried again at every scan");
            }
            return;
        } catch (NoSuchFileException | MovedException e) {
            return; // gone or renamed; the next scan sorts it out
        }
        if (f.warnedUnreadable) {
            f.warnedUnreadable = false;
            LOG.log(Level.INFO, "can read " + f.path + " now");
        }
        long size = ch.size();
        f.size = size;
        if (size < f.position() || (f.headLength > 0 && Fingerprints.crc(ch, 0, f.headLength) != f.headCrc)) {
            if (reopened) {
                replaced(f); // not held open meanwhile: possibly another file on the same inode
                return;
            }
            restartFile(f, "was truncated or rewritten");
            if (!inScan) {
                scan(); // finds the copy (copytruncate)
                if (known.get(f.key) != f || f.channel == null) {
                    return;
                }
                readCopiesOf(f, now);
            }
            size = ch.size();
            f.size = size;
        }
        if (f.headLength < Fingerprints.HEAD_BYTES && size > f.headLength) {
            // Also while it waits below: a file truncated to nothing when last looked at holds new bytes now.
            fingerprintHead(f, size);
        }
        if (budget != Long.MAX_VALUE && (settling.contains(f.origin) || f.holdUntil - now > 0)) {
            return; // an older generation (or the copy of the old content) is still being written: it comes first
        }
        Emitter emitter = emitter(f);
        long pos = f.position();
        while (pos < size && budget > 0) {
            readBuffer.clear();
            readBuffer.limit((int) Math.min(readBuffer.capacity(), Math.min(size - pos, budget)));
            int n = ch.read(readBuffer, pos);
            if (n <= 0) {
                break;
            }
            if (pos == 0 && looksBinary(readBuffer, n)) {
                f.binary = true;
                f.startAt(size);
                f.closeChannel();
                dirty.add(f);
                metrics.skippedBinary();
                LOG.log(f.live ? Level.WARNING : Level.DEBUG, "not reading " + f.path
                        + ": binary (NUL bytes or a compressed format); the other files keep flowing");
                return;
            }
            chunkFile = f;
            chunkStart = pos;
            chunkLength = n;
            if (readBuffer.isDirect()) {
                for (int at = 0, end; at < n; at = end) {
                    end = Math.min(at + RUN_BYTES, n);
                    if (end < n) {
                        // Cut after a newline: a line cut in two here would be held, copied and
                        // written on its own (measured: nearly one extra write(2) per run).
                        int nl = LineSplitter.lastIndexOf(readBuffer, at, end);
                        if (nl >= 0) {
                            end = nl + 1;
                        }
                    }
                    f.splitter.feed(readBuffer, at, end - at, now, emitter);
                    if (out.length() + sliceTo - sliceFrom >= FLUSH_BYTES) {
                        flush(); // what Emitter.run leaves to its caller
                    }
                }
            } else {
                f.splitter.feed(readBuffer.array(), 0, n, now, emitter);
            }
            flushSlice(); // the next read overwrites the buffer
            chunkFile = null;
            f.tailFromChunk(readBuffer, pos, n);
            FileMeters m = meters(f);
            m.bytes.increment(n);
            if (emitter.lines > 0) {
                m.lines.increment(emitter.lines);
                emitter.lines = 0;
            }
            pos += n;
            budget -= n;
            f.lastGrowthNanos = now;
        }
        if (pos < size) {
            moreToRead = true;
        }
    }

    private static boolean looksBinary(ByteBuffer buffer, int n) {
        byte[] b = new byte[Math.min(n, 1024)];
        buffer.get(0, b);
        n = b.length;
        if (n >= 2 && (b[0] & 0xFF) == 0x1F && (b[1] & 0xFF) == 0x8B) {
            return true; // gzip
        }
        if (n >= 4 && ((b[0] == 'P' && b[1] == 'K' && b[2] == 3 && b[3] == 4)
                || ((b[0] & 0xFF) == 0x28 && (b[1] & 0xFF) == 0xB5 && (b[2] & 0xFF) == 0x2F && (b[3] & 0xFF) == 0xFD)
                || ((b[0] & 0xFF) == 0xFD && b[1] == '7' && b[2] == 'z' && b[3] == 'X')
                || (b[0] == 'B' && b[1] == 'Z' && b[2] == 'h'))) {
            return true; // zip, zstd, xz, bzip2
        }
        for (int i = 0; i < n; i++) {
            if (b[i] == 0) {
                return true;
            }
        }
        return false;
    }

    /** Partial lines and multiline records whose time is up. */
    private void timeouts(long now) throws IOException, InterruptedException {
        long partial = options.partialLineTimeout().toNanos();
        long multiline = options.multilineTimeout().toNanos();
        for (TrackedFile f : new ArrayList<>(known.values())) {
            if (partial > 0 && f.splitter.pendingLength() > 0 && now - f.splitter.pendingSince() >= partial) {
                f.splitter.flushPartial(emitter(f));
            }
            Emitter e = emitters.get(f);
            if (e != null && e.joiner != null && e.joiner.holding() && now - e.joiner.heldSince() >= multiline) {
                e.joiner.flush(e);
            }
        }
        if (sink != null && sink.sealDue(now, options.sinkFlushInterval().toNanos())) {
            sink.seal();
        }
    }

    private void flushJoiners() throws IOException {
        for (Emitter e : new ArrayList<>(emitters.values())) {
            if (e.joiner != null) {
                e.joiner.flush(e);
            }
        }
    }

    /** Rotated files read to their end and quiet for ROTATE_WAIT are closed (their checkpoint stays). */
    private void closeFinished(long now) throws IOException {
        long wait = options.rotateWait().toNanos();
        boolean closed = false;
        for (TrackedFile f : known.values()) {
            if (f.channel != null && !f.live && f.position() >= f.size && now - f.lastGrowthNanos >= wait && f.copyOf == null) {
                finishFile(f);
                f.closeChannel();
                closed = true;
            }
        }
        if (closed && lingering) {
            lingering = false;
            scanRequested = true; // a deleted file among them is forgotten by the scan
        }
    }

    /** A file that will not grow any more: its held partial line is emitted as it is. */
    private void finishFile(TrackedFile f) throws IOException {
        Emitter e = emitter(f);
        f.splitter.flushPartial(e);
        if (e.joiner != null) {
            e.joiner.flush(e);
        }
    }

    private FileMeters meters(TrackedFile f) {
        if (f.meters == null || f.metersOrigin != f.origin) {
            f.metersOrigin = f.origin;
            f.meters = metrics.file(f.origin.toString());
        }
        return f.meters;
    }

    private Emitter emitter(TrackedFile f) {
        return emitters.computeIfAbsent(f, Emitter::new);
    }

    // ---------------------------------------------------------------------------------------------
    // Writing and checkpoints

    /** Turns one file's lines into output bytes. */
    private final class Emitter implements LineSplitter.Sink, MultilineJoiner.Sink {
        final TrackedFile file;
        final MultilineJoiner joiner;
        final ArrayDeque<Pending> pending = new ArrayDeque<>();

        Emitter(TrackedFile file) {
            this.file = file;
            this.joiner = json != null && options.multilineStart().isPresent()
                    ? new MultilineJoiner(options.multilineStart().get(), options.maxLineBytes()) : null;
        }

        /** Lines of the current chunk's runs not yet added to the counter. */
        long lines;

        @Override
        public void line(byte[] bytes, int offset, int length, long start, long end, int flags) throws IOException {
            flushSlice();
            FileMeters m = meters(file);
            m.lines.increment();
            if ((flags & (LineSplitter.SPLIT | LineSplitter.TRUNCATED)) != 0) {
                m.longLines.increment();
            }
            if ((flags & LineSplitter.PARTIAL) != 0) {
                m.partialFlushes.increment();
            }
            if (rawStdout) {
                out.add(bytes, offset, length);
                if ((flags & LineSplitter.TRUNCATED) != 0) {
                    out.add(TRUNCATED_MARK);
                }
                out.add((byte) '\n');
            }
            if (joiner != null) {
                joiner.line(bytes, offset, length, start, end, flags, System.nanoTime(), this);
                if (!joiner.holding()) {
                    markDirty(file);
                }
            } else {
                record(bytes, offset, length, start, end, flags);
            }
            if (out.length() >= FLUSH_BYTES) {
                flush();
            }
        }

        /** Raw output of whole lines straight from the (direct) read buffer: the lines are counted, not copied. */
        @Override
        public void run(ByteBuffer bytes, int offset, int length, long start, long end, int count) throws IOException {
            lines += count;
            if (rawStdout) {
                if (sliceTo != offset) {
                    flushSlice();
                    sliceFrom = offset;
                }
                sliceTo = offset + length;
            }
            file.emittedFast(end);
            markDirty(file);
            // No flush here: readFile flushes after each feed. The JIT inlines this callback into
            // LineSplitter.feed, and with flush() (stdout's whole write path) that compile took
            // ~0.5 s of a CPU in the middle of a burst (bench/log-sidecar, docs/benchmarks.md).
        }

        @Override
        public void record(byte[] bytes, int offset, int length, long start, long end, int flags) throws IOException {
            if (json != null) {
                record.clear();
                json.encode(record, Instant.now(), quoted(file.origin), start, bytes, offset, length,
                        (flags & LineSplitter.SPLIT) != 0, (flags & LineSplitter.TRUNCATED) != 0,
                        (flags & LineSplitter.PARTIAL) != 0);
                if (jsonStdout) {
                    out.add(record.array(), 0, record.length());
                }
                if (sink != null) {
                    try {
                        sink.add(record.array(), 0, record.length(), System.nanoTime());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IOException("interrupted while the sink was full", e);
                    }
                }
            }
            file.emitted(bytes, offset, length, flags == 0, end);
            markDirty(file);
        }

        @Override
        public void skipped(long endOffset) {
            if (joiner == null || !joiner.holding()) {
                file.skippedTo(endOffset);
                markDirty(file);
            }
        }
    }

    private void markDirty(TrackedFile f) {
        if (!f.dirty) {
            f.dirty = true;
            dirty.add(f);
        }
    }

    /** Copies the run of lines that is waiting in the read buffer to the output buffer (it comes first). */
    private void flushSlice() {
        if (sliceTo > sliceFrom) {
            out.add(readBuffer, sliceFrom, sliceTo - sliceFrom);
        }
        sliceFrom = 0;
        sliceTo = 0;
    }

    private byte[] quoted(Path origin) {
        return quotedOrigins.computeIfAbsent(origin, o -> JsonLines.quote(o.toString()));
    }

    /** Writes what is waiting to stdout; then the lines count as delivered (or as handed to the sink). */
    private void flush() throws IOException {
        if (sliceTo > sliceFrom && stdout != null) {
            // Whole lines straight from the read buffer: written from there, without a copy, after
            // what waits in the output buffer (which always comes before them).
            stdout.write(out.array(), 0, out.length(), readBuffer, sliceFrom, sliceTo); // one writev(2)
            out.clear();
            stdout.flush();
            sliceFrom = 0;
            sliceTo = 0;
        }
        flushSlice();
        if (chunkFile != null) {
            chunkFile.tailFromChunk(readBuffer, chunkStart, chunkLength); // a flush in the middle of a chunk
        }
        if (out.length() > 0) {
            if (stdout != null) {
                stdout.write(out.array(), 0, out.length());
                stdout.flush();
            }
            out.clear();
        }
        if (dirty.isEmpty()) {
            return;
        }
        for (TrackedFile f : dirty) {
            f.dirty = false;
            if (sink == null) {
                f.commit();
            } else {
                Emitter e = emitter(f);
                int tailLength = f.tailLength();
                e.pending.add(new Pending(sink.openSeq(), f.emitted, tailLength, tailLength == 0 ? 0 : f.tailCrc()));
            }
        }
        dirty.clear();
        checkpointDirty = true;
        if (sink == null) {
            // Right after the write: what a SIGKILL can repeat is at most this one write's lines.
            checkpoint(System.nanoTime());
        }
    }

    private void applyAcks() {
        if (sink == null) {
            return;
        }
        long acked = sink.ackedSeq();
        for (Emitter e : emitters.values()) {
            Pending p = null;
            while (!e.pending.isEmpty() && e.pending.peekFirst().seq() <= acked) {
                p = e.pending.pollFirst();
            }
            if (p != null) {
                e.file.commit(p.offset(), p.tailLength(), p.tailCrc());
                checkpointDirty = true;
            }
        }
    }

    private void checkpoint(long now) {
        boolean fsyncDue = now - lastFsync >= options.stateFsyncInterval().toNanos();
        if (checkpointDirty) {
            saveCheckpoint(fsyncDue);
        } else if (unsynced && fsyncDue) {
            checkpointDirty = true;
            saveCheckpoint(true);
        }
    }

    private void saveCheckpoint(boolean fsync) {
        if (state == null || !checkpointDirty) {
            return;
        }
        List<StateStore.Entry> entries = new ArrayList<>(known.size() + formers.size());
        for (TrackedFile f : known.values()) {
            entries.add(new StateStore.Entry(f.key, f.committed, f.headLength, f.headCrc, f.committedTailLength,
                    f.committedTailCrc, f.origin, f.path, false));
        }
        // Truncated files whose copy has not shown up yet: a restart must still recognise the copy.
        for (Former s : formers) {
            entries.add(new StateStore.Entry(s.key, s.offset, s.headLength, s.headCrc, s.tailLength, s.tailCrc, s.origin,
                    s.origin, true));
        }
        try {
            state.save(entries, fsync);
            metrics.checkpointWritten();
            checkpointDirty = false;
            unsynced = !fsync;
            if (fsync) {
                lastFsync = System.nanoTime();
            }
            if (checkpointFailing) {
                checkpointFailing = false;
                LOG.log(Level.INFO, "checkpoint " + state.file() + " written again");
            }
        } catch (IOException e) {
            metrics.checkpointFailed();
            if (!checkpointFailing) {
                checkpointFailing = true;
                LOG.log(Level.WARNING, "cannot write checkpoint " + state.file() + ": " + e
                        + "; tailing goes on, a restart now would repeat lines");
            }
        }
    }
}
