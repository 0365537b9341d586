package dev.podkit.it.k8s;

/** A manifest that Kubernetes would reject, or that contradicts the other manifests; the message is one line. */
public class InvalidManifestException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public InvalidManifestException(String message) {
        super(message);
    }
}
