import java.io.BufferedReader;
import java.io.FileOutputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Append-to-stdout latency of a tailer: appends numbered lines carrying their write time to a file
 * at a fixed rate, reads the tailer's stdout and prints the delay of each line (same clock, same
 * machine). Usage: java LatencyProbe.java FILE RATE SECONDS -- COMMAND... ; with LATENCY_FROM=FIFO in the
 * environment the tool's output is read from that FIFO instead of its stdout. Prints
 * "p50_ms p99_ms max_ms received sent". Bounded: stops after SECONDS (plus 5 s for stragglers).
 */
public class LatencyProbe {
    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        int rate = Integer.parseInt(args[1]);
        int seconds = Integer.parseInt(args[2]);
        List<String> command = Arrays.asList(args).subList(4, args.length);
        Files.deleteIfExists(file);
        Files.createFile(file);
        Process tool = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        int total = rate * seconds;
        long[] sentAt = new long[total];
        long[] delay = new long[total];
        Arrays.fill(delay, -1);
        String pad = "x".repeat(70);
        Thread reader = new Thread(() -> {
            // LATENCY_FROM: a FIFO the tool writes to instead of its stdout (a container's JVM writes there directly)
            String from = System.getenv("LATENCY_FROM");
            try (BufferedReader in = new BufferedReader(new InputStreamReader(
                    from == null ? tool.getInputStream() : new java.io.FileInputStream(from), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    long now = System.nanoTime();
                    if (line.startsWith("probe ")) {
                        int seq = Integer.parseInt(line.substring(6, line.indexOf(' ', 6)));
                        if (seq >= 0 && seq < total && delay[seq] < 0) {
                            delay[seq] = now - sentAt[seq];
                        }
                    }
                }
            } catch (Exception e) {
                // the tool was stopped
            }
        });
        reader.start();
        Thread.sleep(3000); // the tool starts and opens the file (a JVM needs a moment)
        try (FileOutputStream out = new FileOutputStream(file.toFile(), true)) {
            long begin = System.nanoTime();
            long period = TimeUnit.SECONDS.toNanos(1) / rate;
            for (int i = 0; i < total; i++) {
                long due = begin + i * period;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                sentAt[i] = System.nanoTime();
                out.write(("probe " + i + " " + pad + "\n").getBytes(StandardCharsets.UTF_8));
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline && Arrays.stream(delay).anyMatch(d -> d < 0)) {
            Thread.sleep(50);
        }
        tool.destroy();
        if (!tool.waitFor(10, TimeUnit.SECONDS)) {
            tool.destroyForcibly();
        }
        List<Long> got = new ArrayList<>();
        for (long d : delay) {
            if (d >= 0) {
                got.add(d);
            }
        }
        got.sort(null);
        if (got.isEmpty()) {
            System.out.println("nan nan nan 0 " + total);
            return;
        }
        System.out.printf("%.3f %.3f %.3f %d %d%n", got.get(got.size() / 2) / 1e6,
                got.get(Math.min(got.size() - 1, (int) Math.ceil(got.size() * 0.99) - 1)) / 1e6,
                got.get(got.size() - 1) / 1e6, got.size(), total);
    }
}
