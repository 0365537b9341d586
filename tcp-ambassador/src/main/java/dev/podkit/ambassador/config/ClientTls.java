package dev.podkit.ambassador.config;

import java.nio.file.Path;
import java.util.Optional;

/**
 * TLS origination to a target: the app speaks plain TCP to the ambassador, the ambassador speaks
 * TLS to the target.
 *
 * @param caFile PEM bundle of trusted CAs; empty for the JVM's (system) CAs
 * @param serverName SNI and the name the certificate must carry; empty for the target's host name
 * @param verify whether to verify the certificate chain and name (on unless switched off explicitly)
 * @param certFile client certificate chain (PEM) for mutual TLS, with {@code keyFile}
 * @param keyFile client key (PEM, PKCS#8 or PKCS#1 RSA)
 */
public record ClientTls(Optional<Path> caFile, Optional<String> serverName, boolean verify, Optional<Path> certFile,
        Optional<Path> keyFile) {
    public ClientTls {
        if (certFile.isPresent() != keyFile.isPresent()) {
            throw new IllegalArgumentException("a client certificate needs both certFile and keyFile");
        }
        if (!verify && caFile.isPresent()) {
            throw new IllegalArgumentException("caFile is set but verify is false");
        }
    }
}
