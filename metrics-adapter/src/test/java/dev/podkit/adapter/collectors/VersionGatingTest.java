package dev.podkit.adapter.collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podkit.adapter.collect.PgVersion;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The SQL each collector sends to PostgreSQL 13 to 17. Only 15 runs in the integration tests (the
 * one server image this machine has), so the choice per version is pinned down here: the columns
 * each version has, per the PostgreSQL release notes (17 moved checkpoints to pg_stat_checkpointer
 * and renamed the dead-tuple columns of pg_stat_progress_vacuum; 16 added
 * confl_active_logicalslot; 14 added the session columns of pg_stat_database; 13 added
 * safe_wal_size and wal_status).
 */
class VersionGatingTest {

    @ParameterizedTest
    @ValueSource(ints = {130012, 140015, 150020, 160006, 170002})
    void bgwriterAsksOnlyForColumnsTheServerHas(int num) {
        PgVersion v = new PgVersion(num);
        String sql = StatBgwriterCollector.sql(v);
        assertTrue(sql.contains("buffers_clean") && sql.contains("buffers_alloc") && sql.contains("stats_reset"), sql);
        assertEquals(v.major() < 17, sql.contains("checkpoints_timed"), sql);
        assertEquals(v.major() < 17, sql.contains("buffers_backend_fsync"), sql);
        assertEquals(v.major() >= 17 ? 4 : 11, StatBgwriterCollector.columns(v).size());
    }

    @ParameterizedTest
    @ValueSource(ints = {130012, 140015, 150020, 160006, 170002})
    void checkpointerRunsFrom17On(int num) {
        PgVersion v = new PgVersion(num);
        String sql = StatCheckpointerCollector.sql(v);
        if (v.major() >= 17) {
            assertNotNull(sql);
            assertTrue(sql.contains("FROM pg_stat_checkpointer") && sql.contains("num_timed") && sql.contains("restartpoints_done"), sql);
        } else {
            assertNull(sql);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {130012, 140015, 150020, 160006, 170002})
    void statDatabaseSessionColumnsFrom14(int num) {
        PgVersion v = new PgVersion(num);
        String sql = StatDatabaseCollector.sql(v);
        assertEquals(v.major() >= 14, sql.contains("active_time"), sql);
        assertEquals(v.major() >= 14, sql.contains("sessions_abandoned"), sql);
        assertTrue(sql.contains("checksum_failures"), sql);
        assertTrue(sql.contains("blk_read_time") && sql.contains("blk_write_time"), "still in pg_stat_database in 17: " + sql);
    }

    @ParameterizedTest
    @ValueSource(ints = {120017, 130012, 170002})
    void replicationSlotSafeWalFrom13(int num) {
        PgVersion v = new PgVersion(num);
        assertEquals(v.major() >= 13, ReplicationSlotCollector.sql(v).contains("safe_wal_size, wal_status"));
    }

    @ParameterizedTest
    @ValueSource(ints = {150020, 160006, 170002})
    void conflictsLogicalSlotColumnFrom16(int num) {
        PgVersion v = new PgVersion(num);
        assertEquals(v.major() >= 16, StatDatabaseConflictsCollector.sql(v).contains("confl_active_logicalslot"));
    }

    @ParameterizedTest
    @ValueSource(ints = {130012, 160006, 170002})
    void progressVacuumDeadTupleColumnsRenamedIn17(int num) {
        PgVersion v = new PgVersion(num);
        String sql = StatProgressVacuumCollector.sql(v);
        if (v.major() >= 17) {
            assertTrue(sql.contains("max_dead_tuple_bytes AS max_dead_tuples") && sql.contains("num_dead_item_ids AS num_dead_tuples"), sql);
        } else {
            assertTrue(sql.contains("s.max_dead_tuples") && sql.contains("s.num_dead_tuples"), sql);
            assertFalse(sql.contains("dead_item_ids"), sql);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"150020:15.20.0", "170002:17.2.0", "130000:13.0.0", "90624:9.6.24", "100023:10.23.0"})
    void versionNumbersReadAsPostgresExporterShowsThem(String pair) {
        String[] p = pair.split(":");
        assertEquals(p[1], PgVersion.parse(p[0]).semver());
    }
}
