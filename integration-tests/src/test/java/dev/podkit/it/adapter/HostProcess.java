package dev.podkit.it.adapter;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A peer program from Debian (postgres_exporter, Prometheus, promtool) run on the test's host,
 * on loopback only, stopped when the test ends. Missing programs fail the test: .ci/run installs them.
 */
final class HostProcess implements AutoCloseable {
    private final Process process;
    private final Path log;

    private HostProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    static Path program(String name, String debianPackage) {
        for (String dir : List.of("/usr/bin", "/usr/local/bin", "/usr/sbin")) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        throw new AssertionError(name + " is not installed: apt-get install -y --no-install-recommends " + debianPackage
                + " (.ci/run does this)");
    }

    static HostProcess start(List<String> command, Map<String, String> env) throws IOException {
        Path log = Files.createTempFile("podkit-peer-", ".log");
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        return new HostProcess(pb.start(), log);
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Waits (bounded) until the URL answers 200. */
    void awaitHttp(String url, Duration max) throws Exception {
        long deadline = System.nanoTime() + max.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("exited with " + process.exitValue() + ": " + log());
            }
            try {
                if (Scrapes.get(url, null).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                last = e;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no answer from " + url + " (" + last + "): " + log());
    }

    String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return e.toString();
        }
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
        Files.deleteIfExists(log);
    }
}
