package dev.podkit.ambassador.proxy;

import java.lang.System.Logger.Level;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A warning that can happen thousands of times a second (out of file descriptors, connection
 * limit reached): logged at most once per interval, with the count of those left out.
 */
public final class RateLimitedLog {
    private final System.Logger log;
    private final long intervalNanos;
    private final AtomicLong nextNanos = new AtomicLong(System.nanoTime());
    private final AtomicLong suppressed = new AtomicLong();

    public RateLimitedLog(System.Logger log, long intervalNanos) {
        this.log = log;
        this.intervalNanos = intervalNanos;
    }

    public void warn(String message) {
        long now = System.nanoTime();
        long next = nextNanos.get();
        if (now - next >= 0 && nextNanos.compareAndSet(next, now + intervalNanos)) {
            long left = suppressed.getAndSet(0);
            log.log(Level.WARNING, left == 0 ? message : message + " (and " + left + " more like it since the last report)");
        } else {
            suppressed.incrementAndGet();
        }
    }
}
