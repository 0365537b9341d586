package dev.podkit.adapter.collect;

import dev.podkit.adapter.AdapterMeters;
import dev.podkit.adapter.dsn.DataSource;
import dev.podkit.adapter.model.FamilySet;
import dev.podkit.adapter.model.MetricDesc;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * What {@code /metrics} and {@code /probe} show: postgres_exporter's families, collected per
 * scrape from every data source within {@code COLLECTION_TIMEOUT}. Nothing is kept between
 * scrapes but connections, so a dropped table's series are gone on the next scrape.
 */
public final class Exporter implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Exporter.class.getName());
    /** Probe targets kept connected; the least recently probed one is closed beyond this. */
    static final int PROBE_TARGETS = 16;

    public static final MetricDesc UP = MetricDesc.gauge("pg_up",
            "Whether the last scrape of metrics from PostgreSQL was able to connect to the server (1 for yes, 0 for no).");
    public static final MetricDesc LAST_SCRAPE_DURATION = MetricDesc.gauge("pg_exporter_last_scrape_duration_seconds",
            "Duration of the last scrape of metrics from PostgreSQL.");
    public static final MetricDesc LAST_SCRAPE_ERROR = MetricDesc.gauge("pg_exporter_last_scrape_error",
            "Whether the last scrape of metrics from PostgreSQL resulted in an error (1 for error, 0 for success).");
    public static final MetricDesc SCRAPES = MetricDesc.counter("pg_exporter_scrapes_total",
            "Total number of times PostgreSQL was scraped for metrics.");
    public static final MetricDesc COLLECTOR_DURATION = MetricDesc.gauge("pg_scrape_collector_duration_seconds",
            "postgres_exporter: Duration of a collector scrape.", "collector");
    public static final MetricDesc COLLECTOR_SUCCESS = MetricDesc.gauge("pg_scrape_collector_success",
            "postgres_exporter: Whether a collector succeeded.", "collector");
    public static final MetricDesc BUILD_INFO = MetricDesc.gauge("postgres_exporter_build_info",
            "A metric with a constant '1' value labeled by version, revision, branch, goversion from which postgres_exporter was built, and the goos and goarch for the build.",
            "branch", "goarch", "goos", "goversion", "revision", "version");

    private final List<Target> targets = new ArrayList<>();
    private final Plan plan;
    private final Plan probePlan;
    private final Duration timeout;
    private final AdapterMeters meters;
    private final String version;
    private final Supplier<FamilySet> extraFamilies;
    private final ExecutorService collectors;
    private final ExecutorService aborter;
    private final AtomicLong scrapes = new AtomicLong();
    private final Map<DataSource, Target> probeTargets = new LinkedHashMap<>(16, 0.75f, true);

    public Exporter(List<DataSource> sources, Plan plan, Duration timeout, AdapterMeters meters, String version,
            Supplier<FamilySet> extraFamilies) {
        this.plan = plan;
        this.probePlan = new Plan(plan.collectors().stream().filter(PgCollector::reported).toList(), false,
                plan.databaseFilter());
        this.timeout = timeout;
        this.meters = meters;
        this.version = version;
        this.extraFamilies = extraFamilies;
        // Threads only while collections run; a stuck one ends at the socket timeout at the latest.
        // Per target: two collections (one that overran and a fresh one) and the second connection's work.
        int max = 3 * (sources.size() + PROBE_TARGETS) + 2;
        this.collectors = new ThreadPoolExecutor(0, max, 30, TimeUnit.SECONDS, new SynchronousQueue<>(),
                daemonThreads("pg-collect"));
        this.aborter = new ThreadPoolExecutor(0, 4, 10, TimeUnit.SECONDS, new java.util.concurrent.LinkedBlockingQueue<>(),
                daemonThreads("pg-abort"));
        for (int i = 0; i < sources.size(); i++) {
            targets.add(new Target(sources.get(i), i == 0, timeout, collectors, aborter));
        }
    }

    private static java.util.concurrent.ThreadFactory daemonThreads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    public List<DataSource> sources() {
        return targets.stream().map(Target::source).toList();
    }

    /** One scrape of every data source: what {@code /metrics} shows. Never longer than COLLECTION_TIMEOUT (plus rendering). */
    public FamilySet scrape() {
        return startScrape().get();
    }

    /**
     * Starts a {@link #scrape()} and returns what waits for its result, so that a caller can do
     * other work (render the process's own meters) while the databases answer.
     */
    public Supplier<FamilySet> startScrape() {
        long begin = System.nanoTime();
        long deadline = begin + timeout.toNanos();
        List<Target.Pending> pending = targets.stream().map(t -> t.start(plan)).toList();
        return () -> finish(begin, deadline, pending);
    }

    private FamilySet finish(long begin, long deadline, List<Target.Pending> pending) {
        List<TargetResult> results = pending.stream().map(p -> p.await(deadline)).toList();

        FamilySet out = new FamilySet();
        boolean error = false;
        if (!results.isEmpty()) {
            boolean allUp = results.stream().allMatch(TargetResult::up);
            out.add(UP, allUp ? 1 : 0);
            outcomes(results.get(0), out);
            for (TargetResult r : results) {
                out.addAll(r.families());
                error |= !r.up() || r.serverError();
                if (r.timedOut()) {
                    meters.timeout();
                }
            }
        }
        FamilySet extra = extraFamilies.get();
        if (extra != null) {
            out.addAll(extra);
        }
        out.add(LAST_SCRAPE_DURATION, (System.nanoTime() - begin) / 1e9);
        out.add(LAST_SCRAPE_ERROR, error ? 1 : 0);
        out.add(SCRAPES, scrapes.incrementAndGet());
        buildInfo(out);
        conflicts(out);
        return out;
    }

    /** One collection from a target named by {@code /probe}: its collectors' families and pg_up. */
    public FamilySet probe(DataSource source) {
        Target target;
        synchronized (probeTargets) {
            target = probeTargets.get(source);
            if (target == null) {
                target = new Target(source, true, timeout, collectors, aborter);
                probeTargets.put(source, target);
                if (probeTargets.size() > PROBE_TARGETS) {
                    var eldest = probeTargets.entrySet().iterator().next();
                    probeTargets.remove(eldest.getKey());
                    eldest.getValue().close();
                }
            }
        }
        TargetResult r = target.start(probePlan).await(System.nanoTime() + timeout.toNanos());
        if (r.timedOut()) {
            meters.timeout();
        }
        FamilySet out = new FamilySet();
        out.add(UP, r.up() ? 1 : 0);
        outcomes(r, out);
        out.addAll(r.families());
        conflicts(out);
        return out;
    }

    /** Every planned collector, also when the server is down or stalled (then as failed). */
    private static void outcomes(TargetResult r, FamilySet out) {
        for (Outcome o : r.outcomes()) {
            out.add(COLLECTOR_DURATION, o.seconds(), o.collector());
            out.add(COLLECTOR_SUCCESS, o.success() ? 1 : 0, o.collector());
        }
    }

    private void buildInfo(FamilySet out) {
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        String goarch = switch (arch) {
            case "x86_64", "amd64" -> "amd64";
            case "aarch64", "arm64" -> "arm64";
            default -> arch;
        };
        out.add(BUILD_INFO, 1, "podkit", goarch, System.getProperty("os.name", "").toLowerCase(Locale.ROOT),
                "java" + Runtime.version().feature(), "podkit-metrics-adapter", version);
    }

    private void conflicts(FamilySet out) {
        if (out.conflicts() > 0) {
            meters.duplicates(out.conflicts());
            LOG.log(Level.DEBUG, "dropped " + out.conflicts() + " duplicate samples of " + out.conflictNames());
        }
    }

    @Override
    public void close() {
        targets.forEach(Target::close);
        synchronized (probeTargets) {
            probeTargets.values().forEach(Target::close);
            probeTargets.clear();
        }
        collectors.shutdownNow();
        aborter.shutdown();
    }
}
