package dev.podkit.splitter.key;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Key extraction as nginx's C code does it (the parity IT checks the same against a running nginx). */
class KeyExtractionTest {
    private static final String MISSING = "<missing>";

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "/?token=abc|abc",
            "/?TOKEN=abc|abc",
            "/?token=a&token=b|a",
            "/?xtoken=a&token=b|b",
            "/?token=a;token=b|a;token=b",
            "/?a=1;token=b|<missing>",
            "/?token=%41+b|%41+b",
            "/?token=a=b|a=b",
            "/?token=|''",
            "/?token|<missing>",
            "/?token&token=y|y",
            "/?tok%65n=1|<missing>",
            "/p?token=a#b|a",
            "/p#x?token=a|<missing>",
            "http://h.example?token=z|z",
            "http://h.example/p?token=z|z",
            "/?&&token=x|x",
            "/??token=x|<missing>",
            "/?a=?token=x|<missing>",
            "/|<missing>",
            "/?tokentoken=1&token=2|2"})
    void queryArguments(String target, String expected) {
        String found = QueryArgs.value(target, "token");
        assertEquals(expected, found == null ? MISSING : found);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "user=abc|abc",
            "user = abc|abc",
            "User=abc|abc",
            "a=1; user=b|b",
            "a=1,user=b|b",
            "user=\"q\"|\"q\"",
            "user=a b|a b",
            "user=a,b;c|a,b",
            "xuser=1; user=2|2",
            "users=5; user=6|6",
            "user;user=4|<missing>",
            "user;user=4; user=5|5",
            "user|<missing>",
            "'  user=1'|<missing>",
            ";user=3|3"})
    void cookies(String header, String expected) {
        String found = Cookies.value(List.of(header), "user");
        assertEquals(expected, found == null ? MISSING : found);
    }

    @Test
    void cookiesAreSearchedAcrossHeaderLinesInOrder() {
        assertEquals("2", Cookies.value(List.of("a=1", "user=2"), "user"));
        assertEquals("1", Cookies.value(List.of("user=1", "user=2"), "user"));
    }

    private static String header(HttpHeaders headers, String variable) {
        ByteSink sink = new ByteSink();
        return Headers.find(headers, variable, sink) ? new String(sink.toByteArray(), StandardCharsets.ISO_8859_1) : MISSING;
    }

    @Test
    void headersMatchByLowerCaseNameWithDashesAsUnderscores() {
        HttpHeaders h = new DefaultHttpHeaders().add("X-User", "abc");
        assertEquals("abc", header(h, "x_user"));
        assertEquals(MISSING, header(new DefaultHttpHeaders().add("X_User", "abc"), "x_user"));
        assertEquals(MISSING, header(h, "x_use"));
    }

    @Test
    void repeatedHeadersAreJoinedAsCurrentNginxDoes() {
        HttpHeaders h = new DefaultHttpHeaders().add("X-User", "a").add("x-user", "b");
        assertEquals("a, b", header(h, "x_user"));
        HttpHeaders c = new DefaultHttpHeaders().add("Cookie", "a=1").add("Cookie", "b=2");
        assertEquals("a=1; b=2", header(c, "cookie"));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({"127.0.0.1,127.0.0.1", "::1,::1", "2001:db8::1,2001:db8::1", "::ffff:10.1.2.3,10.1.2.3",
            "fe80::1:0:0:1,fe80::1:0:0:1", "2001:db8:0:0:1:0:0:1,2001:db8::1:0:0:1", "1:0:0:0:0:0:0:0,1::",
            "0:0:0:0:0:0:0:0,::", "::10.1.2.3,::10.1.2.3", "1:2:3:4:5:6:7:8,1:2:3:4:5:6:7:8"})
    void remoteAddressesPrintAsNginxDoes(String address, String expected) throws Exception {
        assertEquals(expected, RemoteAddress.text(InetAddress.getByName(address)));
    }

    record View(String target, HttpHeaders headers, SocketAddress remoteAddress) implements RequestView {
    }

    @Test
    void expressionsConcatenateLiteralsAndVariables() throws Exception {
        View v = new View("/?token=t1", new DefaultHttpHeaders().add("X-User", "u1").add("Cookie", "user=c1"),
                new InetSocketAddress(InetAddress.getByName("10.0.0.7"), 5555));
        assertArrayEquals("10.0.0.7|t1|u1|c1".getBytes(StandardCharsets.US_ASCII),
                KeyExpression.parse("${remote_addr}|$arg_token|${http_x_user}|$cookie_user").evaluate(v));
        assertArrayEquals("t1-".getBytes(StandardCharsets.US_ASCII), KeyExpression.parse("$arg_TOKEN-$arg_missing").evaluate(v));
        assertArrayEquals(new byte[0], KeyExpression.parse("$cookie_none").evaluate(v));
    }

    @Test
    void rawBytesStayBytes() {
        String latin1 = new String("é".getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
        View v = new View("/?token=" + latin1, new DefaultHttpHeaders(), null);
        assertArrayEquals("é".getBytes(StandardCharsets.UTF_8), KeyExpression.parse("$arg_token").evaluate(v));
    }

    @Test
    void unknownOrBrokenVariablesAreConfigErrors() {
        assertThrows(IllegalArgumentException.class, () -> KeyExpression.parse("$request_uri"));
        assertThrows(IllegalArgumentException.class, () -> KeyExpression.parse("${arg_token"));
        assertThrows(IllegalArgumentException.class, () -> KeyExpression.parse("$"));
        assertThrows(IllegalArgumentException.class, () -> KeyExpression.parse("$arg_"));
    }
}
