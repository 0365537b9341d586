package dev.podkit.ambassador.config;

/**
 * When bytes move with splice(2) inside the kernel instead of through the process's buffers.
 * Splice saves a copy in each direction but costs two pipes (four file descriptors) per
 * connection for as long as it lives, so short connections are cheaper without it.
 */
public enum Splice {
    /** From the first byte. */
    ON,
    /** Once a connection has moved {@link #AUTO_THRESHOLD_BYTES}: bulk transfers splice, short exchanges do not. */
    AUTO,
    /** Never. */
    OFF;

    public static final long AUTO_THRESHOLD_BYTES = 1 << 20;
}
