package dev.podkit.ambassador.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Certificates and keys from PEM files as Kubernetes Secrets and cert-manager write them:
 * certificate chains and CA bundles, and unencrypted keys in PKCS#8 ({@code PRIVATE KEY}),
 * PKCS#1 ({@code RSA PRIVATE KEY}, cert-manager's default) or SEC1 ({@code EC PRIVATE KEY}).
 */
public final class PemFiles {
    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");
    /** DER of AlgorithmIdentifier { rsaEncryption, NULL }. */
    private static final byte[] RSA_ALGORITHM = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86,
            (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};
    /** DER of the OID id-ecPublicKey (1.2.840.10045.2.1). */
    private static final byte[] EC_PUBLIC_KEY_OID = {0x06, 0x07, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x02, 0x01};

    private PemFiles() {
    }

    public static List<X509Certificate> certificates(Path file) {
        List<X509Certificate> out = new ArrayList<>();
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            for (var c : factory.generateCertificates(new ByteArrayInputStream(read(file)))) {
                out.add((X509Certificate) c);
            }
        } catch (CertificateException e) {
            throw new IllegalArgumentException(file + ": not a PEM certificate file (" + e.getMessage() + ")", e);
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(file + ": no certificate in it");
        }
        return out;
    }

    public static PrivateKey privateKey(Path file) {
        String text = new String(read(file), StandardCharsets.US_ASCII);
        Matcher m = BLOCK.matcher(text);
        while (m.find()) {
            String type = m.group(1);
            byte[] der = Base64.getMimeDecoder().decode(m.group(2).replaceAll("\\s", ""));
            switch (type) {
                case "PRIVATE KEY" -> {
                    return pkcs8(file, der, "RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS", "DSA");
                }
                case "RSA PRIVATE KEY" -> {
                    return pkcs8(file, wrapPkcs8(RSA_ALGORITHM, der), "RSA");
                }
                case "EC PRIVATE KEY" -> {
                    return pkcs8(file, sec1ToPkcs8(file, der), "EC");
                }
                case "ENCRYPTED PRIVATE KEY" ->
                        throw new IllegalArgumentException(file + ": encrypted keys are not supported; store the key unencrypted in a Secret");
                default -> {
                    // EC PARAMETERS and other blocks before the key: skip.
                }
            }
        }
        throw new IllegalArgumentException(file + ": no PEM private key in it (PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY)");
    }

    /** Fails unless {@code key} belongs to the first certificate of {@code chain} (e.g. mid-way through a renewal). */
    public static void checkPair(PrivateKey key, List<X509Certificate> chain, Path keyFile, Path certFile) {
        PublicKey publicKey = chain.get(0).getPublicKey();
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "RSASSA-PSS" -> null;
            default -> key.getAlgorithm();
        };
        if (algorithm == null) {
            return;
        }
        try {
            byte[] probe = "podkit key check".getBytes(StandardCharsets.US_ASCII);
            Signature sign = Signature.getInstance(algorithm);
            sign.initSign(key);
            sign.update(probe);
            byte[] signature = sign.sign();
            Signature verify = Signature.getInstance(algorithm);
            verify.initVerify(publicKey);
            verify.update(probe);
            if (!verify.verify(signature)) {
                throw new IllegalArgumentException(keyFile + " is not the key of the certificate in " + certFile);
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(keyFile + " is not the key of the certificate in " + certFile + " ("
                    + e.getMessage() + ")", e);
        }
    }

    private static PrivateKey pkcs8(Path file, byte[] der, String... algorithms) {
        for (String algorithm : algorithms) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // try the next algorithm
            }
        }
        throw new IllegalArgumentException(file + ": the private key cannot be read");
    }

    /** PrivateKeyInfo ::= SEQUENCE { version 0, AlgorithmIdentifier, OCTET STRING privateKey }. */
    private static byte[] wrapPkcs8(byte[] algorithm, byte[] key) {
        byte[] version = {0x02, 0x01, 0x00};
        byte[] octets = tlv(0x04, key);
        return tlv(0x30, concat(version, algorithm, octets));
    }

    /** SEC1 ECPrivateKey carries its curve in [0]; PKCS#8 wants it in the AlgorithmIdentifier. */
    private static byte[] sec1ToPkcs8(Path file, byte[] der) {
        Der seq = new Der(der, 0);
        if (seq.tag != 0x30) {
            throw new IllegalArgumentException(file + ": malformed EC PRIVATE KEY");
        }
        int pos = seq.contentStart;
        byte[] curve = null;
        while (pos < seq.contentEnd) {
            Der field = new Der(der, pos);
            if (field.tag == 0xa0) {
                Der oid = new Der(der, field.contentStart);
                curve = java.util.Arrays.copyOfRange(der, oid.start, oid.contentEnd);
            }
            pos = field.contentEnd;
        }
        if (curve == null) {
            throw new IllegalArgumentException(file + ": EC PRIVATE KEY without its curve");
        }
        return wrapPkcs8(tlv(0x30, concat(EC_PUBLIC_KEY_OID, curve)), der);
    }

    /** One DER element: tag, where its content starts and ends. */
    private static final class Der {
        final int start;
        final int tag;
        final int contentStart;
        final int contentEnd;

        Der(byte[] b, int at) {
            start = at;
            tag = b[at] & 0xff;
            int len = b[at + 1] & 0xff;
            int p = at + 2;
            if (len >= 0x80) {
                int n = len & 0x7f;
                len = 0;
                for (int i = 0; i < n; i++) {
                    len = (len << 8) | (b[p++] & 0xff);
                }
            }
            contentStart = p;
            contentEnd = p + len;
            if (contentEnd > b.length) {
                throw new IllegalArgumentException("truncated DER");
            }
        }
    }

    private static byte[] tlv(int tag, byte[] content) {
        int len = content.length;
        byte[] header;
        if (len < 0x80) {
            header = new byte[] {(byte) tag, (byte) len};
        } else if (len < 0x100) {
            header = new byte[] {(byte) tag, (byte) 0x81, (byte) len};
        } else if (len < 0x10000) {
            header = new byte[] {(byte) tag, (byte) 0x82, (byte) (len >> 8), (byte) len};
        } else {
            header = new byte[] {(byte) tag, (byte) 0x83, (byte) (len >> 16), (byte) (len >> 8), (byte) len};
        }
        return concat(header, content);
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot read it (" + e.getMessage() + ")", e);
        }
    }
}
