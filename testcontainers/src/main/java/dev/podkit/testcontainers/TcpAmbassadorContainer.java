package dev.podkit.testcontainers;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.utility.DockerImageName;

/**
 * The {@code podkit/tcp-ambassador} image: forwards TCP from localhost to services outside the
 * pod. Typed setters for its settings, e.g.
 * <pre>
 * new TcpAmbassadorContainer().withNetwork(network).forwarding(8080, "ambassador-test-svc", 8081)
 * </pre>
 * A listen port given to {@code forwarding} is also exposed, so a test can reach it with
 * {@link #getForwardedPort(int)}.
 */
public class TcpAmbassadorContainer extends PodkitContainer<TcpAmbassadorContainer> {
    public static final String HELPER = "tcp-ambassador";
    public static final int ADMIN_PORT = 9702;
    /** Where {@link #withConfigFile(String)} puts the file. */
    public static final String CONFIG_FILE_PATH = "/etc/podkit/tcp-ambassador.yaml";

    private final List<String> listen = new ArrayList<>();
    private final List<String> talk = new ArrayList<>();

    /** The image named by {@link PodkitImages#of} (system properties, else this artifact's version). */
    public TcpAmbassadorContainer() {
        this(PodkitImages.of(HELPER));
    }

    public TcpAmbassadorContainer(DockerImageName image) {
        super(image, HELPER, ADMIN_PORT);
    }

    /** {@code LISTEN}/{@code TALK}: accept on {@code listenPort} (all interfaces) and forward to {@code host:port}. */
    public TcpAmbassadorContainer forwarding(int listenPort, String host, int port) {
        return forwarding(listenPort, host + ":" + port);
    }

    /** Accept on {@code listenPort} and balance over {@code targets} ({@code host:port} each). */
    public TcpAmbassadorContainer forwarding(int listenPort, String... targets) {
        listen.add(":" + listenPort);
        talk.add(String.join(",", targets));
        addExposedPort(listenPort);
        withSetting("LISTEN", String.join(" ", listen));
        return withSetting("TALK", String.join(" ", talk));
    }

    /** The host port that reaches {@code listenPort} of a {@link #forwarding} call. */
    public int getForwardedPort(int listenPort) {
        return getMappedPort(listenPort);
    }

    /** {@code CONFIG_FILE}: the listeners as YAML, copied into the container. */
    public TcpAmbassadorContainer withConfigFile(String yaml) {
        withFile(CONFIG_FILE_PATH, yaml);
        return withSetting("CONFIG_FILE", CONFIG_FILE_PATH);
    }

    /** Copies {@code content} to {@code path} in the container, readable by the helper (uid 65532). */
    public TcpAmbassadorContainer withFile(String path, String content) {
        return withCopyToContainer(Transferable.of(content.getBytes(StandardCharsets.UTF_8), 0644), path);
    }

    /** {@code TIMEOUT_CONNECT}: limit of each connect attempt. */
    public TcpAmbassadorContainer withConnectTimeout(Duration timeout) {
        return withSetting("TIMEOUT_CONNECT", millis(timeout));
    }

    /** {@code TIMEOUT_TUNNEL}: inactivity limit of an established connection (zero: none). */
    public TcpAmbassadorContainer withTunnelTimeout(Duration timeout) {
        return withSetting("TIMEOUT_TUNNEL", millis(timeout));
    }

    /** {@code TIMEOUT_CLIENT_FIN} and {@code TIMEOUT_SERVER_FIN}: inactivity limit once half-closed. */
    public TcpAmbassadorContainer withFinTimeouts(Duration timeout) {
        withSetting("TIMEOUT_CLIENT_FIN", millis(timeout));
        return withSetting("TIMEOUT_SERVER_FIN", millis(timeout));
    }

    /** {@code BALANCE}: round-robin, least-connections or power-of-two. */
    public TcpAmbassadorContainer withBalance(String balance) {
        return withSetting("BALANCE", balance);
    }

    /** {@code RETRIES}: connect attempts after a failed one. */
    public TcpAmbassadorContainer withRetries(int retries) {
        return withSetting("RETRIES", Integer.toString(retries));
    }

    /** {@code HEALTH_CHECK_*}: active TCP health checks. */
    public TcpAmbassadorContainer withHealthChecks(Duration interval, int rise, int fall) {
        withSetting("HEALTH_CHECK_INTERVAL", millis(interval));
        withSetting("HEALTH_CHECK_RISE", Integer.toString(rise));
        return withSetting("HEALTH_CHECK_FALL", Integer.toString(fall));
    }

    /** {@code EJECT_AFTER} and {@code EJECT_TIME}: passive ejection after failed connects in a row. */
    public TcpAmbassadorContainer withEjection(int afterFailures, Duration time) {
        withSetting("EJECT_AFTER", Integer.toString(afterFailures));
        return withSetting("EJECT_TIME", millis(time));
    }

    /** {@code MAX_CONNECTIONS}: open connections per listener. */
    public TcpAmbassadorContainer withMaxConnections(int max) {
        return withSetting("MAX_CONNECTIONS", Integer.toString(max));
    }

    /** {@code TALK_TLS} with {@code TALK_TLS_CA_FILE}: TLS to the targets, verified against this CA (PEM). */
    public TcpAmbassadorContainer withTargetTls(String caPem) {
        withFile("/etc/podkit/tls/ca.crt", caPem);
        withSetting("TALK_TLS", "true");
        return withSetting("TALK_TLS_CA_FILE", "/etc/podkit/tls/ca.crt");
    }

    /** {@code TALK_TLS_SERVER_NAME}: SNI and verified name, when not the target's host name. */
    public TcpAmbassadorContainer withTargetServerName(String serverName) {
        return withSetting("TALK_TLS_SERVER_NAME", serverName);
    }

    /** {@code TALK_TLS_CERT_FILE} and {@code TALK_TLS_KEY_FILE}: a client certificate for mutual TLS (PEM). */
    public TcpAmbassadorContainer withTargetClientCertificate(String certificatePem, String keyPem) {
        withFile("/etc/podkit/tls/client.crt", certificatePem);
        withFile("/etc/podkit/tls/client.key", keyPem);
        withSetting("TALK_TLS_CERT_FILE", "/etc/podkit/tls/client.crt");
        return withSetting("TALK_TLS_KEY_FILE", "/etc/podkit/tls/client.key");
    }

    /** {@code SEND_PROXY}: off, v1 or v2. */
    public TcpAmbassadorContainer withSendProxy(String version) {
        return withSetting("SEND_PROXY", version);
    }

    /** {@code ACCEPT_PROXY=true}. */
    public TcpAmbassadorContainer withAcceptProxy() {
        return withSetting("ACCEPT_PROXY", "true");
    }

    /** {@code CONNECTION_LOG=true}: one stderr line per connection. */
    public TcpAmbassadorContainer withConnectionLog() {
        return withSetting("CONNECTION_LOG", "true");
    }

    /** {@code SPLICE}: when plain connections move bytes with splice(2): on, off or auto. */
    public TcpAmbassadorContainer withSplice(String splice) {
        return withSetting("SPLICE", splice);
    }

    /** {@code DNS_MAX_TTL}: longest time a DNS answer is cached. */
    public TcpAmbassadorContainer withDnsMaxTtl(Duration ttl) {
        return withSetting("DNS_MAX_TTL", millis(ttl));
    }

    private static String millis(Duration d) {
        return d.toMillis() + "ms";
    }
}
