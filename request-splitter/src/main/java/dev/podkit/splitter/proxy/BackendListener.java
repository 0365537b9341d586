package dev.podkit.splitter.proxy;

import io.netty.handler.codec.http.HttpObject;

/** Who an upstream connection currently works for: a proxied request, or a mirrored copy. */
interface BackendListener {
    /** A decoded response part; the listener owns (releases) it. */
    void onMessage(HttpObject message);

    void onWritabilityChanged(boolean writable);

    void onInactive();

    void onException(Throwable cause);

    /** Nothing arrived from the upstream for the read timeout while a response was due. */
    void onReadTimeout();
}
