package dev.podkit.ambassador.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HostPortTest {
    @Test
    void targets() {
        assertEquals(new HostPort("db.prod.svc.cluster.local", 5432), HostPort.target("db.prod.svc.cluster.local:5432"));
        assertEquals(new HostPort("10.0.0.7", 80), HostPort.target("10.0.0.7:80"));
        assertEquals(new HostPort("fd00::7", 443), HostPort.target("[fd00::7]:443"));
        assertEquals("[fd00::7]:443", HostPort.target("[fd00::7]:443").toString());
        assertTrue(HostPort.target("10.0.0.7:80").isIp());
        assertFalse(HostPort.target("db:80").isIp());
    }

    @Test
    void listenAddressesAreIpsOrAllInterfaces() {
        assertEquals(new HostPort("", 8080), HostPort.listen(":8080"));
        assertEquals(new HostPort("", 8080), HostPort.listen("*:8080"));
        assertEquals(new HostPort("127.0.0.1", 8080), HostPort.listen("localhost:8080"));
        assertEquals(new HostPort("::1", 8080), HostPort.listen("[::1]:8080"));
        assertThrows(IllegalArgumentException.class, () -> HostPort.listen("db:8080"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"db", "db:", ":5432", "db:0", "db:65536", "db:x", "fd00::1:80", "[db]:80", "a b:80", "db:5432:1"})
    void badTargets(String text) {
        assertThrows(IllegalArgumentException.class, () -> HostPort.target(text));
    }
}
