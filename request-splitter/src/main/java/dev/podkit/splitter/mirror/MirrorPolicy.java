package dev.podkit.splitter.mirror;

import dev.podkit.splitter.config.MirrorConfig;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Which requests get a shadow copy: a random {@code percent} of them, as long as fewer than
 * {@code max_in_flight} copies are under way and the body fits {@code max_body_bytes}. A copy never
 * waits for anything: when a limit is hit, the request is simply not mirrored.
 */
public final class MirrorPolicy {
    private final AtomicInteger inFlight = new AtomicInteger();

    /** Whether to copy a request whose body is {@code contentLength} bytes ({@code -1}: not known yet). */
    public boolean select(MirrorConfig config, long contentLength) {
        if (contentLength > config.maxBodyBytes()) {
            return false;
        }
        int hundredths = config.percent().hundredths();
        return hundredths > 0 && ThreadLocalRandom.current().nextInt(10_000) < hundredths;
    }

    /** Takes an in-flight slot; false when the limit is reached. */
    public boolean acquire(MirrorConfig config) {
        while (true) {
            int n = inFlight.get();
            if (n >= config.maxInFlight()) {
                return false;
            }
            if (inFlight.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    public void release() {
        inFlight.decrementAndGet();
    }

    public int inFlight() {
        return inFlight.get();
    }
}
