package dev.podkit.adapter.collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** pg_settings rows as postgres_exporter converts them (checked against 0.11.1's output in the parity IT too). */
class SettingsCollectorTest {

    @ParameterizedTest
    @CsvSource({
        "shared_buffers, 16384, 8kB, integer, pg_settings_shared_buffers_bytes, 134217728",
        "work_mem, 4096, kB, integer, pg_settings_work_mem_bytes, 4194304",
        "max_wal_size, 1024, MB, integer, pg_settings_max_wal_size_bytes, 1073741824",
        "wal_segment_size, 16777216, B, integer, pg_settings_wal_segment_size_bytes, 16777216",
        "statement_timeout, 250, ms, integer, pg_settings_statement_timeout_seconds, 0.25",
        "autovacuum_naptime, 1, min, integer, pg_settings_autovacuum_naptime_seconds, 60",
        "log_rotation_age, 1, d, integer, pg_settings_log_rotation_age_seconds, 86400",
        "temp_file_limit, -1, kB, integer, pg_settings_temp_file_limit_bytes, -1",
        "checkpoint_completion_target, 0.9, '', real, pg_settings_checkpoint_completion_target, 0.9",
        "max_connections, 100, '', integer, pg_settings_max_connections, 100",
        "fsync, on, '', bool, pg_settings_fsync, 1",
        "debug_assertions, off, '', bool, pg_settings_debug_assertions, 0",
        "pg_stat_statements.max, 5000, '', integer, pg_settings_pg_stat_statements_max, 5000",
    })
    void convertsUnitsAndNames(String name, String setting, String unit, String vartype, String metric, double value) {
        SettingsCollector.Converted c = SettingsCollector.convert(name, setting, unit, "help", vartype);
        assertEquals(metric, "pg_settings_" + c.name());
        assertEquals(value, c.value(), 1e-9);
    }

    @ParameterizedTest
    @CsvSource({"x, 1, parsecs, integer", "y, many, '', integer"})
    void skipsWhatItCannotConvert(String name, String setting, String unit, String vartype) {
        assertNull(SettingsCollector.convert(name, setting, unit, "help", vartype));
    }
}
