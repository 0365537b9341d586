package dev.podkit.splitter.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podkit.runtime.config.Config;
import dev.podkit.splitter.config.Settings;
import dev.podkit.splitter.config.SplitterConfig;
import dev.podkit.splitter.key.RequestView;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RouterTest {
    record View(String target, HttpHeaders headers, SocketAddress remoteAddress) implements RequestView {
    }

    static Router router(String yaml) {
        SplitterConfig defaults = Settings.fromEnvironment(new Config(Map.of()));
        return new Router(Settings.fromFile(Path.of("t.yaml"), yaml.getBytes(StandardCharsets.UTF_8), defaults));
    }

    static final String BASE = """
            split:
              key: $arg_token
              sticky:
                cookie: pv
                max_age: 1h
            variants:
              - {name: stable, weight: 0%, servers: ["s:80"]}
              - {name: canary, weight: "*", servers: ["c:80"]}
            rules:
              - {variant: stable, header: X-QA, value: stable}
              - {variant: canary, query: force, regex: "c.*"}
            """;

    @Test
    void rulesComeFirstInOrder() {
        Router r = router(BASE);
        Route viaHeader = r.route(new View("/?token=x&force=canary", new DefaultHttpHeaders().add("X-QA", "stable"), null));
        assertEquals("stable", viaHeader.variant().name());
        assertEquals(Route.Reason.RULE, viaHeader.reason());
        assertEquals("canary", r.route(new View("/?force=cx", new DefaultHttpHeaders(), null)).variant().name());
        assertEquals(Route.Reason.STICKY, r.route(new View("/?force=x", new DefaultHttpHeaders(), null)).reason());
    }

    @Test
    void aKeyUsesTheSplitAndAWeightZeroVariantGetsNoNewKeys() {
        Router r = router(BASE);
        for (int i = 0; i < 500; i++) {
            Route route = r.route(new View("/?token=user" + i, new DefaultHttpHeaders(), null));
            assertEquals("canary", route.variant().name());
            assertEquals(Route.Reason.SPLIT, route.reason());
            assertNull(route.setCookie());
        }
    }

    @Test
    void withoutAKeyStickyAssignsAndThenKeeps() {
        Router r = router(BASE.replace("weight: 0%", "weight: 50%"));
        Set<String> assigned = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            Route first = r.route(new View("/", new DefaultHttpHeaders(), null));
            assertNotNull(first.setCookie());
            assertTrue(first.setCookie().startsWith("pv=" + first.variant().name() + "; Path=/; Max-Age=3600; HttpOnly; SameSite=Lax"),
                    first.setCookie());
            assigned.add(first.variant().name());
            Route again = r.route(new View("/", new DefaultHttpHeaders().add("Cookie", "a=1; pv=" + first.variant().name()), null));
            assertEquals(first.variant().name(), again.variant().name());
            assertNull(again.setCookie());
        }
        assertEquals(Set.of("stable", "canary"), assigned);
    }

    @Test
    void stickyUsersOfADrainingVariantStayUntilItIsRemoved() {
        Router draining = router(BASE);
        assertEquals("stable", draining.route(new View("/", new DefaultHttpHeaders().add("Cookie", "pv=stable"), null)).variant().name());
        assertEquals("canary", draining.route(new View("/", new DefaultHttpHeaders(), null)).variant().name());
        Router removed = router(BASE.replace("  - {name: stable, weight: 0%, servers: [\"s:80\"]}\n", "")
                .replace("  - {variant: stable, header: X-QA, value: stable}\n", ""));
        Route reassigned = removed.route(new View("/", new DefaultHttpHeaders().add("Cookie", "pv=stable"), null));
        assertEquals("canary", reassigned.variant().name());
        assertNotNull(reassigned.setCookie());
    }
}
