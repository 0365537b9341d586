package dev.podkit.runtime.log;

/** How diagnostics are written to stderr ({@code LOG_FORMAT}). */
public enum LogFormat {
    /** {@code 2026-11-22T10:26:49.123Z INFO  Podkit: message} */
    TEXT,
    /** One JSON object per line, for log collectors. */
    JSON
}
