package dev.podkit.ambassador.proxy;

import java.util.Locale;

/** How a client connection ended; the {@code how} label of {@code podkit_ambassador_connections_ended_total}. */
public enum EndReason {
    /** Both directions finished with a FIN. */
    CLOSED,
    /** The client reset the connection (or vanished while data was owed to it); the target got a reset. */
    CLIENT_RESET,
    /** The target reset the connection; the client got a reset. */
    TARGET_RESET,
    /** Nothing moved for the inactivity limit (TIMEOUT_TUNNEL, TIMEOUT_CLIENT, TIMEOUT_SERVER). */
    IDLE_TIMEOUT,
    /** A half-closed connection was idle for TIMEOUT_CLIENT_FIN / TIMEOUT_SERVER_FIN. */
    FIN_TIMEOUT,
    /** Closed by the process stopping, after the drain timeout. */
    SHUTDOWN,
    /** No target address could be connected (after retries), or none resolved. */
    NO_TARGET,
    /** The listener's MAX_CONNECTIONS was reached. */
    LIMIT,
    /** The client's PROXY protocol header was missing, late or malformed. */
    PROXY_HEADER,
    /** The client's TLS handshake failed (TLS termination). */
    CLIENT_TLS,
    /** Anything else (an internal error), logged. */
    ERROR;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
