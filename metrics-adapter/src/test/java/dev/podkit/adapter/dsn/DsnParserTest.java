package dev.podkit.adapter.dsn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DsnParserTest {

    @Test
    void readsTheReferencePodsUri() {
        DataSource ds = DsnParser.parse("postgresql://postgres:password@localhost:5432/postgres?sslmode=disable");
        assertEquals("localhost", ds.host());
        assertEquals(5432, ds.port());
        assertEquals("postgres", ds.database());
        assertEquals("postgres", ds.user());
        assertEquals("password", ds.driverProperties().getProperty("password"));
        assertEquals("disable", ds.driverProperties().getProperty("sslmode"));
        assertEquals("localhost:5432", ds.fingerprint());
        assertEquals("jdbc:postgresql://localhost:5432/postgres", ds.jdbcUrl());
        assertEquals("postgresql://postgres:****@localhost:5432/postgres?sslmode=disable", ds.redacted());
    }

    @Test
    void decodesPercentEscapesAndDefaultsPortAndDatabase() {
        DataSource ds = DsnParser.parse("postgres://app%40corp:p%3Ass%2Fw%40rd@db.example");
        assertEquals("app@corp", ds.user());
        assertEquals("p:ss/w@rd", ds.driverProperties().getProperty("password"));
        assertEquals(5432, ds.port());
        assertEquals("app@corp", ds.database(), "libpq's default database is the user's name");
    }

    @Test
    void readsIpv6HostsAndQueryOverrides() {
        DataSource ds = DsnParser.parse("postgresql://[::1]:6432/?dbname=metrics&user=mon&password=x&application_name=a");
        assertEquals("::1", ds.host());
        assertEquals(6432, ds.port());
        assertEquals("metrics", ds.database());
        assertEquals("mon", ds.user());
        assertEquals("[::1]:6432", ds.fingerprint());
        assertEquals("a", ds.driverProperties().getProperty("ApplicationName"));
    }

    @Test
    void readsKeyValueFormWithQuotesAndEscapes() {
        DataSource ds = DsnParser.parse("host=db port = 5433 user=mon password='s p a \\'c\\' e' dbname=app sslmode=require");
        assertEquals("db", ds.host());
        assertEquals(5433, ds.port());
        assertEquals("app", ds.database());
        assertEquals("mon", ds.user());
        assertEquals("require", ds.params().get("sslmode"));
        assertEquals("s p a 'c' e", ds.driverProperties().getProperty("password"));
        assertEquals("postgresql://mon:****@db:5433/app?sslmode=require", ds.redacted());
    }

    @Test
    void keyValueWithoutHostMeansLocalhost() {
        DataSource ds = DsnParser.parse("user=postgres password=secret sslmode=disable");
        assertEquals("localhost:5432", ds.fingerprint());
        assertEquals("postgres", ds.database());
    }

    @Test
    void noPasswordIsShownAsNone() {
        DataSource ds = DsnParser.parse("postgresql://mon@db/app");
        assertFalse(ds.hasPassword());
        assertNull(ds.driverProperties().getProperty("password"));
        assertEquals("postgresql://mon@db:5432/app", ds.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "postgresql://u:hunter2@host:notaport/db",
        "postgresql://u:hunter2@[::1/db",
        "mysql://u:hunter2@host/db",
        "host=h password='hunter2",
        "user=u password=hunter2 nokey",
        "postgresql://u:hunter2@/var/run/x:5432/db?host=/var/run/postgresql",
        "postgresql://u:hunter2@a,b/db",
        "hunter2",
    })
    void errorsNeverQuoteThePassword(String dsn) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DsnParser.parse(dsn));
        assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
        assertTrue(e.getMessage().length() > 10, e.getMessage());
    }

    @Test
    void credentialsOfAnAuthModuleReplaceTheTargets() {
        DataSource target = DsnParser.parse("postgresql://db.example:5432/app?sslmode=disable");
        DataSource withModule = target.withCredentials("mon", "s3cret", Map.of("sslmode", "require"));
        assertEquals("mon", withModule.user());
        assertEquals("s3cret", withModule.driverProperties().getProperty("password"));
        assertEquals("require", withModule.params().get("sslmode"));
        assertFalse(withModule.toString().contains("s3cret"));
    }
}
