package dev.podkit.it.adapter;

import static dev.podkit.it.adapter.Scrapes.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podkit.it.PrometheusText;
import dev.podkit.testcontainers.MetricsAdapterContainer;
import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * The adapter against a real PostgreSQL: postgres_exporter's default families with its names,
 * types and label names, both exposition formats, per-scrape collection and two connections.
 */
class MetricsAdapterIT {
    private static PostgreSQLContainer pg;
    private static MetricsAdapterContainer adapter;
    private static PrometheusText scrape;

    @BeforeAll
    static void start() throws Exception {
        pg = Postgres.shared();
        adapter = new MetricsAdapterContainer().withDataSource(pg).withReadOnlyRootFilesystem();
        adapter.start();
        Scrapes.scrape(adapter.getMetricsUrl()); // the first scrape connects
        scrape = Scrapes.scrape(adapter.getMetricsUrl());
    }

    @AfterAll
    static void stop() {
        if (adapter != null) {
            adapter.stop();
        }
    }

    /** "family type label,label,..." as upstream postgres_exporter declares them (collector/*.go and its built-in maps). */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "pg_up gauge -",
        "pg_static untyped server,short_version,version",
        "postgres_exporter_build_info gauge branch,goarch,goos,goversion,revision,version",
        "pg_exporter_last_scrape_duration_seconds gauge -",
        "pg_exporter_last_scrape_error gauge -",
        "pg_exporter_scrapes_total counter -",
        "pg_scrape_collector_duration_seconds gauge collector",
        "pg_scrape_collector_success gauge collector",
        "pg_database_size_bytes gauge datname",
        "pg_database_connection_limit gauge datname",
        "pg_locks_count gauge datname,mode",
        "pg_replication_lag_seconds gauge -",
        "pg_replication_is_replica gauge -",
        "pg_replication_last_replay_seconds gauge -",
        "pg_replication_slot_slot_current_wal_lsn gauge slot_name,slot_type",
        "pg_replication_slot_slot_is_active gauge slot_name,slot_type",
        "pg_replication_slot_safe_wal_size_bytes gauge slot_name,slot_type",
        "pg_replication_slot_wal_status gauge slot_name,slot_type,wal_status",
        "pg_roles_connection_limit gauge rolname",
        "pg_stat_bgwriter_checkpoints_timed_total counter -",
        "pg_stat_bgwriter_checkpoints_req_total counter -",
        "pg_stat_bgwriter_checkpoint_write_time_total counter -",
        "pg_stat_bgwriter_checkpoint_sync_time_total counter -",
        "pg_stat_bgwriter_buffers_checkpoint_total counter -",
        "pg_stat_bgwriter_buffers_clean_total counter -",
        "pg_stat_bgwriter_maxwritten_clean_total counter -",
        "pg_stat_bgwriter_buffers_backend_total counter -",
        "pg_stat_bgwriter_buffers_backend_fsync_total counter -",
        "pg_stat_bgwriter_buffers_alloc_total counter -",
        "pg_stat_bgwriter_stats_reset_total counter -",
        "pg_stat_database_numbackends gauge datid,datname",
        "pg_stat_database_xact_commit counter datid,datname",
        "pg_stat_database_xact_rollback counter datid,datname",
        "pg_stat_database_blks_read counter datid,datname",
        "pg_stat_database_blks_hit counter datid,datname",
        "pg_stat_database_tup_returned counter datid,datname",
        "pg_stat_database_tup_fetched counter datid,datname",
        "pg_stat_database_tup_inserted counter datid,datname",
        "pg_stat_database_tup_updated counter datid,datname",
        "pg_stat_database_tup_deleted counter datid,datname",
        "pg_stat_database_conflicts counter datid,datname",
        "pg_stat_database_temp_files counter datid,datname",
        "pg_stat_database_temp_bytes counter datid,datname",
        "pg_stat_database_deadlocks counter datid,datname",
        "pg_stat_database_blk_read_time counter datid,datname",
        "pg_stat_database_blk_write_time counter datid,datname",
        "pg_stat_database_stats_reset counter datid,datname",
        "pg_stat_database_active_time_seconds_total counter datid,datname",
        "pg_stat_database_sessions untyped datid,datname",
        "pg_stat_user_tables_seq_scan counter datname,schemaname,relname",
        "pg_stat_user_tables_seq_tup_read counter datname,schemaname,relname",
        "pg_stat_user_tables_idx_scan counter datname,schemaname,relname",
        "pg_stat_user_tables_idx_tup_fetch counter datname,schemaname,relname",
        "pg_stat_user_tables_n_tup_ins counter datname,schemaname,relname",
        "pg_stat_user_tables_n_tup_upd counter datname,schemaname,relname",
        "pg_stat_user_tables_n_tup_del counter datname,schemaname,relname",
        "pg_stat_user_tables_n_tup_hot_upd counter datname,schemaname,relname",
        "pg_stat_user_tables_n_live_tup gauge datname,schemaname,relname",
        "pg_stat_user_tables_n_dead_tup gauge datname,schemaname,relname",
        "pg_stat_user_tables_n_mod_since_analyze gauge datname,schemaname,relname",
        "pg_stat_user_tables_last_vacuum gauge datname,schemaname,relname",
        "pg_stat_user_tables_last_autovacuum gauge datname,schemaname,relname",
        "pg_stat_user_tables_last_analyze gauge datname,schemaname,relname",
        "pg_stat_user_tables_last_autoanalyze gauge datname,schemaname,relname",
        "pg_stat_user_tables_vacuum_count counter datname,schemaname,relname",
        "pg_stat_user_tables_autovacuum_count counter datname,schemaname,relname",
        "pg_stat_user_tables_analyze_count counter datname,schemaname,relname",
        "pg_stat_user_tables_autoanalyze_count counter datname,schemaname,relname",
        "pg_stat_user_tables_index_size_bytes gauge datname,schemaname,relname",
        "pg_stat_user_tables_table_size_bytes gauge datname,schemaname,relname",
        "pg_statio_user_tables_heap_blocks_read counter datname,schemaname,relname",
        "pg_statio_user_tables_heap_blocks_hit counter datname,schemaname,relname",
        "pg_statio_user_tables_idx_blocks_read counter datname,schemaname,relname",
        "pg_statio_user_tables_idx_blocks_hit counter datname,schemaname,relname",
        "pg_statio_user_tables_toast_blocks_read counter datname,schemaname,relname",
        "pg_statio_user_tables_toast_blocks_hit counter datname,schemaname,relname",
        "pg_statio_user_tables_tidx_blocks_read counter datname,schemaname,relname",
        "pg_statio_user_tables_tidx_blocks_hit counter datname,schemaname,relname",
        "pg_wal_segments gauge -",
        "pg_wal_size_bytes gauge -",
        "pg_settings_shared_buffers_bytes gauge server",
        "pg_settings_max_connections gauge server",
        "pg_settings_fsync gauge server",
        "pg_stat_activity_count gauge datname,state,server",
        "pg_stat_activity_max_tx_duration gauge datname,state,server",
        "pg_stat_archiver_archived_count counter server",
        "pg_stat_archiver_failed_count counter server",
        "pg_stat_archiver_last_archive_age gauge server",
        "pg_stat_database_conflicts_confl_tablespace counter datid,datname,server",
        "pg_stat_database_conflicts_confl_lock counter datid,datname,server",
        "pg_stat_database_conflicts_confl_snapshot counter datid,datname,server",
        "pg_stat_database_conflicts_confl_bufferpin counter datid,datname,server",
        "pg_stat_database_conflicts_confl_deadlock counter datid,datname,server",
        "pg_replication_slots_active gauge slot_name,database,server",
        "pg_replication_slots_pg_wal_lsn_diff gauge slot_name,database,server",
    })
    void everyDefaultFamilyHasUpstreamsNameTypeAndLabels(String spec) {
        String[] p = spec.split(" ");
        String family = p[0];
        Set<String> labels = p[2].equals("-") ? Set.of() : Set.of(p[2].split(","));
        assertEquals(p[1], scrape.types.get(family), "TYPE of " + family);
        List<PrometheusText.Sample> samples = scrape.samples.stream().filter(s -> s.name().equals(family)).toList();
        assertFalse(samples.isEmpty(), "samples named exactly " + family);
        for (PrometheusText.Sample s : samples) {
            assertEquals(labels, s.labels().keySet(), family + " labels");
        }
    }

    @Test
    void labelValuesNameTheServersObjects() {
        String server = Postgres.ALIAS + ":5432";
        assertEquals(1.0, value(scrape, "pg_up"));
        assertEquals(0.0, value(scrape, "pg_exporter_last_scrape_error"));
        assertEquals(50.0, value(scrape, "pg_stat_user_tables_n_tup_ins", Map.of("datname", "postgres", "schemaname", "public",
                "relname", "orders")));
        assertTrue(scrape.value("pg_stat_user_tables_seq_scan", Map.of("datname", "postgres", "schemaname", "shop",
                "relname", "items")).isPresent());
        assertEquals(0.0, value(scrape, "pg_locks_count", Map.of("datname", "second", "mode", "sireadlock")));
        assertEquals(0.0, value(scrape, "pg_replication_is_replica"));
        assertEquals(0.0, value(scrape, "pg_replication_slot_slot_is_active", Map.of("slot_name", "podkit_slot", "slot_type", "physical")));
        assertEquals(1.0, value(scrape, "pg_replication_slot_wal_status", Map.of("slot_name", "podkit_slot", "slot_type", "physical",
                "wal_status", "reserved")));
        assertEquals(-1.0, value(scrape, "pg_roles_connection_limit", Map.of("rolname", "monitor")));
        assertTrue(value(scrape, "pg_database_size_bytes", Map.of("datname", "second")) > 1_000_000);
        assertEquals(134217728.0, value(scrape, "pg_settings_shared_buffers_bytes", Map.of("server", server)));
        assertTrue(value(scrape, "pg_stat_activity_count", Map.of("datname", "postgres", "state", "active", "server", server)) >= 1);
        assertTrue(Double.isNaN(value(scrape, "pg_stat_archiver_last_archive_age", Map.of("server", server))));
        String version = scrape.samples.stream().filter(s -> s.name().equals("pg_static")).findFirst().orElseThrow()
                .labels().get("short_version");
        assertTrue(version.matches("1[3-7]\\.\\d+\\.0"), version);
        for (String collector : List.of("database", "locks", "replication", "replication_slot", "roles", "stat_bgwriter",
                "stat_checkpointer", "stat_database", "stat_progress_vacuum", "stat_user_tables", "statio_user_tables", "wal")) {
            assertEquals(1.0, value(scrape, "pg_scrape_collector_success", Map.of("collector", collector)), collector);
        }
    }

    @Test
    void theProcesssOwnMetersSitBesideThePgFamilies() {
        assertTrue(scrape.hasFamily("jvm_memory_used_bytes", "gauge"));
        assertTrue(scrape.value("process_resident_memory_bytes", Map.of()).isPresent());
        assertEquals(1.0, value(scrape, "podkit_build_info", Map.of("helper", "metrics-adapter",
                "version", System.getProperty("podkit.project.version", "0.1.0-SNAPSHOT"))));
        assertTrue(scrape.hasFamily("podkit_adapter_duplicate_series_total", "counter"));
    }

    @Test
    void openMetricsOnlyForAScraperThatAcceptsNothingElse() throws Exception {
        HttpResponse<String> plain = Scrapes.get(adapter.getMetricsUrl(), null);
        assertTrue(plain.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"));
        assertTrue(plain.body().contains("# TYPE pg_stat_database_xact_commit counter\n"));
        assertTrue(plain.body().contains("\npg_stat_database_xact_commit{datid="), "the exact name, as Prometheus stores it");

        HttpResponse<String> om = Scrapes.get(adapter.getMetricsUrl(), Scrapes.OPENMETRICS_ONLY);
        assertTrue(om.headers().firstValue("Content-Type").orElse("").startsWith("application/openmetrics-text; version=1.0.0"));
        String body = om.body();
        assertTrue(body.endsWith("\n# EOF\n"), "one # EOF, at the end");
        assertEquals(1, body.split("# EOF", -1).length - 1, "exactly one # EOF");
        assertTrue(body.contains("# TYPE pg_stat_database_xact_commit counter\n"), "family without _total");
        assertTrue(body.contains("\npg_stat_database_xact_commit_total{datid="), "samples with _total");
        assertTrue(body.contains("# TYPE pg_stat_bgwriter_buffers_alloc counter\n"));
        assertTrue(body.contains("\npg_stat_bgwriter_buffers_alloc_total "));
        assertTrue(body.contains("# TYPE pg_static unknown\n"));
        assertTrue(body.contains("# TYPE podkit_build info\n") && body.contains("\npodkit_build_info{"),
                "the runtime's meters in OpenMetrics too");
        Set<String> families = new HashSet<>();
        for (String line : body.split("\n")) {
            if (line.startsWith("# TYPE ")) {
                assertTrue(families.add(line.split(" ")[2]), "family declared twice: " + line);
            }
        }
    }

    @Test
    void aDroppedTablesSeriesAreGoneOnTheNextScrape() throws Exception {
        Postgres.sql(pg, "postgres", "CREATE TABLE public.short_lived (id int)");
        Map<String, String> labels = Map.of("datname", "postgres", "schemaname", "public", "relname", "short_lived");
        assertTrue(Scrapes.scrape(adapter.getMetricsUrl()).value("pg_stat_user_tables_n_live_tup", labels).isPresent());
        Postgres.sql(pg, "postgres", "DROP TABLE public.short_lived");
        PrometheusText after = Scrapes.scrape(adapter.getMetricsUrl());
        assertTrue(after.samples.stream().noneMatch(s -> "short_lived".equals(s.labels().get("relname"))),
                "no series of the dropped table");
    }

    @Test
    void concurrentScrapesUseTheTwoLongLivedConnections() throws Exception {
        List<CompletableFuture<PrometheusText>> parallel = IntStream.range(0, 8)
                .mapToObj(i -> CompletableFuture.supplyAsync(() -> {
                    try {
                        return Scrapes.scrape(adapter.getMetricsUrl());
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                })).toList();
        for (CompletableFuture<PrometheusText> f : parallel) {
            assertEquals(1.0, value(f.get(), "pg_up"));
        }
        for (int i = 0; i < 5; i++) {
            Scrapes.scrape(adapter.getMetricsUrl());
        }
        assertEquals(2, Postgres.adapterConnections(pg),
                "two connections (database sizes on the second), however many scrapes");
    }

    @Test
    void noStaleFamiliesAndTheSameFamiliesEveryScrape() throws Exception {
        Set<String> first = families(Scrapes.scrape(adapter.getMetricsUrl()));
        Set<String> second = families(Scrapes.scrape(adapter.getMetricsUrl()));
        assertEquals(first, second);
    }

    private static Set<String> families(PrometheusText text) {
        return text.types.keySet().stream().filter(n -> n.startsWith("pg_")).collect(Collectors.toCollection(HashSet::new));
    }

    static List<String> lines(String text) {
        return Arrays.stream(text.split("\n")).filter(l -> !l.isBlank()).toList();
    }
}
