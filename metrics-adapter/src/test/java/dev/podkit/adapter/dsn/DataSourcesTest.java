package dev.podkit.adapter.dsn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podkit.runtime.config.Config;
import dev.podkit.runtime.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataSourcesTest {
    @TempDir
    Path dir;

    @Test
    void noDataSourceIsAllowedForProbeOnlySetups() {
        assertEquals(List.of(), DataSources.from(new Config(Map.of())));
    }

    @Test
    void dataSourceNameTakesSeveralCommaSeparated() {
        List<DataSource> sources = DataSources.from(new Config(Map.of("DATA_SOURCE_NAME",
                "postgresql://a:pa@db1:5432/x?sslmode=disable, host=db2 user=b password=pb dbname=y")));
        assertEquals(2, sources.size());
        assertEquals("db1:5432", sources.get(0).fingerprint());
        assertEquals("y", sources.get(1).database());
    }

    @Test
    void uriWithUserAndPassword() {
        List<DataSource> sources = DataSources.from(new Config(Map.of("DATA_SOURCE_URI", "db:5433/app?sslmode=disable",
                "DATA_SOURCE_USER", "mon", "DATA_SOURCE_PASS", "p@ss:w/rd")));
        DataSource ds = sources.get(0);
        assertEquals("mon", ds.user());
        assertEquals("p@ss:w/rd", ds.driverProperties().getProperty("password"));
        assertEquals("db:5433", ds.fingerprint());
        assertEquals("disable", ds.params().get("sslmode"));
    }

    @Test
    void fileVariantsAreReadAndTrimmed() throws Exception {
        Files.writeString(dir.resolve("pass"), "from-file\n");
        Files.writeString(dir.resolve("uri"), "db/app\n");
        List<DataSource> sources = DataSources.from(new Config(Map.of("DATA_SOURCE_URI_FILE", dir.resolve("uri").toString(),
                "DATA_SOURCE_USER", "mon", "DATA_SOURCE_PASS_FILE", dir.resolve("pass").toString())));
        assertEquals("from-file", sources.get(0).driverProperties().getProperty("password"));
        assertEquals("app", sources.get(0).database());

        Files.writeString(dir.resolve("dsn"), "postgresql://u:secret@h/d\n");
        assertEquals("h:5432", DataSources.from(new Config(Map.of("DATA_SOURCE_NAME_FILE", dir.resolve("dsn").toString())))
                .get(0).fingerprint());
    }

    @Test
    void bothAValueAndItsFileIsAnError() throws Exception {
        Files.writeString(dir.resolve("dsn"), "postgresql://u:secret@h/d");
        ConfigException e = assertThrows(ConfigException.class, () -> DataSources.from(new Config(Map.of(
                "DATA_SOURCE_NAME", "postgresql://u:secret@h/d", "DATA_SOURCE_NAME_FILE", dir.resolve("dsn").toString()))));
        assertTrue(e.getMessage().startsWith("config error: DATA_SOURCE_NAME: set either"), e.getMessage());
    }

    @Test
    void aMissingFileNamesTheSetting() {
        ConfigException e = assertThrows(ConfigException.class, () -> DataSources.from(new Config(Map.of(
                "DATA_SOURCE_PASS_FILE", dir.resolve("nope").toString(), "DATA_SOURCE_URI", "h/d"))));
        assertTrue(e.getMessage().startsWith("config error: DATA_SOURCE_PASS_FILE: cannot read"), e.getMessage());
    }

    @Test
    void aBadItemIsNamedByPositionNeverByValue() {
        ConfigException e = assertThrows(ConfigException.class, () -> DataSources.from(new Config(Map.of(
                "DATA_SOURCE_NAME", "postgresql://u:pw1@h/d,postgresql://u:hunter2@h:99999/d"))));
        assertEquals("config error: DATA_SOURCE_NAME: connection string 2 of 2 is not usable: a port must be a number 1-65535",
                e.getMessage());
        assertFalse(e.getMessage().contains("hunter2"));
    }

    @Test
    void userWithoutUriIsAnError() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> DataSources.from(new Config(Map.of("DATA_SOURCE_USER", "mon"))));
        assertTrue(e.getMessage().contains("DATA_SOURCE_URI"), e.getMessage());
    }
}
