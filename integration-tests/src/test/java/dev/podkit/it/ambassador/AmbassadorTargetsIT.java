package dev.podkit.it.ambassador;

import static dev.podkit.it.ambassador.Pods.awaitMetric;
import static dev.podkit.it.ambassador.Pods.mainContainer;
import static dev.podkit.it.ambassador.Pods.metric;
import static dev.podkit.it.ambassador.Pods.sh;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podkit.ambassador.tls.TestCertificates;
import dev.podkit.ambassador.tls.TestCertificates.Issued;
import dev.podkit.ambassador.tls.TestCertificates.KeyFormat;
import dev.podkit.testcontainers.TcpAmbassadorContainer;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.Transferable;

/** Targets that speak TLS, and targets that die. */
class AmbassadorTargetsIT {

    @Test
    void theAppSpeaksPlainTcpAndTheAmbassadorSpeaksVerifiedMutualTlsToTheService() throws Exception {
        TestCertificates ca = TestCertificates.newCa("podkit IT CA");
        Issued server = ca.issue("EC", "tls-svc");
        Issued client = ca.issue("RSA", "the-app");
        String nginxConf = """
                server {
                    listen 8443 ssl;
                    ssl_certificate /etc/nginx/tls/tls.crt;
                    ssl_certificate_key /etc/nginx/tls/tls.key;
                    ssl_client_certificate /etc/nginx/tls/ca.crt;
                    ssl_verify_client on;
                    location / {
                        return 200 "tls ok, sni=$ssl_server_name, client=$ssl_client_s_dn\\n";
                    }
                }
                """;
        try (Network net = Network.newNetwork();
             GenericContainer<?> nginx = new GenericContainer<>(Pods.NGINX).withNetwork(net).withNetworkAliases("tls-svc")
                     .withCopyToContainer(Transferable.of(nginxConf), "/etc/nginx/conf.d/default.conf")
                     .withCopyToContainer(Transferable.of(server.certificatePem()), "/etc/nginx/tls/tls.crt")
                     .withCopyToContainer(Transferable.of(server.keyPem(KeyFormat.PKCS8)), "/etc/nginx/tls/tls.key")
                     .withCopyToContainer(Transferable.of(ca.certificatePem()), "/etc/nginx/tls/ca.crt")
                     .waitingFor(Wait.forLogMessage(".*start worker process.*\\n", 1));
             TcpAmbassadorContainer ambassador = new TcpAmbassadorContainer().withNetwork(net)
                     .forwarding(8080, "tls-svc", 8443)
                     .withTargetTls(ca.certificatePem())
                     .withTargetClientCertificate(client.certificatePem(), client.keyPem(KeyFormat.TRADITIONAL))) {
            nginx.start();
            ambassador.start();
            try (GenericContainer<?> main = mainContainer(ambassador)) {
                assertEquals("tls ok, sni=tls-svc, client=CN=the-app\n", sh(main, "wget -qO- http://localhost:8080/"));
            }
            assertEquals(0, metric(ambassador, "podkit_ambassador_connect_errors_total",
                    "route", ":8080", "target", "tls-svc:8443", "reason", "tls"));
        }
    }

    @ParameterizedTest(name = "health checks={0}")
    @ValueSource(booleans = {true, false})
    void aDeadTargetIsTakenOutAndTrafficMovesToTheHealthyOne(boolean activeChecks) throws Exception {
        String serve = "mkdir -p /www && echo $NAME > /www/index.html && httpd -p 8081 -h /www && sleep 600";
        try (Network net = Network.newNetwork();
             GenericContainer<?> a = new GenericContainer<>(Pods.BUSYBOX).withNetwork(net).withNetworkAliases("svc-a")
                     .withEnv("NAME", "a").withCommand("sh", "-c", serve);
             GenericContainer<?> b = new GenericContainer<>(Pods.BUSYBOX).withNetwork(net).withNetworkAliases("svc-b")
                     .withEnv("NAME", "b").withCommand("sh", "-c", serve);
             TcpAmbassadorContainer ambassador = new TcpAmbassadorContainer().withNetwork(net)
                     .forwarding(8080, "svc-a:8081", "svc-b:8081")) {
            if (activeChecks) {
                ambassador.withHealthChecks(Duration.ofMillis(300), 2, 2).withEjection(0, Duration.ofSeconds(10));
            } else {
                ambassador.withEjection(2, Duration.ofMinutes(5));
            }
            a.start();
            b.start();
            ambassador.start();
            try (GenericContainer<?> main = mainContainer(ambassador)) {
                Set<String> seen = new HashSet<>();
                for (int i = 0; i < 6; i++) {
                    seen.add(sh(main, "wget -qO- http://localhost:8080/").trim());
                }
                assertEquals(Set.of("a", "b"), seen, "round-robin over both while both are up");

                sh(b, "killall httpd");
                if (activeChecks) {
                    awaitMetric(ambassador, 0, "podkit_ambassador_target_up", "route", ":8080", "target", "svc-b:8081");
                }
                for (int i = 0; i < 10; i++) {
                    assertEquals("a", sh(main, "wget -qO- http://localhost:8080/").trim(), "request " + i);
                }
            }
            assertEquals(0, metric(ambassador, "podkit_ambassador_target_up", "route", ":8080", "target", "svc-b:8081"));
            assertEquals(1, metric(ambassador, "podkit_ambassador_target_up", "route", ":8080", "target", "svc-a:8081"));
            double refused = metric(ambassador, "podkit_ambassador_connect_errors_total",
                    "route", ":8080", "target", "svc-b:8081", "reason", "refused");
            assertTrue(activeChecks ? refused == 0 : refused == 2,
                    "active checks keep connections away from it; passive ejection after 2 failed connects: " + refused);
            assertEquals(0, metric(ambassador, "podkit_ambassador_connections_ended_total", "route", ":8080", "how", "no_target"),
                    "every request was served, retried on the healthy target when needed");
        }
    }
}
