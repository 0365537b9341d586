package dev.podkit.adapter.collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.podkit.adapter.collect.PgSession;
import dev.podkit.adapter.collect.PgVersion;
import dev.podkit.adapter.model.Family;
import dev.podkit.adapter.model.FamilySet;
import java.lang.reflect.Proxy;
import java.sql.ResultSet;
import java.util.List;
import org.junit.jupiter.api.Test;

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

    /** One pg_settings row as the collector reads it: by position, in the query's column order. */
    private static ResultSet row(String name, String setting, String unit, String shortDesc, String vartype) {
        String[] columns = {name, setting, unit, shortDesc, vartype};
        return (ResultSet) Proxy.newProxyInstance(ResultSet.class.getClassLoader(), new Class<?>[] {ResultSet.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("getString") && args[0] instanceof Integer i) {
                        return columns[i - 1];
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }

    private static List<Family> collect(SettingsCollector collector, ResultSet... rows) throws Exception {
        PgSession session = new PgSession(null, PgVersion.parse("150000"), "PostgreSQL 15", "db:5432");
        FamilySet out = new FamilySet();
        for (ResultSet rs : rows) {
            collector.row(rs, session, out);
        }
        return List.copyOf(out.families());
    }

    @Test
    void aParameterKnownFromAnEarlierScrapeGetsItsValueAndANewUnitItsNewName() throws Exception {
        SettingsCollector collector = new SettingsCollector();
        collect(collector, row("work_mem", "4096", "kB", "Sets the work memory.", "integer"));

        List<Family> again = collect(collector, row("work_mem", "8192", "kB", "Sets the work memory.", "integer"),
                row("fsync", "off", "", "Forces synchronization.", "bool"));
        assertEquals("pg_settings_fsync", again.get(0).desc().name());
        assertEquals(0.0, again.get(0).samples().get(0).value());
        assertEquals("pg_settings_work_mem_bytes", again.get(1).desc().name());
        assertEquals("Sets the work memory. [Units converted to bytes.]", again.get(1).desc().help());
        assertEquals(8192.0 * 1024, again.get(1).samples().get(0).value());
        assertEquals(List.of("db:5432"), again.get(1).samples().get(0).labelValues());

        // The same name with another unit (another server's version): named and converted anew.
        List<Family> other = collect(collector, row("work_mem", "2", "MB", "Memory for sorts.", "integer"));
        assertEquals("pg_settings_work_mem_bytes", other.get(0).desc().name());
        assertEquals("Memory for sorts. [Units converted to bytes.]", other.get(0).desc().help());
        assertEquals(2.0 * 1024 * 1024, other.get(0).samples().get(0).value());
        List<Family> seconds = collect(collector, row("work_mem", "250", "ms", "A time now.", "integer"));
        assertEquals("pg_settings_work_mem_seconds", seconds.get(0).desc().name());
        assertEquals(0.25, seconds.get(0).samples().get(0).value());
    }

    @Test
    void aKnownParameterWhoseValueIsNoNumberIsSkippedThatScrape() throws Exception {
        SettingsCollector collector = new SettingsCollector();
        collect(collector, row("max_connections", "100", "", "Max.", "integer"));
        assertEquals(List.of(), collect(collector, row("max_connections", "lots", "", "Max.", "integer")));
        assertEquals(100.0, collect(collector, row("max_connections", "100", "", "Max.", "integer"))
                .get(0).samples().get(0).value());
    }
}
