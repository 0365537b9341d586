package dev.podkit.splitter.proxy;

/**
 * Who an upstream connection currently works for: a proxied request, or a mirrored copy. The
 * response events are {@link ResponseReader}'s.
 */
interface BackendListener extends ResponseReader.Events {
    void onWritabilityChanged(boolean writable);

    void onInactive();

    void onException(Throwable cause);

    /** Nothing arrived from the upstream for the read timeout while a response was due. */
    void onReadTimeout();
}
