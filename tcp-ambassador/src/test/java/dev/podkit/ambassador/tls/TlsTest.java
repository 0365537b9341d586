package dev.podkit.ambassador.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podkit.ambassador.RunningAmbassador;
import dev.podkit.ambassador.TestServer;
import dev.podkit.ambassador.tls.TestCertificates.Issued;
import dev.podkit.ambassador.tls.TestCertificates.KeyFormat;
import dev.podkit.runtime.config.ConfigException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TLS origination to targets (verification, SNI, client certificates) and TLS termination with reload. */
class TlsTest {
    private static TestCertificates ca;
    private static Issued server;

    @TempDir
    Path dir;
    private final List<AutoCloseable> closing = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void certificates() {
        ca = TestCertificates.newCa("podkit test CA");
        server = ca.issue("EC", "tls.test", "tls-svc", "127.0.0.1");
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closing) {
            c.close();
        }
    }

    /** A TLS server answering each line with "hello sni=<name> client=<CN|none>". */
    private int tlsServer(Issued identity, X509Certificate requireClientsOf) throws IOException {
        SSLServerSocket s = (SSLServerSocket) identity.sslContext(requireClientsOf).getServerSocketFactory()
                .createServerSocket(0, 50, InetAddress.getLoopbackAddress());
        s.setNeedClientAuth(requireClientsOf != null);
        closing.add(s);
        Thread t = new Thread(() -> {
            while (!s.isClosed()) {
                try (SSLSocket c = (SSLSocket) s.accept()) {
                    c.setSoTimeout(10_000);
                    BufferedReader in = new BufferedReader(new InputStreamReader(c.getInputStream(), StandardCharsets.US_ASCII));
                    in.readLine();
                    ExtendedSSLSession session = (ExtendedSSLSession) c.getSession();
                    String sni = session.getRequestedServerNames().stream()
                            .map(n -> ((SNIHostName) n).getAsciiName()).findFirst().orElse("none");
                    String client;
                    try {
                        client = ((X509Certificate) session.getPeerCertificates()[0]).getSubjectX500Principal().getName();
                    } catch (SSLPeerUnverifiedException e) {
                        client = "none";
                    }
                    c.getOutputStream().write(("hello sni=" + sni + " client=" + client + "\n").getBytes(StandardCharsets.US_ASCII));
                    c.getOutputStream().flush();
                } catch (IOException e) {
                    // a failed handshake: the test sees it on the ambassador's side
                }
            }
        });
        t.setDaemon(true);
        t.start();
        return s.getLocalPort();
    }

    private RunningAmbassador ambassador(String talk, Map<String, String> env) throws Exception {
        RunningAmbassador amb = RunningAmbassador.forwarding(RunningAmbassador.freePort(), talk, env);
        closing.add(amb);
        return amb;
    }

    private static String ask(int port) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(15_000);
            s.getOutputStream().write("hi\n".getBytes(StandardCharsets.US_ASCII));
            String line = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII)).readLine();
            return line == null ? "end of stream" : line;
        } catch (SocketException e) {
            return e.getMessage();
        }
    }

    private Path caFile() throws IOException {
        return Files.writeString(dir.resolve("ca.crt"), ca.certificatePem());
    }

    @Test
    void plainFromTheAppTlsToTheTargetVerifiedWithSni() throws Exception {
        int port = tlsServer(server, null);
        RunningAmbassador amb = ambassador("127.0.0.1:" + port, Map.of("TALK_TLS", "true",
                "TALK_TLS_CA_FILE", caFile().toString(), "TALK_TLS_SERVER_NAME", "tls.test"));
        assertEquals("hello sni=tls.test client=none", ask(amb.port()));
        assertEquals(1, amb.value("podkit_ambassador_target_connections_total"));
        // A Kubernetes service name has no dot; the JDK would send no SNI for it by itself.
        RunningAmbassador dotless = ambassador("127.0.0.1:" + port, Map.of("TALK_TLS", "true",
                "TALK_TLS_CA_FILE", caFile().toString(), "TALK_TLS_SERVER_NAME", "tls-svc"));
        assertEquals("hello sni=tls-svc client=none", ask(dotless.port()));
    }

    @Test
    void aCertificateForAnotherNameIsRejected() throws Exception {
        int port = tlsServer(server, null);
        RunningAmbassador amb = ambassador("127.0.0.1:" + port, Map.of("TALK_TLS", "true",
                "TALK_TLS_CA_FILE", caFile().toString(), "TALK_TLS_SERVER_NAME", "other.test", "RETRIES", "0"));
        assertTrue(ask(amb.port()).toLowerCase().contains("reset"));
        amb.await(1, "podkit_ambassador_connect_errors_total", "reason", "tls");
        amb.await(1, "podkit_ambassador_connections_ended_total", "how", "no_target");
    }

    @Test
    void verificationIsOnByDefaultAgainstTheSystemCas() throws Exception {
        int port = tlsServer(server, null);
        RunningAmbassador amb = ambassador("127.0.0.1:" + port, Map.of("TALK_TLS", "true", "RETRIES", "0"));
        assertTrue(ask(amb.port()).toLowerCase().contains("reset"), "a private CA is not trusted by default");
        amb.await(1, "podkit_ambassador_connect_errors_total", "reason", "tls");
        RunningAmbassador insecure = ambassador("127.0.0.1:" + port, Map.of("TALK_TLS", "true", "TALK_TLS_VERIFY", "false"));
        assertEquals("hello sni=none client=none", ask(insecure.port()), "TALK_TLS_VERIFY=false skips it; no SNI for an IP");
    }

    @Test
    void aClientCertificateForMutualTls() throws Exception {
        int port = tlsServer(server, ca.certificate());
        Issued client = ca.issue("RSA", "app.test");
        Path cert = client.write(dir, "client", KeyFormat.TRADITIONAL);
        RunningAmbassador amb = ambassador("127.0.0.1:" + port, Map.of("TALK_TLS", "true",
                "TALK_TLS_CA_FILE", caFile().toString(), "TALK_TLS_SERVER_NAME", "tls.test",
                "TALK_TLS_CERT_FILE", cert.toString(), "TALK_TLS_KEY_FILE", dir.resolve("client.key").toString()));
        assertEquals("hello sni=tls.test client=CN=app.test", ask(amb.port()));
        RunningAmbassador without = ambassador("127.0.0.1:" + port, Map.of("TALK_TLS", "true",
                "TALK_TLS_CA_FILE", caFile().toString(), "TALK_TLS_SERVER_NAME", "tls.test", "RETRIES", "0"));
        assertNotEquals("hello sni=tls.test client=none", ask(without.port()), "the server requires a client certificate");
    }

    @Test
    void tlsTerminationOnTheListenerReloadsItsCertificate() throws Exception {
        TestServer echo = TestServer.echo();
        closing.add(echo);
        Path cert = server.write(dir, "listener", KeyFormat.TRADITIONAL);
        Map<String, String> env = new HashMap<>(Map.of("LISTEN_TLS_CERT_FILE", cert.toString(),
                "LISTEN_TLS_KEY_FILE", dir.resolve("listener.key").toString(), "TLS_RELOAD_INTERVAL", "100ms"));
        RunningAmbassador amb = ambassador("127.0.0.1:" + echo.port(), env);
        BigInteger first = echoOverTls(amb.port());
        assertEquals(server.certificate().getSerialNumber(), first);

        Issued renewed = ca.issue("RSA", "tls.test", "127.0.0.1");
        // Kubernetes swaps both files at once; here the key comes first, so for a moment they do not match.
        Files.writeString(dir.resolve("listener.key"), renewed.keyPem(KeyFormat.PKCS8));
        Files.writeString(cert, renewed.certificatePem());
        BigInteger now = first;
        for (int i = 0; i < 100 && now.equals(first); i++) {
            Thread.sleep(100);
            now = echoOverTls(amb.port());
        }
        assertEquals(renewed.certificate().getSerialNumber(), now, "new handshakes use the renewed certificate");
    }

    /** Echoes a line over TLS; returns the serial number of the certificate the listener presented. */
    private static BigInteger echoOverTls(int port) throws IOException {
        try (SSLSocket s = (SSLSocket) ca.clientContext().getSocketFactory().createSocket("127.0.0.1", port)) {
            s.setSoTimeout(15_000);
            s.getOutputStream().write("ping\n".getBytes(StandardCharsets.US_ASCII));
            String line = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII)).readLine();
            assertEquals("ping", line);
            return ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSerialNumber();
        }
    }

    @Test
    void unusableTlsFilesStopTheStartWithOneLine() throws Exception {
        Path cert = server.write(dir, "s", KeyFormat.PKCS8);
        Path otherKey = ca.issue("EC", "x").write(dir, "other", KeyFormat.PKCS8);
        ConfigException e = assertThrows(ConfigException.class, () -> ambassador("127.0.0.1:1", Map.of(
                "LISTEN_TLS_CERT_FILE", cert.toString(), "LISTEN_TLS_KEY_FILE", dir.resolve("other.key").toString())));
        assertEquals("config error: LISTEN_TLS_CERT_FILE: " + dir.resolve("other.key") + " is not the key of the certificate in "
                + cert, e.getMessage());
        assertTrue(Files.exists(otherKey));
        e = assertThrows(ConfigException.class, () -> ambassador("127.0.0.1:1", Map.of("TALK_TLS", "true",
                "TALK_TLS_CA_FILE", dir.resolve("missing.crt").toString())));
        assertTrue(e.getMessage().startsWith("config error: TALK_TLS: ") && e.getMessage().contains("missing.crt"), e.getMessage());
    }
}
