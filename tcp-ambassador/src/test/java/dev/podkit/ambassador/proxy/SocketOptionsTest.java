package dev.podkit.ambassador.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.podkit.ambassador.RunningAmbassador;
import dev.podkit.ambassador.TestServer;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * TCP keepalive with TCP_KEEPALIVE's idle time on both sockets of a proxied connection, seen from
 * outside as {@code ss} shows them. On epoll the client's socket inherits it from the listening
 * socket, so this also checks that inheritance.
 */
class SocketOptionsTest {

    @ParameterizedTest
    @ValueSource(strings = {"epoll", "nio"})
    void bothSocketsOfAConnectionKeepAliveWithTheConfiguredIdleTime(String transport) throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/ss")) || Files.isExecutable(Path.of("/bin/ss")), "needs ss");
        try (TestServer echo = TestServer.echo();
             RunningAmbassador amb = RunningAmbassador.forwarding(RunningAmbassador.freePort(),
                     "127.0.0.1:" + echo.port(), Map.of("TRANSPORT", transport, "TCP_KEEPALIVE", "37s"));
             Socket client = new Socket("127.0.0.1", amb.port())) {
            client.setSoTimeout(30_000);
            client.getOutputStream().write("ping".getBytes(StandardCharsets.US_ASCII));
            assertEquals("ping", new String(client.getInputStream().readNBytes(4), StandardCharsets.US_ASCII));
            // The ambassador's two sockets: the accepted one (local port = the listener's) and the
            // one to the target (remote port = the echo server's).
            List<String> lines = ss("( sport = :" + amb.port() + " or dport = :" + echo.port() + " )");
            assertEquals(2, lines.size(), String.join("\n", lines));
            for (String line : lines) {
                Matcher m = Pattern.compile("timer:\\(keepalive,(\\d+)sec").matcher(line);
                assertTrue(m.find(), "keepalive on " + line);
                int left = Integer.parseInt(m.group(1));
                assertTrue(left <= 37 && left > 0, "the idle time of TCP_KEEPALIVE on " + line);
            }
        }
    }

    private static List<String> ss(String filter) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("ss", "-Htno", "state", "established", filter).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        return out.lines().filter(l -> !l.isBlank()).toList();
    }
}
