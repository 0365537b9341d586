package dev.podkit.splitter.proxy;

import dev.podkit.splitter.metrics.SplitterMetrics;
import dev.podkit.splitter.mirror.MirrorPolicy;

/** What the per-connection handlers share with the server. */
interface ProxyContext {
    UpstreamPool pool();

    SplitterMetrics metrics();

    MirrorPolicy mirrorPolicy();

    /** The configuration new requests use. */
    Snapshot snapshot();

    /** Whether the server is draining (answers then close their connections). */
    boolean draining();
}
