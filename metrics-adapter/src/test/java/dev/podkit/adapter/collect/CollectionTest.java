package dev.podkit.adapter.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podkit.adapter.dsn.DsnParser;
import dev.podkit.adapter.model.Family;
import dev.podkit.adapter.model.FamilySet;
import dev.podkit.adapter.model.MetricDesc;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A collection puts the samples together in run order, whichever connection finishes first: the
 * collector on the second connection (reserved first, filled last) gives the same result as when
 * all ran one after another on one connection.
 */
class CollectionTest {
    private static final MetricDesc SIZE = MetricDesc.gauge("pg_database_size_bytes", "size", "datname");
    private static final MetricDesc LOCKS = MetricDesc.gauge("pg_locks_count", "locks", "datname", "mode");
    private static final MetricDesc STATIC = MetricDesc.untyped("pg_static", "static", "server");

    private record Stub(String name, PgCollector.Scope scope) implements PgCollector {
    }

    private static final PgCollector DATABASE = new Stub("database", PgCollector.Scope.CLUSTER);
    private static final PgCollector LOCKS_COLLECTOR = new Stub("locks", PgCollector.Scope.CLUSTER);
    /** A custom query that repeats a built-in family: the first sample in run order wins. */
    private static final PgCollector CUSTOM = new Stub("query:pg_database", PgCollector.Scope.CUSTOM);
    private static final List<PgCollector> PLANNED = List.of(DATABASE, LOCKS_COLLECTOR, CUSTOM);

    private static Collection collection() {
        return new Collection(DsnParser.parse("postgresql://u:p@127.0.0.1:5432/db?sslmode=disable"), PLANNED);
    }

    private static FamilySet set(MetricDesc desc, double value, String... labels) {
        FamilySet s = new FamilySet();
        s.add(desc, value, labels);
        return s;
    }

    private static FamilySet statics() {
        return set(STATIC, 1, "db:5432");
    }

    /** Every sample as "name{labels} value", in exposition order. */
    private static List<String> lines(TargetResult r) {
        List<String> out = new ArrayList<>();
        for (Family f : r.families().families()) {
            for (Family.Sample s : f.samples()) {
                out.add(f.desc().name() + s.labelValues() + " " + s.value());
            }
        }
        out.add("conflicts " + r.families().conflicts());
        r.outcomes().forEach(o -> out.add(o.collector() + " " + o.success()));
        out.add("up " + r.up() + " error " + r.serverError());
        return out;
    }

    private static TargetResult oneAfterAnother() {
        Collection c = collection();
        c.connected(statics());
        c.finished(DATABASE, set(SIZE, 100, "postgres"), 0.006, true);
        c.finished(LOCKS_COLLECTOR, set(LOCKS, 0, "postgres", "accessshare"), 0.001, true);
        c.finished(CUSTOM, set(SIZE, 999, "postgres"), 0.001, true);
        return c.seal(false);
    }

    @Test
    void theSecondConnectionsCollectorKeepsItsPlaceWhenItFinishesLast() {
        Collection c = collection();
        Collection.Slot database = c.reserve(DATABASE);
        c.finished(LOCKS_COLLECTOR, set(LOCKS, 0, "postgres", "accessshare"), 0.001, true);
        c.finished(CUSTOM, set(SIZE, 999, "postgres"), 0.001, true);
        c.connected(statics()); // the first connection's answer can come after other results too
        database.fill(set(SIZE, 100, "postgres"), 0.006, true);
        TargetResult parallel = c.seal(false);

        assertEquals(lines(oneAfterAnother()), lines(parallel));
        assertTrue(lines(parallel).contains("pg_database_size_bytes[postgres] 100.0"), lines(parallel).toString());
        assertEquals(1, parallel.families().conflicts(), "the custom query's repeat is the one dropped");
    }

    @Test
    void aReservedPlaceThatIsNeverFilledCountsAsFailedAndAFillAfterTheSealIsDropped() {
        Collection c = collection();
        c.connected(statics());
        Collection.Slot database = c.reserve(DATABASE);
        c.finished(LOCKS_COLLECTOR, set(LOCKS, 0, "postgres", "accessshare"), 0.001, true);
        c.finished(CUSTOM, new FamilySet(), 0.001, true);
        TargetResult sealed = c.seal(true);
        database.fill(set(SIZE, 100, "postgres"), 0.006, true);

        assertFalse(sealed.families().contains("pg_database_size_bytes"));
        assertEquals(List.of("database false", "locks true"),
                sealed.outcomes().stream().map(o -> o.collector() + " " + o.success()).toList());
        assertEquals(lines(sealed), lines(c.seal(false)), "sealed once");
    }

    @Test
    void withoutAnAnswerOnTheFirstConnectionNothingCountsWhateverTheSecondGot() {
        Collection c = collection();
        c.reserve(DATABASE).fill(set(SIZE, 100, "postgres"), 0.006, true);
        c.finished(LOCKS_COLLECTOR, new FamilySet(), 0, true); // nothing to ask this version
        TargetResult r = c.seal(false);

        assertFalse(r.up());
        assertTrue(r.families().families().isEmpty());
        assertTrue(r.outcomes().stream().noneMatch(Outcome::success));
        assertFalse(r.serverError(), "pg_up 0 says it; no server error on top");
    }

    @Test
    void aFailedReportedCollectorKeepsNoSamplesAndAFailedCustomQueryIsAServerError() {
        Collection c = collection();
        c.connected(statics());
        c.reserve(DATABASE).fill(set(SIZE, 100, "postgres"), 0.006, false);
        c.finished(LOCKS_COLLECTOR, set(LOCKS, 0, "postgres", "accessshare"), 0.001, true);
        c.finished(CUSTOM, set(SIZE, 999, "postgres"), 0.001, false);
        TargetResult r = c.seal(false);

        assertTrue(lines(r).contains("pg_database_size_bytes[postgres] 999.0"), "a custom query's partial samples stay");
        assertTrue(r.serverError());
        assertTrue(lines(r).contains("database false"));
    }
}
