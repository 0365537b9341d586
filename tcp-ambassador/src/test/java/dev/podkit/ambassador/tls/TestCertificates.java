package dev.podkit.ambassador.tls;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;

/**
 * A throw-away CA and the certificates it signs, written as PEM files the way Kubernetes Secrets
 * and cert-manager hold them, for TLS tests (unit tests and the image's integration tests).
 */
public final class TestCertificates {
    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    /** How a private key is written. */
    public enum KeyFormat {
        /** {@code PRIVATE KEY} */
        PKCS8,
        /** {@code RSA PRIVATE KEY} or {@code EC PRIVATE KEY}, OpenSSL's traditional form (cert-manager's default) */
        TRADITIONAL
    }

    /** A certificate and its key. */
    public record Issued(X509Certificate certificate, KeyPair keys) {
        public String certificatePem() {
            return pem(certificate);
        }

        public String keyPem(KeyFormat format) {
            try {
                if (format == KeyFormat.PKCS8) {
                    return pem(new JcaPKCS8Generator(keys.getPrivate(), null));
                }
                if (keys.getPrivate().getAlgorithm().equals("EC")) {
                    // SEC1 with its curve, as OpenSSL and Go write it.
                    PrivateKeyInfo info = PrivateKeyInfo.getInstance(keys.getPrivate().getEncoded());
                    ECPrivateKey inner = ECPrivateKey.getInstance(info.parsePrivateKey());
                    ECPrivateKey full = new ECPrivateKey(256, inner.getKey(), inner.getPublicKey(),
                            info.getPrivateKeyAlgorithm().getParameters());
                    return pem(new PemObject("EC PRIVATE KEY", full.getEncoded()));
                }
                return pem(keys.getPrivate());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        /** Writes {@code name.crt} and {@code name.key}; returns the certificate's path. */
        public Path write(Path dir, String name, KeyFormat format) {
            try {
                Files.writeString(dir.resolve(name + ".key"), keyPem(format), StandardCharsets.US_ASCII);
                return Files.writeString(dir.resolve(name + ".crt"), certificatePem(), StandardCharsets.US_ASCII);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** A JDK SSL context presenting this certificate; {@code trusted} (may be null) verifies client certificates. */
        public SSLContext sslContext(X509Certificate trusted) {
            try {
                KeyStore ks = KeyStore.getInstance("PKCS12");
                ks.load(null, null);
                ks.setKeyEntry("key", keys.getPrivate(), new char[0], new X509Certificate[] {certificate});
                KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(ks, new char[0]);
                SSLContext ctx = SSLContext.getInstance("TLS");
                ctx.init(kmf.getKeyManagers(), trusted == null ? null : trustManagers(trusted), null);
                return ctx;
            } catch (GeneralSecurityException | IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private final Issued ca;

    private TestCertificates(Issued ca) {
        this.ca = ca;
    }

    /** A new CA with an RSA key. */
    public static TestCertificates newCa(String name) {
        KeyPair keys = keyPair("RSA");
        return new TestCertificates(new Issued(sign(name, keys, null, keys, List.of(), true), keys));
    }

    public X509Certificate certificate() {
        return ca.certificate();
    }

    public String certificatePem() {
        return ca.certificatePem();
    }

    /** A server or client certificate for {@code names} (DNS names or IP addresses), with an EC or RSA key. */
    public Issued issue(String keyAlgorithm, String... names) {
        KeyPair keys = keyPair(keyAlgorithm);
        return new Issued(sign(names.length == 0 ? "client" : names[0], keys, ca, ca.keys(), List.of(names), false), keys);
    }

    /** A JDK SSL context trusting only this CA. */
    public SSLContext clientContext() {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, trustManagers(ca.certificate()), null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static javax.net.ssl.TrustManager[] trustManagers(X509Certificate trusted) {
        try {
            KeyStore ts = KeyStore.getInstance("PKCS12");
            ts.load(null, null);
            ts.setCertificateEntry("ca", trusted);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ts);
            return tmf.getTrustManagers();
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static KeyPair keyPair(String algorithm) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance(algorithm);
            if (algorithm.equals("EC")) {
                g.initialize(new ECGenParameterSpec("secp256r1"));
            } else {
                g.initialize(2048);
            }
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static X509Certificate sign(String cn, KeyPair subject, Issued issuer, KeyPair issuerKeys,
            List<String> names, boolean isCa) {
        try {
            Instant now = Instant.now();
            X500Name subjectName = new X500Name("CN=" + cn);
            X500Name issuerName = issuer == null ? subjectName
                    : new X500Name(issuer.certificate().getSubjectX500Principal().getName());
            JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuerName,
                    BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(now.minus(Duration.ofHours(1))),
                    Date.from(now.plus(Duration.ofDays(2))), subjectName, subject.getPublic());
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
            if (isCa) {
                b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            }
            if (!names.isEmpty()) {
                List<GeneralName> san = new ArrayList<>();
                for (String n : names) {
                    san.add(Character.isDigit(n.charAt(0)) || n.contains(":")
                            ? new GeneralName(GeneralName.iPAddress, InetAddress.getByName(n).getHostAddress())
                            : new GeneralName(GeneralName.dNSName, n));
                }
                b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(san.toArray(GeneralName[]::new)));
            }
            String sigAlg = issuerKeys.getPrivate().getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
            ContentSigner signer = new JcaContentSignerBuilder(sigAlg).build(issuerKeys.getPrivate());
            return new JcaX509CertificateConverter().getCertificate(b.build(signer));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String pem(Object o) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(out)) {
            w.writeObject(o);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }
}
