package dev.podkit.adapter.collect;

import dev.podkit.adapter.dsn.DataSource;
import dev.podkit.adapter.model.FamilySet;
import dev.podkit.adapter.model.MetricDesc;
import java.lang.System.Logger.Level;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One data source: its long-lived connection (plus one per discovered database) and its
 * collections. Scrapes that arrive while a collection runs share it instead of starting another;
 * a collection still running at the deadline is sealed and its connection cut off.
 */
public final class Target implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Target.class.getName());
    /** A collection that overran and a fresh one may run at once; more means the server is stuck. */
    private static final int MAX_RUNNING = 2;

    public static final MetricDesc STATIC = MetricDesc.untyped("pg_static", "Version string as reported by postgres",
            "server", "short_version", "version");

    private final DataSource source;
    private final boolean first;
    private final Duration timeout;
    private final Executor collectors;
    private final Executor aborter;
    private final Link main;
    private final Map<String, Link> databases = new ConcurrentHashMap<>();
    private final AtomicInteger running = new AtomicInteger();
    private volatile String lastProblem = "";
    /** The last failure of each collector (per database), so that a lasting one is logged once. */
    private final Map<String, String> failures = new ConcurrentHashMap<>();
    private Pending inflight;

    /** A collection that scrapes can wait for. */
    public final class Pending {
        private final Collection collection;
        private final CompletableFuture<Void> done;

        private Pending(Collection collection, CompletableFuture<Void> done) {
            this.collection = collection;
            this.done = done;
        }

        /** Waits until the collection ends or the deadline passes (then seals it and cuts its connection off). */
        public TargetResult await(long deadlineNanos) {
            try {
                done.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
                return collection.seal(false);
            } catch (TimeoutException e) {
                boolean wasOpen = !collection.isSealed();
                TargetResult result = collection.seal(true);
                if (wasOpen) {
                    problem("collection from " + source.redacted() + " took longer than COLLECTION_TIMEOUT="
                            + timeout.toMillis() + "ms; answering with what finished and reconnecting next time");
                    abortAll();
                }
                return result;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return collection.seal(true);
            } catch (java.util.concurrent.ExecutionException e) {
                return collection.seal(false);
            }
        }
    }

    public Target(DataSource source, boolean first, Duration timeout, Executor collectors, Executor aborter) {
        this.source = source;
        this.first = first;
        this.timeout = timeout;
        this.collectors = collectors;
        this.aborter = aborter;
        this.main = new Link(source, timeout, aborter);
    }

    public DataSource source() {
        return source;
    }

    /** Starts a collection, or joins the one running. */
    public synchronized Pending start(Plan plan) {
        if (inflight != null && !inflight.collection.isSealed()) {
            return inflight;
        }
        List<PgCollector> planned = new ArrayList<>(plan.forSource(first));
        Collection collection = new Collection(source, planned);
        CompletableFuture<Void> done = new CompletableFuture<>();
        Pending pending = new Pending(collection, done);
        if (running.get() >= MAX_RUNNING) {
            problem("earlier collections from " + source.redacted() + " are still stuck; not starting another");
            done.complete(null);
            inflight = pending;
            return pending;
        }
        running.incrementAndGet();
        try {
            collectors.execute(() -> {
                try {
                    run(plan, planned, collection);
                } catch (RuntimeException | Error e) {
                    LOG.log(Level.WARNING, "collection from " + source.redacted() + " failed", e);
                } finally {
                    running.decrementAndGet();
                    done.complete(null);
                }
            });
        } catch (RejectedExecutionException e) {
            running.decrementAndGet();
            problem("no collection thread free for " + source.redacted());
            done.complete(null);
        }
        inflight = pending;
        return pending;
    }

    private void run(Plan plan, List<PgCollector> planned, Collection collection) {
        PgSession session;
        try {
            session = main.session();
        } catch (SQLException e) {
            problem("cannot connect to " + source.redacted() + ": " + Errors.describe(e));
            return;
        }
        FamilySet statics = new FamilySet();
        statics.add(STATIC, 1, session.server(), session.version().semver(), session.versionString());
        collection.connected(statics);
        boolean ok = runAll(planned, session, main, collection);
        if (first && plan.discoverDatabases() && !collection.isSealed()) {
            ok &= discovered(plan, session, collection);
        }
        if (ok) {
            recovered();
        }
    }

    /**
     * Runs collectors on one connection; false if any failed. Consecutive collectors that are one
     * query each go to the server together, in one round trip; if that fails, they run again one by
     * one, so that a failing query (a missing privilege, a missing view) costs only its own samples.
     */
    private boolean runAll(List<PgCollector> list, PgSession session, Link link, Collection collection) {
        boolean allOk = true;
        int i = 0;
        while (i < list.size() && !collection.isSealed()) {
            List<PgCollector> batch = new ArrayList<>();
            List<String> queries = new ArrayList<>();
            while (i < list.size() && list.get(i).batchable()) {
                PgCollector c = list.get(i++);
                String sql = c.query(session.version());
                if (sql == null) {
                    collection.finished(c, new FamilySet(), 0, true); // nothing to ask this version
                } else {
                    batch.add(c);
                    queries.add(sql);
                }
            }
            if (batch.size() > 1 && runBatch(batch, queries, session, collection)) {
                batch.forEach(c -> failures.remove(c.name() + "@" + link.source().database()));
            } else {
                for (PgCollector c : batch) {
                    allOk &= runOne(c, session, link, collection);
                }
            }
            if (i < list.size() && !list.get(i).batchable()) {
                allOk &= runOne(list.get(i++), session, link, collection);
            }
        }
        return allOk;
    }

    /** One round trip for several collectors; false (nothing recorded) if any of their queries failed. */
    private static boolean runBatch(List<PgCollector> batch, List<String> queries, PgSession session, Collection collection) {
        long begin = System.nanoTime();
        List<FamilySet> results = new ArrayList<>();
        try (Statement st = session.connection().createStatement()) {
            boolean isResultSet = st.execute(String.join(";\n", queries));
            for (PgCollector c : batch) {
                if (!isResultSet) {
                    return false;
                }
                FamilySet samples = new FamilySet();
                try (ResultSet rs = st.getResultSet()) {
                    while (rs.next()) {
                        c.row(rs, session, samples);
                    }
                }
                results.add(samples);
                isResultSet = st.getMoreResults();
            }
        } catch (SQLException | RuntimeException e) {
            return false;
        }
        // One round trip for all of them: each collector's duration is its share of it.
        double seconds = (System.nanoTime() - begin) / 1e9 / batch.size();
        for (int k = 0; k < batch.size(); k++) {
            collection.finished(batch.get(k), results.get(k), seconds, true);
        }
        return true;
    }

    private boolean runOne(PgCollector c, PgSession session, Link link, Collection collection) {
        if (collection.isSealed()) {
            return true;
        }
        FamilySet samples = new FamilySet();
        long begin = System.nanoTime();
        boolean ok = true;
        String key = c.name() + "@" + link.source().database();
        try {
            c.collect(session, samples);
            failures.remove(key);
        } catch (SQLException | RuntimeException e) {
            ok = false;
            if (!collection.isSealed()) {
                failure(key, "collector " + c.name() + " failed on " + link.source().redacted() + ": " + Errors.describe(e));
            }
            if (e instanceof SQLException sql && Errors.isConnectionLost(sql)) {
                link.broken(session);
            }
        }
        collection.finished(c, samples, (System.nanoTime() - begin) / 1e9, ok);
        return ok;
    }

    private boolean discovered(Plan plan, PgSession session, Collection collection) {
        List<String> names = new ArrayList<>();
        try {
            session.query("SELECT datname FROM pg_database WHERE datallowconn AND NOT datistemplate ORDER BY datname",
                    rs -> names.add(rs.getString(1)));
        } catch (SQLException e) {
            LOG.log(Level.WARNING, "database discovery on " + source.redacted() + " failed: " + Errors.describe(e));
            return false;
        }
        Set<String> wanted = ConcurrentHashMap.newKeySet();
        for (String name : names) {
            if (!name.equals(source.database()) && plan.databaseFilter().test(name)) {
                wanted.add(name);
            }
        }
        // Databases that were dropped (or filtered out) give their connection back.
        databases.keySet().removeIf(name -> {
            if (!wanted.contains(name)) {
                databases.get(name).close();
                return true;
            }
            return false;
        });
        boolean allOk = true;
        List<PgCollector> perDatabase = plan.perDatabase();
        for (String name : names) {
            if (!wanted.contains(name) || collection.isSealed()) {
                continue;
            }
            Link link = databases.computeIfAbsent(name, n -> new Link(source.withDatabase(n), timeout, aborter));
            PgSession db;
            try {
                db = link.session();
            } catch (SQLException e) {
                LOG.log(Level.WARNING, "cannot connect to database " + name + " on " + source.fingerprint() + ": "
                        + Errors.describe(e));
                for (PgCollector c : perDatabase) {
                    collection.finished(c, new FamilySet(), 0, false);
                }
                allOk = false;
                continue;
            }
            allOk &= runAll(perDatabase, db, link, collection);
        }
        return allOk;
    }

    private void abortAll() {
        main.abort();
        databases.values().forEach(Link::abort);
    }

    /** Logs a problem once, not on every scrape while it lasts. */
    private void problem(String text) {
        if (!text.equals(lastProblem)) {
            lastProblem = text;
            LOG.log(Level.WARNING, text);
        } else {
            LOG.log(Level.DEBUG, text);
        }
    }

    private void failure(String key, String text) {
        if (!text.equals(failures.put(key, text))) {
            LOG.log(Level.WARNING, text);
        } else {
            LOG.log(Level.DEBUG, text);
        }
    }

    private void recovered() {
        if (!lastProblem.isEmpty()) {
            lastProblem = "";
            LOG.log(Level.INFO, "collecting from " + source.redacted() + " again");
        }
    }

    @Override
    public void close() {
        main.close();
        databases.values().forEach(Link::close);
        databases.clear();
    }
}
