package dev.podkit.logsidecar.output;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * POSTs newline-delimited JSON batches to a collector, in order, one at a time, retrying each
 * with exponential backoff until it is acknowledged (a 2xx answer). Unacknowledged batches are
 * held up to a byte limit; beyond it {@link #seal} blocks, which pauses reading instead of
 * dropping lines. Sequence numbers tell the tailer which lines the collector has.
 */
public final class HttpSink implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(HttpSink.class.getName());
    private static final Duration FIRST_RETRY = Duration.ofMillis(100);

    private record Batch(long seq, byte[] body, int lines) {
    }

    private final URI url;
    private final int batchBytes;
    private final long bufferBytes;
    private final Duration timeout;
    private final Duration retryMax;
    private final String authorization;
    private final Runnable onAck;
    private final HttpClient client;
    private final Thread sender;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<Batch> queue = new ArrayDeque<>();
    private long queuedBytes;
    private long lastSeq;
    private volatile long ackedSeq;
    private volatile boolean closed;

    private final Bytes open;
    private int openLines;
    private long openSinceNanos;

    private Counter sentLines;
    private Counter sentBatches;
    private Counter errors;
    private Counter retries;
    private Timer latency;

    public HttpSink(URI url, int batchBytes, long bufferBytes, Duration timeout, Duration retryMax,
            String authorization, Runnable onAck) {
        this.url = url;
        this.batchBytes = batchBytes;
        this.bufferBytes = bufferBytes;
        this.timeout = timeout;
        this.retryMax = retryMax;
        this.authorization = authorization;
        this.onAck = onAck;
        this.open = new Bytes(Math.min(batchBytes, 64 * 1024));
        this.client = HttpClient.newBuilder().connectTimeout(timeout).version(HttpClient.Version.HTTP_1_1).build();
        this.sender = new Thread(this::sendLoop, "log-sink");
        this.sender.setDaemon(true);
    }

    public void bindTo(MeterRegistry registry) {
        sentLines = Counter.builder("podkit.logsidecar.sink.lines").description("Lines the sink acknowledged").register(registry);
        sentBatches = Counter.builder("podkit.logsidecar.sink.batches").description("Batches the sink acknowledged").register(registry);
        errors = Counter.builder("podkit.logsidecar.sink.errors")
                .description("Failed POSTs (connection errors, timeouts, non-2xx answers)").register(registry);
        retries = Counter.builder("podkit.logsidecar.sink.retries").description("POSTs repeated after a failure").register(registry);
        latency = Timer.builder("podkit.logsidecar.sink.request").description("Duration of successful POSTs").register(registry);
        Gauge.builder("podkit.logsidecar.sink.buffered", this, s -> s.queuedBytes).baseUnit("bytes")
                .description("Bytes of batches not acknowledged yet").strongReference(true).register(registry);
    }

    public void start() {
        sender.start();
    }

    /** The sequence number the batch being filled will get. */
    public long openSeq() {
        return lastSeq + 1;
    }

    public long ackedSeq() {
        return ackedSeq;
    }

    /** Whether the open batch is full or has waited long enough. */
    public boolean sealDue(long nowNanos, long flushIntervalNanos) {
        return openLines > 0 && (open.length() >= batchBytes || nowNanos - openSinceNanos >= flushIntervalNanos);
    }

    /** When the open batch must be sent at the latest ({@link Long#MAX_VALUE} if it is empty). */
    public long sealDeadline(long flushIntervalNanos) {
        return openLines == 0 ? Long.MAX_VALUE : openSinceNanos + flushIntervalNanos;
    }

    /** Adds one encoded line (ending in a newline) to the open batch. */
    public void add(byte[] line, int off, int len, long nowNanos) throws InterruptedException {
        if (openLines > 0 && open.length() + len > batchBytes) {
            seal();
        }
        if (openLines == 0) {
            openSinceNanos = nowNanos;
        }
        open.add(line, off, len);
        openLines++;
    }

    /** Hands the open batch to the sender; blocks while the buffer is full (backpressure). */
    public void seal() throws InterruptedException {
        if (openLines == 0) {
            return;
        }
        byte[] body = Arrays.copyOf(open.array(), open.length());
        lock.lockInterruptibly();
        try {
            while (!closed && queuedBytes > 0 && queuedBytes + body.length > bufferBytes) {
                changed.await(100, TimeUnit.MILLISECONDS);
            }
            lastSeq++;
            queue.addLast(new Batch(lastSeq, body, openLines));
            queuedBytes += body.length;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        open.clear();
        open.shrink(64 * 1024);
        openLines = 0;
    }

    /** Waits until every sealed batch was acknowledged, or the deadline passed; true if all were. */
    public boolean awaitAcknowledged(long deadlineNanos) throws InterruptedException {
        lock.lockInterruptibly();
        try {
            while (ackedSeq < lastSeq && !closed) {
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                changed.awaitNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
            }
            return ackedSeq >= lastSeq;
        } finally {
            lock.unlock();
        }
    }

    private void sendLoop() {
        while (!closed) {
            Batch batch;
            lock.lock();
            try {
                while (queue.isEmpty() && !closed) {
                    changed.await(1, TimeUnit.SECONDS);
                }
                if (closed) {
                    return;
                }
                batch = queue.peekFirst();
            } catch (InterruptedException e) {
                return;
            } finally {
                lock.unlock();
            }
            if (!deliver(batch)) {
                return;
            }
            lock.lock();
            try {
                queue.pollFirst();
                queuedBytes -= batch.body.length;
                ackedSeq = batch.seq;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
            sentLines.increment(batch.lines);
            sentBatches.increment();
            onAck.run();
        }
    }

    /** Sends until acknowledged; false only when closing. */
    private boolean deliver(Batch batch) {
        Duration wait = FIRST_RETRY;
        boolean failedBefore = false;
        while (!closed) {
            if (failedBefore) {
                retries.increment();
            }
            long begin = System.nanoTime();
            String problem;
            try {
                HttpRequest.Builder request = HttpRequest.newBuilder(url).timeout(timeout)
                        .header("Content-Type", "application/x-ndjson")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(batch.body));
                if (!authorization.isEmpty()) {
                    request.header("Authorization", authorization);
                }
                HttpResponse<Void> response = client.send(request.build(), HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() / 100 == 2) {
                    latency.record(System.nanoTime() - begin, TimeUnit.NANOSECONDS);
                    if (failedBefore) {
                        LOG.log(Level.INFO, "sink " + url + " accepts batches again");
                    }
                    return true;
                }
                problem = "answered " + response.statusCode();
            } catch (InterruptedException e) {
                return false;
            } catch (Exception e) {
                problem = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
            }
            errors.increment();
            if (!failedBefore) {
                LOG.log(Level.WARNING, "sink " + url + " " + problem + "; retrying batch " + batch.seq + " ("
                        + batch.lines + " lines) with backoff up to " + retryMax.toMillis() + " ms; reading pauses when "
                        + bufferBytes + " bytes are waiting");
            }
            failedBefore = true;
            try {
                Thread.sleep(wait.toMillis());
            } catch (InterruptedException e) {
                return false;
            }
            wait = wait.multipliedBy(2).compareTo(retryMax) > 0 ? retryMax : wait.multipliedBy(2);
        }
        return false;
    }

    @Override
    public void close() {
        closed = true;
        sender.interrupt();
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
