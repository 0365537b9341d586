package dev.podkit.it.splitter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podkit.it.TestImages;
import dev.podkit.testcontainers.RequestSplitterContainer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.utility.DockerImageName;

/**
 * Bucket parity with a real nginx: the same generated requests (thousands of keys, edge cases
 * included) go to nginx, whose {@code split_clients} answers the bucket's name, and through the
 * splitter to backends that answer their variant's name. Every request both accept must land on the
 * same name.
 */
class SplitParityIT {
    static final DockerImageName NGINX = TestImages.nginx();
    static final String WEIGHTS = "12.5% a; 33.33% b; 0.5% c; 20% d; * e;";
    static final String[][] VARIANTS = {{"a", "12.5%"}, {"b", "33.33%"}, {"c", "0.5%"}, {"d", "20%"}, {"e", "*"}};
    static final int PER_KEY = 1500;

    static Network network;
    static GenericContainer<?> nginx;

    @BeforeAll
    static void startNginx() {
        network = Network.newNetwork();
        StringBuilder conf = new StringBuilder("""
                worker_processes 1;
                events { worker_connections 1024; }
                http {
                  access_log off;
                  large_client_header_buffers 8 16k;
                  keepalive_requests 100000;
                """);
        List<KeyCase> cases = keyCases().map(a -> (KeyCase) a.get()[0]).toList();
        for (int i = 0; i < cases.size(); i++) {
            conf.append("  split_clients \"").append(cases.get(i).key()).append("\" $bucket").append(i)
                    .append(" { ").append(WEIGHTS).append(" }\n");
            conf.append("  server { listen ").append(8000 + i).append("; return 200 $bucket").append(i).append("; }\n");
        }
        for (int v = 0; v < VARIANTS.length; v++) {
            conf.append("  server { listen ").append(9001 + v).append("; return 200 ").append(VARIANTS[v][0]).append("; }\n");
        }
        conf.append("}\n");
        Integer[] ports = new Integer[cases.size()];
        for (int i = 0; i < ports.length; i++) {
            ports[i] = 8000 + i;
        }
        nginx = new GenericContainer<>(NGINX)
                .withNetwork(network)
                .withNetworkAliases("nginx-parity")
                .withCopyToContainer(Transferable.of(conf.toString()), "/etc/nginx/nginx.conf")
                .withExposedPorts(ports)
                .waitingFor(Wait.forListeningPorts(ports[0]));
        nginx.start();
    }

    @AfterAll
    static void stop() {
        if (nginx != null) {
            nginx.stop();
        }
        if (network != null) {
            network.close();
        }
    }

