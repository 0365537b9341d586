package dev.podkit.runtime;

import java.util.concurrent.CompletableFuture;

/**
 * A helper's job (tail logs, forward TCP, split requests, export metrics). The runtime owns
 * everything around it: configuration, the admin server, metrics, logging and the lifecycle.
 */
public interface Helper {

    /** Binds listeners and starts work; returns once the helper can serve, and {@code /readyz} turns 200. */
    void start() throws Exception;

    /**
     * Called on SIGTERM after {@code /readyz} has turned 503: stop accepting new work and complete
     * the future once in-flight work has finished. The runtime stops waiting at {@code SHUTDOWN_TIMEOUT}.
     */
    CompletableFuture<Void> drain();

    /** Releases everything, also what a timed-out drain left open. */
    void close();

    /**
     * A helper that serves nothing itself: the process still runs the admin server, metrics and
     * lifecycle. It is what a helper image runs until its own job is built.
     */
    static Helper idle() {
        return new Helper() {
            @Override
            public void start() {
            }

            @Override
            public CompletableFuture<Void> drain() {
                return CompletableFuture.completedFuture(null);
            }

            @Override
            public void close() {
            }
        };
    }
}
