package dev.podkit.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podkit.runtime.config.ConfigException;
import dev.podkit.runtime.config.Setting;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class PodkitTest {
    private static final Setting<Integer> WORKERS = Setting.integer("WORKERS", 4, 1, 64, "worker count");
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    /** A helper whose in-flight work ends when the test says so. */
    static final class FakeHelper implements Helper {
        final CountDownLatch started = new CountDownLatch(1);
        final CompletableFuture<Void> inFlight = new CompletableFuture<>();
        final AtomicInteger drains = new AtomicInteger();
        final AtomicInteger closes = new AtomicInteger();

        @Override
        public void start() {
            started.countDown();
        }

        @Override
        public CompletableFuture<Void> drain() {
            drains.incrementAndGet();
            return inFlight;
        }

        @Override
        public void close() {
            closes.incrementAndGet();
        }
    }

    private static HelperDescriptor descriptor(HelperDescriptor.Factory factory) {
        return new HelperDescriptor("fake-helper", "a helper for tests", 9799, List.of(WORKERS), factory);
    }

    private int run(HelperDescriptor d, Map<String, String> env, Podkit.SignalSource signals, String... args) {
        return Podkit.run(d, args, env, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), signals);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private int status(int port, String path) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private void awaitStatus(int port, String path, int expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (status(port, path) != expected) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(path + " never answered " + expected);
            }
            Thread.sleep(20);
        }
    }

    /** A helper process running on another thread, and the way to signal it. */
    private record Running(CompletableFuture<Integer> exit, CompletableFuture<Consumer<String>> signals, int port) {
        void signal(String name) throws Exception {
            signals.get(5, TimeUnit.SECONDS).accept(name);
        }
    }

    private Running startInBackground(FakeHelper helper, String shutdownTimeout) throws Exception {
        CompletableFuture<Consumer<String>> signals = new CompletableFuture<>();
        int port = freePort();
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> run(descriptor(ctx -> helper),
                Map.of("ADMIN_PORT", Integer.toString(port), "ADMIN_ADDRESS", "127.0.0.1",
                        "SHUTDOWN_TIMEOUT", shutdownTimeout), signals::complete));
        awaitStatus(port, "/readyz", 200);
        return new Running(exit, signals, port);
    }

    private List<String> errLines() {
        return err.toString(StandardCharsets.UTF_8).lines().toList();
    }

    @Test
    void aBadCommonSettingExitsWith2AndOneLine() {
        int code = run(descriptor(ctx -> new FakeHelper()), Map.of("ADMIN_PORT", "abc"), handler -> { });
        assertEquals(2, code);
        assertEquals(List.of("config error: ADMIN_PORT: expected a port number 1-65535, got \"abc\""), errLines());
    }

    @Test
    void aBadHelperSettingExitsWith2AndOneLine() {
        int code = run(descriptor(ctx -> new FakeHelper()), Map.of("WORKERS", "100"), handler -> { });
        assertEquals(2, code);
        assertEquals(List.of("config error: WORKERS: expected a whole number 1-64, got \"100\""), errLines());
    }

    @Test
    void aSettingTheHelperRejectsExitsWith2AndOneLine() {
        int code = run(descriptor(ctx -> {
            throw ConfigException.of("WORKERS", "must be even when PAIRS is set");
        }), Map.of(), handler -> { });
        assertEquals(2, code);
        assertEquals(List.of("config error: WORKERS: must be even when PAIRS is set"), errLines());
    }

    @Test
    void helpListsEverySettingWithItsDefault() {
        assertEquals(0, run(descriptor(ctx -> new FakeHelper()), Map.of(), handler -> { }, "--help"));
        String help = out.toString(StandardCharsets.UTF_8);
        for (Setting<?> s : Podkit.settings(descriptor(ctx -> null))) {
            assertTrue(help.contains("  " + s.name() + " (default " + s.defaultText() + ";"), s.name() + " in\n" + help);
        }
        assertTrue(help.contains("ADMIN_PORT (default 9799;"), help);
    }

    @Test
    void unknownArgumentsAreRejected() {
        assertEquals(2, run(descriptor(ctx -> new FakeHelper()), Map.of(), handler -> { }, "--frobnicate"));
        assertEquals(1, errLines().size());
    }

    @Test
    void sigtermTurnsReadinessOffDrainsAndExitsZero() throws Exception {
        FakeHelper helper = new FakeHelper();
        Running running = startInBackground(helper, "30s");
        assertEquals(200, status(running.port(), "/healthz"));
        running.signal("TERM");

        awaitStatus(running.port(), "/readyz", 503);
        assertEquals(200, status(running.port(), "/healthz"), "still alive while draining");
        Thread.sleep(300);
        assertFalse(running.exit().isDone(), "must wait for in-flight work");
        assertEquals(0, helper.closes.get(), "nothing closed before the drain ends");

        helper.inFlight.complete(null);
        assertEquals(0, running.exit().get(10, TimeUnit.SECONDS));
        assertEquals(1, helper.drains.get());
        assertEquals(1, helper.closes.get());
        assertEquals(-1, status(running.port(), "/healthz"), "admin server closed at exit");
    }

    @Test
    void aDrainThatOutlastsShutdownTimeoutIsCutAndStillExitsZero() throws Exception {
        FakeHelper helper = new FakeHelper();
        Running running = startInBackground(helper, "300ms");
        long begin = System.nanoTime();
        running.signal("TERM");
        assertEquals(0, running.exit().get(20, TimeUnit.SECONDS));
        assertTrue(System.nanoTime() - begin >= TimeUnit.MILLISECONDS.toNanos(300), "waited for the timeout");
        assertEquals(1, helper.closes.get());
        assertFalse(helper.inFlight.isDone());
    }

    @Test
    void aSecondSignalCutsTheDrainShort() throws Exception {
        FakeHelper helper = new FakeHelper();
        Running running = startInBackground(helper, "1h");
        running.signal("TERM");
        awaitStatus(running.port(), "/readyz", 503);
        running.signal("INT");
        assertEquals(0, running.exit().get(20, TimeUnit.SECONDS));
        assertEquals(1, helper.closes.get());
    }

    @Test
    void anAdminPortInUseExitsWith1() throws Exception {
        try (ServerSocket busy = new ServerSocket(0)) {
            FakeHelper helper = new FakeHelper();
            Map<String, String> env = new HashMap<>();
            env.put("ADMIN_PORT", Integer.toString(busy.getLocalPort()));
            assertEquals(1, run(descriptor(ctx -> helper), env, handler -> { }));
            assertEquals(1, helper.started.getCount(), "helper not started when admin cannot bind");
            assertEquals(1, helper.closes.get());
        }
    }
}
