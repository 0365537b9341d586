package dev.podkit.adapter.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class FamilySetTest {
    private static final MetricDesc LOCKS = MetricDesc.gauge("pg_locks_count", "h", "datname", "mode");

    @Test
    void aSecondSampleWithTheSameLabelsIsDroppedAndCounted() {
        FamilySet set = new FamilySet();
        set.add(LOCKS, 1, "a", "x");
        set.add(LOCKS, 2, "a", "y");
        set.add(LOCKS, 3, "a", "x");
        Family f = set.families().iterator().next();
        assertEquals(2, f.samples().size());
        assertEquals(1.0, f.samples().get(0).value(), "the first one wins");
        assertEquals(1, set.conflicts());
        assertEquals(List.of("pg_locks_count"), set.conflictNames());
    }

    @Test
    void aFamilyOfAnotherTypeOrOtherLabelsUnderTheSameNameIsDropped() {
        FamilySet set = new FamilySet();
        set.add(LOCKS, 1, "a", "x");
        set.add(MetricDesc.counter("pg_locks_count", "h", "datname", "mode"), 1, "b", "x");
        set.add(MetricDesc.gauge("pg_locks_count", "h", "datname"), 1, "c");
        assertEquals(1, set.families().iterator().next().samples().size());
        assertEquals(2, set.conflicts());
    }

    @Test
    void mergingKeepsTheFirstAndAddsUpConflicts() {
        FamilySet a = new FamilySet();
        a.add(LOCKS, 1, "a", "x");
        FamilySet b = new FamilySet();
        b.add(LOCKS, 9, "a", "x");
        b.add(LOCKS, 2, "b", "x");
        a.addAll(b);
        assertEquals(List.of(1.0, 2.0), a.families().iterator().next().samples().stream().map(Family.Sample::value).toList());
        assertEquals(1, a.conflicts());
    }

    /** A family taken over whole is shared until one of the sets adds to it: that set copies it first. */
    @Test
    void aFamilyTakenOverWholeChangesOnlyInTheSetThatAddsToIt() {
        FamilySet b = new FamilySet();
        b.add(LOCKS, 1, "a", "x");
        FamilySet a = new FamilySet();
        a.addAll(b);
        b.add(LOCKS, 3, "b2", "x"); // the set it came from first
        a.add(LOCKS, 2, "a2", "x");
        FamilySet c = new FamilySet();
        c.addAll(b);
        c.add(LOCKS, 4, "a2", "x"); // new to c: a's sample is not in b
        assertEquals(List.of(1.0, 2.0), values(a));
        assertEquals(List.of(1.0, 3.0), values(b));
        assertEquals(List.of(1.0, 3.0, 4.0), values(c));
        b.add(LOCKS, 5, "a2", "x");
        assertEquals(List.of(1.0, 3.0, 5.0), values(b));
        assertEquals(List.of(1.0, 3.0, 4.0), values(c));
        assertEquals(0, a.conflicts() + b.conflicts() + c.conflicts());
        a.add(LOCKS, 6, "b2", "x"); // b's label values are not a's
        b.add(LOCKS, 7, "a", "x"); // still a duplicate in b after the copies
        assertEquals(List.of(1.0, 2.0, 6.0), values(a));
        assertEquals(1, b.conflicts());
    }

    private static List<Double> values(FamilySet set) {
        return set.families().iterator().next().samples().stream().map(Family.Sample::value).toList();
    }

    @Test
    void familiesComeSortedByName() {
        FamilySet set = new FamilySet();
        set.add(MetricDesc.gauge("pg_up", "h"), 1);
        set.add(LOCKS, 1, "a", "x");
        assertEquals(List.of("pg_locks_count", "pg_up"), set.families().stream().map(f -> f.desc().name()).toList());
    }

    @Test
    void wrongLabelCountIsAProgrammingError() {
        assertThrows(IllegalArgumentException.class, () -> new FamilySet().add(LOCKS, 1, "a"));
        assertThrows(IllegalArgumentException.class, () -> MetricDesc.gauge("9bad", "h"));
        assertThrows(IllegalArgumentException.class, () -> MetricDesc.gauge("ok", "h", "__reserved"));
    }
}
