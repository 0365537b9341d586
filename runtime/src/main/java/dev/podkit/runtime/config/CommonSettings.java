package dev.podkit.runtime.config;

import dev.podkit.runtime.log.LogFormat;
import dev.podkit.runtime.log.LogLevel;
import java.time.Duration;
import java.util.List;

/** The settings every helper has. Only the admin port's default differs between helpers. */
public final class CommonSettings {
    public static final Setting<String> ADMIN_ADDRESS = Setting.bindAddress("ADMIN_ADDRESS", "0.0.0.0",
            "Address of the admin server (/healthz, /readyz, /metrics). All interfaces by default, as the kubelet probes the pod IP.");
    public static final Setting<LogFormat> LOG_FORMAT = Setting.oneOf("LOG_FORMAT", LogFormat.class, LogFormat.TEXT,
            "Format of the diagnostics on stderr: one line of text or one JSON object per event.");
    public static final Setting<LogLevel> LOG_LEVEL = Setting.oneOf("LOG_LEVEL", LogLevel.class, LogLevel.INFO,
            "Least severe diagnostics written to stderr.");
    public static final Setting<Duration> SHUTDOWN_TIMEOUT = Setting.duration("SHUTDOWN_TIMEOUT", "20s",
            "How long SIGTERM waits for in-flight work before closing what is left and exiting 0. Keep it below the pod's terminationGracePeriodSeconds (30s by default).");

    public final Setting<Integer> adminPort;

    public CommonSettings(int defaultAdminPort) {
        adminPort = Setting.port("ADMIN_PORT", defaultAdminPort,
                "Port of the admin server. Differs per helper, as a pod's containers share ports.");
    }

    public List<Setting<?>> all() {
        return List.of(adminPort, ADMIN_ADDRESS, LOG_FORMAT, LOG_LEVEL, SHUTDOWN_TIMEOUT);
    }
}
