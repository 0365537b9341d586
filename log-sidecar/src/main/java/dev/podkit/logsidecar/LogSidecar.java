package dev.podkit.logsidecar;

import dev.podkit.runtime.HelperDescriptor;
import dev.podkit.runtime.Podkit;

/** The log-sidecar image's entry point. */
public final class LogSidecar {
    /** Admin port 9701: the helpers' ports differ, since a pod's containers share them. */
    public static final HelperDescriptor HELPER = new HelperDescriptor("log-sidecar",
            "tails the log files of a shared volume to stdout (and an HTTP sink), across rotations and restarts",
            9701, LogSidecarSettings.ALL, LogSidecarHelper::new);

    private LogSidecar() {
    }

    public static void main(String[] args) {
        Podkit.main(HELPER, args);
    }
}
