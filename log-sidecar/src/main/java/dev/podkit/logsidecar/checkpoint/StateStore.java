package dev.podkit.logsidecar.checkpoint;

import dev.podkit.logsidecar.tail.FileKey;
import java.io.IOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The checkpoint file {@code STATE_DIR/log-sidecar.state}: one line per known file with its
 * identity, the offset the outputs confirmed and the checksums that prove the identity after a
 * restart. Replaced atomically (write a temp file, optionally fsync it, rename it over the old
 * one), so a killed process leaves either the old or the new version, never a torn one.
 */
public final class StateStore {
    public static final String FILE_NAME = "log-sidecar.state";
    private static final String HEADER = "# podkit log-sidecar state v1: dev ino offset headLen headCrc tailLen tailCrc origin path [former]";

    /**
     * One known file. {@code origin} is the LOG_PATHS match it belongs to, {@code path} where it was.
     * {@code former}: a truncated file whose copy (copytruncate) has not been found yet; it continues there.
     */
    public record Entry(FileKey key, long offset, int headLength, long headCrc, int tailLength, long tailCrc,
            Path origin, Path path, boolean former) {
    }

    private final Path file;
    private final Path temp;

    public StateStore(Path dir) {
        this.file = dir.resolve(FILE_NAME);
        this.temp = dir.resolve("." + FILE_NAME + ".tmp");
    }

    public Path file() {
        return file;
    }

    /** Checks that the directory takes the state file; throws with the reason if not. */
    public void checkWritable() throws IOException {
        Path probe = file.resolveSibling("." + FILE_NAME + ".probe");
        Files.write(probe, new byte[] {1});
        Files.delete(probe);
    }

    /** The saved entries, or empty if there is no state file yet (the very first start). */
    public Optional<List<Entry>> load() throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        List<Entry> entries = new ArrayList<>();
        for (String line : lines) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("\t");
            if (f.length != 9 && f.length != 10) {
                throw new IOException("bad line in " + file + ": " + line);
            }
            entries.add(new Entry(new FileKey(Long.parseLong(f[0]), Long.parseLong(f[1])), Long.parseLong(f[2]),
                    Integer.parseInt(f[3]), Long.parseLong(f[4]), Integer.parseInt(f[5]), Long.parseLong(f[6]),
                    Path.of(URLDecoder.decode(f[7], StandardCharsets.UTF_8)),
                    Path.of(URLDecoder.decode(f[8], StandardCharsets.UTF_8)), f.length == 10 && f[9].equals("former")));
        }
        return Optional.of(entries);
    }

    public void save(List<Entry> entries, boolean fsync) throws IOException {
        StringBuilder text = new StringBuilder(64 + entries.size() * 128).append(HEADER).append('\n');
        for (Entry e : entries) {
            text.append(e.key.dev()).append('\t').append(e.key.ino()).append('\t').append(e.offset).append('\t')
                    .append(e.headLength).append('\t').append(e.headCrc).append('\t').append(e.tailLength).append('\t')
                    .append(e.tailCrc).append('\t').append(URLEncoder.encode(e.origin.toString(), StandardCharsets.UTF_8))
                    .append('\t').append(URLEncoder.encode(e.path.toString(), StandardCharsets.UTF_8))
                    .append(e.former ? "\tformer\n" : "\n");
        }
        ByteBuffer bytes = ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8));
        try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            while (bytes.hasRemaining()) {
                out.write(bytes);
            }
            if (fsync) {
                out.force(true);
            }
        }
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        if (fsync) {
            syncDirectory();
        }
    }

    /** Makes the rename itself durable. */
    private void syncDirectory() {
        try (FileChannel dir = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException e) {
            // Some filesystems refuse to sync a directory; the file itself is synced.
        }
    }
}
