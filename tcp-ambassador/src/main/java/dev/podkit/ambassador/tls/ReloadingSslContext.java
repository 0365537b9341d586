package dev.podkit.ambassador.tls;

import dev.podkit.ambassador.config.ClientTls;
import dev.podkit.ambassador.config.ServerTls;
import dev.podkit.runtime.config.FileWatcher;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import javax.net.ssl.SSLException;

/**
 * An {@link SslContext} built from PEM files and rebuilt when they change (a renewed certificate
 * in a mounted Secret): new connections use the new one, open ones keep theirs. A file that is
 * broken at startup stops the start; a broken update is logged and the last good context stays.
 */
public final class ReloadingSslContext implements Supplier<SslContext> {
    private static final System.Logger LOG = System.getLogger(ReloadingSslContext.class.getName());

    @FunctionalInterface
    private interface Builder {
        SslContext build() throws SSLException;
    }

    private final String what;
    private final Builder builder;
    private final AtomicReference<SslContext> current = new AtomicReference<>();

    private ReloadingSslContext(String what, Builder builder, List<Path> files, FileWatcher watcher) {
        this.what = what;
        this.builder = builder;
        current.set(buildOrThrow());
        for (Path f : files) {
            watcher.watch(f, content -> reload(f));
        }
    }

    /** TLS origination to a target; throws {@link IllegalArgumentException} naming the bad file. */
    public static ReloadingSslContext client(String what, ClientTls tls, FileWatcher watcher) {
        List<Path> files = new ArrayList<>();
        tls.caFile().ifPresent(files::add);
        tls.certFile().ifPresent(files::add);
        tls.keyFile().ifPresent(files::add);
        return new ReloadingSslContext(what, () -> {
            SslContextBuilder b = SslContextBuilder.forClient().sslProvider(SslProvider.JDK);
            if (tls.verify()) {
                tls.caFile().ifPresent(ca -> b.trustManager(PemFiles.certificates(ca)));
                // Check that the certificate names the server (RFC 6125), as browsers do.
                b.endpointIdentificationAlgorithm("HTTPS");
            } else {
                b.trustManager(InsecureTrustManagerFactory.INSTANCE).endpointIdentificationAlgorithm(null);
            }
            if (tls.certFile().isPresent()) {
                List<X509Certificate> chain = PemFiles.certificates(tls.certFile().get());
                PrivateKey key = PemFiles.privateKey(tls.keyFile().orElseThrow());
                PemFiles.checkPair(key, chain, tls.keyFile().get(), tls.certFile().get());
                b.keyManager(key, chain);
            }
            return b.build();
        }, files, watcher);
    }

    /** TLS termination on a listener. */
    public static ReloadingSslContext server(String what, ServerTls tls, FileWatcher watcher) {
        return new ReloadingSslContext(what, () -> {
            List<X509Certificate> chain = PemFiles.certificates(tls.certFile());
            PrivateKey key = PemFiles.privateKey(tls.keyFile());
            PemFiles.checkPair(key, chain, tls.keyFile(), tls.certFile());
            return SslContextBuilder.forServer(key, chain).sslProvider(SslProvider.JDK).build();
        }, List.of(tls.certFile(), tls.keyFile()), watcher);
    }

    private SslContext buildOrThrow() {
        try {
            return builder.build();
        } catch (SSLException e) {
            throw new IllegalArgumentException(what + ": " + e.getMessage(), e);
        } catch (UncheckedIOException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    private void reload(Path changed) {
        try {
            current.set(buildOrThrow());
            LOG.log(Level.INFO, what + ": reloaded after " + changed + " changed");
        } catch (IllegalArgumentException e) {
            LOG.log(Level.WARNING, what + ": " + changed + " changed but cannot be used, keeping the previous one: "
                    + e.getMessage());
        }
    }

    @Override
    public SslContext get() {
        return current.get();
    }
}
