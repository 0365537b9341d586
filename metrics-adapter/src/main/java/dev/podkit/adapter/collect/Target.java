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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One data source: its long-lived connections (two: the collectors that want a connection of their
 * own, {@link PgCollector#ownConnection}, run on the second while the others run on the first;
 * plus one per discovered database) and its collections. Scrapes that arrive while a collection
 * runs share it instead of starting another; a collection still running at the deadline is sealed
 * and its connections cut off.
 */
public final class Target implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Target.class.getName());
    /** A collection that overran and a fresh one may run at once; more means the server is stuck. */
    private static final int MAX_RUNNING = 2;
    /** How long collections stay on one connection after the server refused a second (too many connections). */
    static final Duration SIDE_RETRY = Duration.ofMinutes(1);
    private static final String SECOND_CONNECTION = "second connection";

    public static final MetricDesc STATIC = MetricDesc.untyped("pg_static", "Version string as reported by postgres",
            "server", "short_version", "version");

    private final DataSource source;
    private final boolean first;
    private final Duration timeout;
    private final Executor collectors;
    private final Executor aborter;
    private final Link main;
    /** The second connection: collectors that want one of their own run there, beside the others. */
    private final Link side;
    /** Whether a collection's work on the second connection still runs (at most one at a time). */
    private final AtomicBoolean sideBusy = new AtomicBoolean();
    /** After the second connection could not be opened: not before this (nanoTime) again. */
    private volatile long sideRetryAt = System.nanoTime();
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
        this.side = new Link(source, timeout, aborter, " (" + SECOND_CONNECTION + ")");
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
        long deadline = System.nanoTime() + timeout.toNanos();
        Use use;
        try {
            use = new Use(main, main.lease(), collection, true);
        } catch (SQLException e) {
            problem("cannot connect to " + source.redacted() + ": " + Errors.describe(e));
            return;
        }
        // Only once the first connection is there: a second one must never take the last
        // connection slot (a role's CONNECTION LIMIT, max_connections) from the first.
        Side aside = startSide(planned, collection);
        boolean ok;
        try {
            ok = runAll(planned, use, collection, aside);
            if (collection.isSealed()) {
                return; // the timeout cut it off (and said so)
            }
            // pg_up needs an answer on the first connection, also when nothing else asked it anything.
            use.prove();
            if (first && plan.discoverDatabases() && !collection.isSealed()) {
                ok &= discovered(plan, use.session, collection);
            }
            if (aside != null) {
                ok &= aside.finish(use, collection, deadline);
            }
        } catch (Lost e) {
            problem("cannot connect to " + source.redacted() + ": " + Errors.describe(e.cause));
            return;
        } catch (SQLException e) {
            // The first connection never answered (prove() after its reconnect): no pg_up, as when it cannot connect.
            if (!collection.isSealed()) {
                problem("cannot connect to " + source.redacted() + ": " + Errors.describe(e));
            }
            return;
        }
        if (ok) {
            recovered();
        }
    }

    /**
     * Runs collectors on one connection; false if any failed. Consecutive collectors that are one
     * query each go to the server together, in one round trip; if that fails, they run again one by
     * one, so that a failing query (a missing privilege, a missing view) costs only its own samples.
     * Collectors that the second connection runs ({@code aside}) only get their place in the result here.
     */
    private boolean runAll(List<PgCollector> list, Use use, Collection collection, Side aside) {
        boolean allOk = true;
        int i = 0;
        while (i < list.size() && !collection.isSealed()) {
            List<PgCollector> batch = new ArrayList<>();
            List<String> queries = new ArrayList<>();
            while (i < list.size() && list.get(i).batchable()) {
                PgCollector c = list.get(i++);
                if (aside != null && aside.takes(c)) {
                    aside.reserved(c, collection.reserve(c));
                    continue;
                }
                String sql = c.query(use.session.version());
                if (sql == null) {
                    collection.finished(c, new FamilySet(), 0, true); // nothing to ask this version
                } else {
                    batch.add(c);
                    queries.add(sql);
                }
            }
            if (batch.size() > 1 && runBatch(batch, queries, use, collection)) {
                batch.forEach(c -> failures.remove(c.name() + "@" + use.link.source().database()));
            } else {
                for (PgCollector c : batch) {
                    allOk &= runOne(c, use, collection.reserve(c));
                }
            }
            if (i < list.size() && !list.get(i).batchable()) {
                PgCollector c = list.get(i++);
                if (aside != null && aside.takes(c)) {
                    aside.reserved(c, collection.reserve(c));
                } else {
                    // A query of its own (a custom query may answer from its cache without asking
                    // the server): a kept connection is checked first, as only a round trip can be retried.
                    try {
                        use.prove();
                    } catch (SQLException e) {
                        // The collector meets the same failure and reports it.
                    }
                    allOk &= runOne(c, use, collection.reserve(c));
                }
            }
        }
        return allOk;
    }

    /** One round trip for several collectors; false (nothing recorded) if any of their queries failed. */
    private static boolean runBatch(List<PgCollector> batch, List<String> queries, Use use, Collection collection) {
        long begin = System.nanoTime();
        List<FamilySet> results;
        try {
            results = use.trip(session -> batchResults(batch, queries, session));
        } catch (Lost e) {
            throw e;
        } catch (SQLException | RuntimeException e) {
            return false;
        }
        if (results == null) {
            return false;
        }
        // One round trip for all of them: each collector's duration is its share of it.
        double seconds = (System.nanoTime() - begin) / 1e9 / batch.size();
        for (int k = 0; k < batch.size(); k++) {
            collection.finished(batch.get(k), results.get(k), seconds, true);
        }
        return true;
    }

    /** The batch's results, one per collector, or null if a statement gave no result set. */
    private static List<FamilySet> batchResults(List<PgCollector> batch, List<String> queries, PgSession session)
            throws SQLException {
        List<FamilySet> results = new ArrayList<>();
        try (Statement st = session.connection().createStatement()) {
            boolean isResultSet = st.execute(String.join(";\n", queries));
            for (PgCollector c : batch) {
                if (!isResultSet) {
                    return null;
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
        }
        return results;
    }

    /** Runs one collector on its own and fills its place in the result; false if it failed. */
    private boolean runOne(PgCollector c, Use use, Collection.Place slot) {
        Collection collection = use.collection;
        if (collection.isSealed()) {
            return true;
        }
        FamilySet[] samples = {new FamilySet()};
        long begin = System.nanoTime();
        boolean ok = true;
        String key = c.name() + "@" + use.link.source().database();
        try {
            use.trip(session -> {
                samples[0] = new FamilySet(); // a repeated round trip starts over
                c.collect(session, samples[0]);
                return null;
            });
            failures.remove(key);
        } catch (Lost e) {
            throw e;
        } catch (SQLException | RuntimeException e) {
            ok = false;
            if (!collection.isSealed()) {
                failure(key, "collector " + c.name() + " failed on " + use.link.source().redacted() + ": " + Errors.describe(e));
            }
            if (e instanceof SQLException sql && Errors.isConnectionLost(sql)) {
                use.link.broken(use.session);
            }
        }
        slot.fill(samples[0], (System.nanoTime() - begin) / 1e9, ok);
        return ok;
    }

    /** A round trip on a {@link Use}'s session. */
    @FunctionalInterface
    private interface Trip<T> {
        T run(PgSession session) throws SQLException;
    }

    /** A reconnect after a lost connection failed: the collection goes on without that connection. */
    private static final class Lost extends RuntimeException {
        final SQLException cause;

        Lost(SQLException cause) {
            super(cause.getMessage(), cause, false, false);
            this.cause = cause;
        }
    }

    /**
     * A link's connection during one collection. A connection kept from an earlier collection is
     * used without a check (a round trip per scrape); if its first round trip finds it lost (the
     * backend was terminated, the server restarted: SQLSTATE class 08 or 57P, or a closed
     * connection), it is replaced and that round trip runs again, once. A connection opened in this
     * collection, or one that answered, is not retried: a later failure fails its collectors, as
     * a failure in the middle of a collection always did.
     */
    private final class Use {
        final Link link;
        final Collection collection;
        /** The first connection, whose answer is {@code pg_up} and {@code pg_static}. */
        private final boolean primary;
        PgSession session;
        private boolean proven;
        private boolean retried;

        Use(Link link, Link.Lease lease, Collection collection, boolean primary) {
            this.link = link;
            this.collection = collection;
            this.primary = primary;
            this.session = lease.session();
            if (lease.fresh()) {
                proven();
            }
        }

        <T> T trip(Trip<T> call) throws SQLException {
            while (true) {
                try {
                    T result = call.run(session);
                    proven();
                    return result;
                } catch (SQLException e) {
                    if (proven || !Errors.isConnectionLost(e)) {
                        proven(); // the server answered, with an error
                        throw e;
                    }
                    if (retried || collection.isSealed()) {
                        throw e;
                    }
                    retried = true;
                    Link.Lease lease;
                    try {
                        lease = link.reconnect(session);
                    } catch (SQLException c) {
                        throw new Lost(c);
                    }
                    session = lease.session();
                    if (lease.fresh()) {
                        proven();
                    }
                } catch (RuntimeException e) {
                    proven(); // a row the collector could not read: the server did answer
                    throw e;
                }
            }
        }

        /** Makes sure the connection answered in this collection: a round trip if nothing else made one. */
        void prove() throws SQLException {
            if (!proven) {
                int seconds = (int) Math.max(1, (timeout.toMillis() + 999) / 1000);
                trip(s -> {
                    if (!s.connection().isValid(seconds)) {
                        throw new SQLException("the connection does not answer", "08006");
                    }
                    return null;
                });
            }
        }

        private void proven() {
            if (!proven) {
                proven = true;
                if (primary) {
                    FamilySet statics = new FamilySet();
                    statics.add(STATIC, 1, session.server(), session.version().semver(), session.versionString());
                    collection.connected(statics);
                }
            }
        }
    }

    /** The collectors that want a connection of their own, started on the second connection; null if none. */
    private Side startSide(List<PgCollector> planned, Collection collection) {
        List<PgCollector> own = planned.stream().filter(PgCollector::ownConnection).toList();
        if (own.isEmpty()) {
            return null;
        }
        Side aside = new Side(own);
        if (System.nanoTime() - sideRetryAt < 0 || !sideBusy.compareAndSet(false, true)) {
            // The second connection could not be opened a moment ago, or still serves an earlier
            // collection that overran: this one runs them on the first connection, so that a
            // stuck server never gets a third.
            aside.done.complete(null);
            return aside;
        }
        try {
            collectors.execute(() -> {
                try {
                    aside.run(collection);
                } catch (RuntimeException | Error e) {
                    LOG.log(Level.WARNING, "collection from " + source.redacted() + " failed on the second connection", e);
                } finally {
                    sideBusy.set(false);
                    aside.done.complete(null);
                }
            });
        } catch (RejectedExecutionException e) {
            sideBusy.set(false);
            aside.done.complete(null);
        }
        return aside;
    }

    /**
     * Collectors on the second connection, run while the first connection runs the others (as
     * postgres_exporter collects with two connections at once). Each one's samples go where the
     * first connection's run order puts them, so the result is the same as one after another. If
     * the second connection is not there (it cannot connect, no thread is free, it is still busy),
     * the first connection runs them at the end, as it would without a second one.
     */
    private final class Side {
        private final List<PgCollector> own;
        /** Per collector: its place (reserved by the first connection) and its run (done by the second). */
        private final Map<PgCollector, Handoff> handoffs = new java.util.IdentityHashMap<>();
        /** Completes when the second connection is done: with the failure to get a connection, or null. */
        final CompletableFuture<SQLException> done = new CompletableFuture<>();
        private volatile boolean ran;

        Side(List<PgCollector> own) {
            this.own = own;
            own.forEach(c -> handoffs.put(c, new Handoff()));
        }

        boolean takes(PgCollector c) {
            return handoffs.containsKey(c);
        }

        void reserved(PgCollector c, Collection.Slot slot) {
            handoffs.get(c).reserved(slot);
        }

        void run(Collection collection) {
            Use use;
            try {
                use = new Use(side, side.lease(), collection, false);
                for (PgCollector c : own) {
                    Handoff h = handoffs.get(c);
                    h.ok = runOne(c, use, h);
                }
            } catch (SQLException e) {
                unavailable(e);
                return;
            } catch (Lost e) {
                unavailable(e.cause);
                return;
            }
            failures.remove(SECOND_CONNECTION);
            ran = true;
        }

        private void unavailable(SQLException e) {
            if (e.getSQLState() != null && e.getSQLState().startsWith("53")) {
                // Too many connections (for the role, or the server): not again on every scrape.
                // Anything else (a restart in progress) is tried again on the next one.
                sideRetryAt = System.nanoTime() + SIDE_RETRY.toNanos();
            }
            done.complete(e);
        }

        /** Waits for the second connection (or runs its collectors here); false if any failed. */
        boolean finish(Use first, Collection collection, long deadline) {
            SQLException unavailable;
            try {
                unavailable = done.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                return false; // sealed by now, or about to be; the abort ends the second connection's wait
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            } catch (java.util.concurrent.ExecutionException e) {
                return false;
            }
            if (ran) {
                return handoffs.values().stream().allMatch(h -> h.ok);
            }
            if (unavailable != null && !collection.isSealed()) {
                failure(SECOND_CONNECTION, "cannot open a second connection to " + source.redacted() + " ("
                        + Errors.describe(unavailable) + "); collecting " + own.stream().map(PgCollector::name).toList()
                        + " on the first one");
            }
            boolean ok = true;
            for (PgCollector c : own) {
                Handoff h = handoffs.get(c);
                Collection.Slot slot = h.unfilledSlot();
                if (slot != null) {
                    ok &= runOne(c, first, slot);
                } else {
                    ok &= h.ok;
                }
            }
            return ok;
        }
    }

    /**
     * One collector's place in the result (reserved by the first connection, in run order) and
     * its samples (from the second connection), in whichever order they come.
     */
    private static final class Handoff implements Collection.Place {
        private Collection.Slot slot;
        private FamilySet samples;
        private double seconds;
        private boolean success;
        private boolean filled;
        volatile boolean ok = true;

        synchronized void reserved(Collection.Slot place) {
            slot = place;
            pass();
        }

        @Override
        public synchronized void fill(FamilySet result, double took, boolean succeeded) {
            samples = result;
            seconds = took;
            success = succeeded;
            filled = true;
            pass();
        }

        /** The reserved place if the second connection never filled it, else null. */
        synchronized Collection.Slot unfilledSlot() {
            return filled ? null : slot;
        }

        private void pass() {
            if (slot != null && filled) {
                slot.fill(samples, seconds, success);
            }
        }
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
            try {
                allOk &= runAll(perDatabase, new Use(link, link.lease(), collection, false), collection, null);
            } catch (SQLException | Lost e) {
                SQLException cause = e instanceof Lost lost ? lost.cause : (SQLException) e;
                LOG.log(Level.WARNING, "cannot connect to database " + name + " on " + source.fingerprint() + ": "
                        + Errors.describe(cause));
                for (PgCollector c : perDatabase) {
                    collection.finished(c, new FamilySet(), 0, false);
                }
                allOk = false;
            }
        }
        return allOk;
    }

    private void abortAll() {
        main.abort();
        side.abort();
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
        side.close();
        databases.values().forEach(Link::close);
        databases.clear();
    }
}
