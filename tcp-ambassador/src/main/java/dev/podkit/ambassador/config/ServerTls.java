package dev.podkit.ambassador.config;

import java.nio.file.Path;
import java.util.Objects;

/** TLS termination on a listener: certificate chain and key (PEM), reloaded when the files change. */
public record ServerTls(Path certFile, Path keyFile) {
    public ServerTls {
        Objects.requireNonNull(certFile, "certFile");
        Objects.requireNonNull(keyFile, "keyFile");
    }
}