    /** A split key, as nginx and the splitter write it, and how to make requests that exercise it. */
    record KeyCase(String name, String key, Function<Random, String> request) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> keyCases() {
        return Stream.of(
                Arguments.of(new KeyCase("query argument", "$arg_token", SplitParityIT::argRequest)),
                Arguments.of(new KeyCase("header", "$http_x_user", SplitParityIT::headerRequest)),
                Arguments.of(new KeyCase("cookie", "$cookie_user", SplitParityIT::cookieRequest)),
                Arguments.of(new KeyCase("concatenation with the client address", "${remote_addr}|${arg_token}|$http_x_user",
                        r -> r.nextBoolean() ? argRequest(r) : headerRequest(r))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("keyCases")
    void everyKeyLandsWhereNginxPutsIt(KeyCase keyCase) throws Exception {
        int index = keyCases().map(a -> ((KeyCase) a.get()[0]).name()).toList().indexOf(keyCase.name());
        RequestSplitterContainer splitter = new RequestSplitterContainer().withNetwork(network).withSplitKey(keyCase.key());
        for (int v = 0; v < VARIANTS.length; v++) {
            splitter.withVariant(VARIANTS[v][0], VARIANTS[v][1], "nginx-parity:" + (9001 + v));
        }
        try (splitter; RawHttp toNginx = new RawHttp(nginx.getHost(), nginx.getMappedPort(8000 + index))) {
            splitter.start();
            RawHttp viaSplitter = new RawHttp(splitter.getHost(), splitter.getProxyPort());
            Random random = new Random(4242 + index);
            List<String> requests = new ArrayList<>(edgeCases(keyCase));
            while (requests.size() < PER_KEY) {
                requests.add(keyCase.request().apply(random));
            }
            int compared = 0;
            int[] perVariant = new int[VARIANTS.length];
            List<String> mismatches = new ArrayList<>();
            for (String request : requests) {
                RawHttp.Response expected = toNginx.send(request);
                RawHttp.Response actual = viaSplitter.send(request);
                if (expected.status() != 200) {
                    continue; // nginx refuses the request itself: no bucket to compare
                }
                compared++;
                if (actual.status() != 200 || !actual.text().equals(expected.text())) {
                    mismatches.add(actual.status() + " " + actual.text() + " instead of " + expected.text() + " for "
                            + printable(request));
                } else {
                    perVariant[actual.text().charAt(0) - 'a']++;
                }
            }
            viaSplitter.close();
            System.out.printf("%s: %d requests compared with nginx, per variant %s%n", keyCase.name(), compared,
                    java.util.Arrays.toString(perVariant));
            assertEquals(List.of(), mismatches.subList(0, Math.min(20, mismatches.size())),
                    mismatches.size() + " of " + compared + " requests landed elsewhere than nginx puts them");
            assertTrue(compared > PER_KEY * 9 / 10, "compared " + compared);
            for (int v = 0; v < VARIANTS.length; v++) {
                if (v != 2) { // c has 0.5%: a handful at most
                    assertTrue(perVariant[v] > 0, "some keys land on " + VARIANTS[v][0]);
                }
            }
        }
    }

    private static String printable(String request) {
        StringBuilder b = new StringBuilder();
        for (char c : request.toCharArray()) {
            b.append(c == '\r' ? "\\r" : c == '\n' ? "\\n" : c < 0x20 || c > 0x7e ? String.format("\\x%02x", (int) c) : String.valueOf(c));
        }
        return b.toString();
    }

    // ---- requests ----

    static String get(String target, String... headers) {
        StringBuilder b = new StringBuilder("GET ").append(target).append(" HTTP/1.1\r\nHost: parity.example\r\n");
        for (String h : headers) {
            b.append(h).append("\r\n");
        }
        return b.append("\r\n").toString();
    }

    /** UTF-8 text as raw bytes, one char per byte, as it goes over the wire. */
    static String utf8(String s) {
        return new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
    }

    static final String[] TARGET_CHARS = {"a", "b", "Z", "0", "9", "-", "_", ".", "~", "+", ";", "%", "%41", "%2B", "%20",
            "=", "/", "?", ":", "@", "!", "$", "'", "(", ")", "*", ",", "\"", "<", ">", "[", "]", "{", "}", "|", "\\", "^",
            "`", utf8("é"), utf8("日本"), utf8("ß"), "\u00ff"};
    static final String[] HEADER_CHARS = {"a", "b", "Z", "0", "9", " ", "\t", "-", "_", ".", "~", "+", ";", ",", "=", "%",
            "\"", "'", "/", ":", "@", "(", ")", "{", "}", "\\", utf8("é"), utf8("日本"), "\u00ff", "\u0080"};

    static String random(Random r, String[] alphabet, int maxLength) {
        int n = r.nextInt(maxLength + 1);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            b.append(alphabet[r.nextInt(alphabet.length)]);
        }
        return b.toString();
    }

    static String argRequest(Random r) {
        String[] names = {"token", "token", "token", "TOKEN", "Token", "xtoken", "tokenx", "tok", "a", "", "token "};
        String[] paths = {"/", "/p", "/p/q.html", "/a%20b", "/a/../b", "//x", "http://h.example/p", "/%7Euser", "/p+q"};
        StringBuilder q = new StringBuilder();
        int params = r.nextInt(5);
        for (int i = 0; i < params; i++) {
            if (i > 0) {
                q.append(r.nextInt(8) == 0 ? ";" : r.nextInt(10) == 0 ? "&&" : "&");
            }
            String name = names[r.nextInt(names.length)].replace(" ", "");
            q.append(name);
            if (r.nextInt(8) != 0) {
                q.append('=').append(random(r, TARGET_CHARS, r.nextInt(20) == 0 ? 400 : 16));
            }
        }
        String query = q.toString().replace("?", r.nextBoolean() ? "?" : "");
        String path = paths[r.nextInt(paths.length)];
        String tail = r.nextInt(25) == 0 ? "#frag" : "";
        return get(path + (r.nextInt(15) == 0 ? "" : "?") + query + tail);
    }

    static String trimTabs(String value) {
        return value.replaceAll("^[ \t]*\t[ \t]*|[ \t]*\t[ \t]*$", "");
    }

    static String headerRequest(Random r) {
        String[] names = {"X-User", "X-User", "X-User", "x-user", "X-USER", "X_User"};
        List<String> headers = new ArrayList<>();
        if (r.nextInt(10) != 0) {
            // nginx 1.22 keeps tabs at the edges of a header value, nginx 1.23+ (and the splitter)
            // strip them as they strip spaces: keep the edges free of tabs here (see the README).
            String value = trimTabs(random(r, HEADER_CHARS, r.nextInt(20) == 0 ? 2000 : 24));
            headers.add(names[r.nextInt(names.length)] + ":" + (r.nextBoolean() ? " " : "") + value);
        }
        if (r.nextInt(6) == 0) {
            headers.add("X_User: " + trimTabs(random(r, HEADER_CHARS, 8))); // nginx ignores names with '_'
        }
        if (r.nextInt(6) == 0) {
            headers.add("X-Other: " + trimTabs(random(r, HEADER_CHARS, 8)));
        }
        java.util.Collections.shuffle(headers, r);
        return get("/?token=" + random(r, new String[] {"a", "b", "1"}, 6), headers.toArray(String[]::new));
    }

    static String cookieRequest(Random r) {
        String[] names = {"user", "user", "user", "USER", "User", "xuser", "users", "us", "a", "b", " user"};
        String[] separators = {"; ", ";", ", ", ",", ";  ", " ; "};
        String[] valueChars = {"a", "b", "Z", "0", "9", " ", "-", "_", ".", "~", "+", "=", ",", "%", "\"", "'", "/", ":",
                "(", ")", utf8("é"), "\u00ff"};
        List<String> headers = new ArrayList<>();
        int lines = r.nextInt(8) == 0 ? 0 : 1 + (r.nextInt(4) == 0 ? 1 + r.nextInt(2) : 0);
        for (int l = 0; l < lines; l++) {
            StringBuilder c = new StringBuilder();
            int pairs = 1 + r.nextInt(4);
            for (int p = 0; p < pairs; p++) {
                if (p > 0) {
                    c.append(separators[r.nextInt(separators.length)]);
                }
                c.append(names[r.nextInt(names.length)]);
                if (r.nextInt(10) != 0) {
                    c.append(r.nextInt(8) == 0 ? " = " : "=").append(random(r, valueChars, 16));
                }
            }
            headers.add((r.nextInt(5) == 0 ? "cookie" : "Cookie") + ": " + c);
        }
        return get("/", headers.toArray(String[]::new));
    }

    static List<String> edgeCases(KeyCase keyCase) {
        List<String> e = new ArrayList<>();
        String big = "x".repeat(6000);
        switch (keyCase.name()) {
            case "query argument" -> {
                for (String t : List.of("/", "/?", "/?token", "/?token=", "/?token=abc", "/?TOKEN=abc", "/?Token=abc",
                        "/?token=a&token=b", "/?xtoken=a&token=b", "/?token=a;token=b", "/?a=1;token=b", "/?a=1&token=b&c=2",
                        "/?token=a=b", "/?token=%41%42", "/?token=a+b", "/?token=%2B", "/?token=" + utf8("héllo"),
                        "/?token=" + big, "/?&&token=x", "/?token&token=y", "/?tok%65n=1", "/p?token=a#b",
                        "/p#x?token=a", "/?token=a%23b", "http://h.example?token=z", "http://h.example/p?token=z",
                        "/a%20b?token=q", "/?token=" + "\u00ff\u0080", "/?tokentoken=1&token=2", "/?atoken=1",
                        "/?token==", "/?token=&token=x", "/??token=x", "/?a=?token=x", "/?token=x?y")) {
                    e.add(get(t));
                }
            }
            case "header" -> {
                for (String h : List.of("X-User: abc", "X-User:abc", "X-User:   abc   ", "X-User:", "X-User: a b  c",
                        "x-user: abc", "X-USER: abc", "X_User: abc", "X-User: " + utf8("日本語"), "X-User: " + big,
                        "X-User: a\tb", "X-User: \"quoted\"", "X-User: a,b")) {
                    e.add(get("/", h));
                }
                e.add(get("/"));
                e.add(get("/", "X_User: ignored", "X-User: kept"));
            }
            case "cookie" -> {
                for (String c : List.of("user=abc", "user = abc", "User=abc", "a=1; user=b", "a=1,user=b", "user=\"quoted\"",
                        "user=a b", "user=", "xuser=1; user=2", "user=1;user=2", "  user=1", ";user=3", "user=a,b;c",
                        "user=" + utf8("ü"), "a=1;  user=spaces", "user", "user;user=4", "users=5; user=6", "a=b=c; user=7",
                        "user=" + big)) {
                    e.add(get("/", "Cookie: " + c));
                }
                e.add(get("/", "Cookie: a=1", "Cookie: user=2"));
                e.add(get("/", "Cookie: user=1", "Cookie: user=2"));
                e.add(get("/", "Cookie: a=1", "cookie: b=2; user=3"));
                e.add(get("/"));
            }
            default -> {
                e.add(get("/"));
                e.add(get("/?token=abc", "X-User: u1"));
            }
        }
        return e;
    }
}
