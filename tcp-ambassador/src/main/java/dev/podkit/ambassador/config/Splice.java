package dev.podkit.ambassador.config;

/**
 * When bytes move with splice(2) inside the kernel instead of through the process's buffers.
 * Splice saves a copy in each direction but costs two pipes (four file descriptors) per
 * connection for as long as it lives, so short connections are cheaper without it.
 */
public enum Splice {
    /** From the first byte. */
    ON,
    /**
     * Once a connection has moved {@link #AUTO_THRESHOLD_BYTES} and then reads at least
     * {@link #AUTO_BURST_BYTES} at once: bulk transfers splice; short connections and exchanges of small
     * messages (a database's queries, however long the connection lives) do not.
     */
    AUTO,
    /** Never. */
    OFF;

    public static final long AUTO_THRESHOLD_BYTES = 1 << 20;
    /** One read burst this large is bulk (HAProxy's splice-auto likewise waits for reads that fill its 16 KiB buffer). */
    public static final long AUTO_BURST_BYTES = 16 << 10;
}
