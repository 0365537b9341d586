package dev.podkit.logsidecar;

import dev.podkit.runtime.config.Config;
import dev.podkit.runtime.config.ConfigException;
import dev.podkit.runtime.config.Setting;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** log-sidecar's own settings (environment variables) and the options parsed from them. */
public final class LogSidecarSettings {
    /** Where reading starts in files that are already there at the very first start. */
    public enum ReadFrom { HEAD, TAIL }

    /** What stdout carries. */
    public enum OutputFormat { RAW, JSON, NONE }

    /** What happens to a line longer than {@code MAX_LINE_BYTES}. */
    public enum LongLines { SPLIT, TRUNCATE }

    /** How changes are noticed. */
    public enum WatchMode { AUTO, POLL }

    public static final Setting<List<String>> LOG_PATHS = Setting.of("LOG_PATHS", "/input/*.log",
            "comma-separated absolute paths or globs", LogSidecarSettings::absoluteList,
            "Files to tail: absolute paths or globs (*, ?, [..], {a,b}, ** for any depth), comma-separated. "
                    + "Paths that do not exist yet are waited for; new matching files are read from their beginning.");
    public static final Setting<List<String>> LOG_EXCLUDE = Setting.of("LOG_EXCLUDE", "",
            "comma-separated globs", LogSidecarSettings::list,
            "Globs of files never to read, comma-separated; a glob without '/' matches the file name (e.g. *.gz).");
    public static final Setting<ReadFrom> READ_FROM = Setting.oneOf("READ_FROM", ReadFrom.class, ReadFrom.HEAD,
            "Where to start in the files present at the very first start (no state yet): head or tail. "
                    + "Files that appear later, and every file after a restart with STATE_DIR, continue where they were.");
    public static final Setting<String> STATE_DIR = Setting.of("STATE_DIR", "", "an absolute directory path",
            LogSidecarSettings::absolute,
            "Directory (a volume) for the checkpoint file log-sidecar.state. Unset: no checkpoints; every start is a first start.");
    public static final Setting<OutputFormat> OUTPUT_FORMAT = Setting.oneOf("OUTPUT_FORMAT", OutputFormat.class,
            OutputFormat.RAW, "stdout: raw (the lines byte for byte), json (one object per line with file, offset, "
                    + "time and pod metadata) or none (only the HTTP sink).");
    public static final Setting<Integer> MAX_LINE_BYTES = Setting.integer("MAX_LINE_BYTES", 262144, 64, 64 * 1024 * 1024,
            "Longest line kept whole, in bytes; longer lines are split or truncated (LONG_LINES) and counted.");
    public static final Setting<LongLines> LONG_LINES = Setting.oneOf("LONG_LINES", LongLines.class, LongLines.SPLIT,
            "split: a long line becomes several lines of at most MAX_LINE_BYTES; truncate: the first MAX_LINE_BYTES "
                    + "followed by the marker ' [truncated]', the rest is skipped.");
    public static final Setting<Duration> PARTIAL_LINE_TIMEOUT = Setting.duration("PARTIAL_LINE_TIMEOUT", "0",
            "A last line without its newline is held until the newline arrives; after this long it is emitted as it is "
                    + "(and never again). 0: hold it until the newline comes or the rotated file is finished.");
    public static final Setting<Optional<Pattern>> MULTILINE_START = Setting.of("MULTILINE_START", "",
            "a Java regular expression", LogSidecarSettings::regex,
            "Regular expression a record's first line matches (e.g. ^\\d{4}-\\d\\d-\\d\\d ); following lines that do "
                    + "not match are joined to it (json output and the HTTP sink). Unset: every line is a record.");
    public static final Setting<Duration> MULTILINE_TIMEOUT = Setting.duration("MULTILINE_TIMEOUT", "1s",
            "How long a multiline record waits for more lines before it is emitted.");
    public static final Setting<WatchMode> WATCH = Setting.oneOf("WATCH", WatchMode.class, WatchMode.AUTO,
            "auto: inotify (the JDK's WatchService) plus polling as a safety net; poll: polling only (for filesystems "
                    + "without inotify, such as some network volumes).");
    public static final Setting<Duration> POLL_INTERVAL = Setting.duration("POLL_INTERVAL", "1s",
            "How often open files are checked for growth and the paths for rotation without an inotify event.");
    public static final Setting<Duration> SCAN_INTERVAL = Setting.duration("SCAN_INTERVAL", "10s",
            "How often the globs are expanded again (new files are also found at once through inotify).");
    public static final Setting<Duration> ROTATE_WAIT = Setting.duration("ROTATE_WAIT", "5s",
            "How long a rotated or deleted file stays open after its last growth (a writer may still append to "
                    + "it); a deleted file that has been quiet that long is closed as soon as it is read to its end.");
    public static final Setting<Duration> STATE_FSYNC_INTERVAL = Setting.duration("STATE_FSYNC_INTERVAL", "1s",
            "The checkpoint is replaced (temp file + rename) after every write to the outputs; it is also fsynced at "
                    + "most this often (against power loss; a killed process loses nothing either way).");
    public static final Setting<String> POD_NAME = Setting.of("POD_NAME", "", "a name", s -> s,
            "Pod name for json output and the sink (Downward API: fieldRef metadata.name).");
    public static final Setting<String> POD_NAMESPACE = Setting.of("POD_NAMESPACE", "", "a name", s -> s,
            "Pod namespace for json output and the sink (Downward API: fieldRef metadata.namespace).");
    public static final Setting<String> CONTAINER_NAME = Setting.of("CONTAINER_NAME", "", "a name", s -> s,
            "Name of the container whose logs these are, for json output and the sink.");
    public static final Setting<Optional<URI>> SINK_URL = Setting.of("SINK_URL", "", "an http:// or https:// URL",
            LogSidecarSettings::url,
            "HTTP sink: newline-delimited JSON lines POSTed in batches (Content-Type application/x-ndjson). Unset: no sink.");
    public static final Setting<Integer> SINK_BATCH_BYTES = Setting.integer("SINK_BATCH_BYTES", 1048576, 1024,
            64 * 1024 * 1024, "Largest POST body in bytes.");
    public static final Setting<Duration> SINK_FLUSH_INTERVAL = Setting.duration("SINK_FLUSH_INTERVAL", "1s",
            "Longest time a line waits for its batch to fill before the batch is sent.");
    public static final Setting<Integer> SINK_BUFFER_BYTES = Setting.integer("SINK_BUFFER_BYTES", 16777216, 4096,
            1024 * 1024 * 1024, "Bytes of unacknowledged batches held in memory; when full, reading pauses (nothing is dropped).");
    public static final Setting<Duration> SINK_TIMEOUT = Setting.duration("SINK_TIMEOUT", "10s",
            "Timeout of one POST (connect and response).");
    public static final Setting<Duration> SINK_RETRY_MAX = Setting.duration("SINK_RETRY_MAX", "30s",
            "Longest wait between retries of a failed POST; waits double from 100ms up to this. Retries never stop.");
    public static final Setting<String> SINK_AUTHORIZATION = Setting.of("SINK_AUTHORIZATION", "",
            "an Authorization header value", s -> s, "Authorization header sent with every POST (e.g. Bearer ...).")
            .secret();

    public static final List<Setting<?>> ALL = List.of(LOG_PATHS, LOG_EXCLUDE, READ_FROM, STATE_DIR, OUTPUT_FORMAT,
            MAX_LINE_BYTES, LONG_LINES, PARTIAL_LINE_TIMEOUT, MULTILINE_START, MULTILINE_TIMEOUT, WATCH, POLL_INTERVAL,
            SCAN_INTERVAL, ROTATE_WAIT, STATE_FSYNC_INTERVAL, POD_NAME, POD_NAMESPACE, CONTAINER_NAME, SINK_URL,
            SINK_BATCH_BYTES, SINK_FLUSH_INTERVAL, SINK_BUFFER_BYTES, SINK_TIMEOUT, SINK_RETRY_MAX, SINK_AUTHORIZATION);

    /** The parsed settings, checked against each other. */
    public record Options(List<String> logPaths, List<String> exclude, ReadFrom readFrom, Optional<Path> stateDir,
            OutputFormat outputFormat, int maxLineBytes, LongLines longLines, Duration partialLineTimeout,
            Optional<Pattern> multilineStart, Duration multilineTimeout, WatchMode watch, Duration pollInterval,
            Duration scanInterval, Duration rotateWait, Duration stateFsyncInterval, String podName,
            String podNamespace, String containerName, Optional<URI> sinkUrl, int sinkBatchBytes,
            Duration sinkFlushInterval, int sinkBufferBytes, Duration sinkTimeout, Duration sinkRetryMax,
            String sinkAuthorization) {

        public static Options from(Config config) {
            Options o = new Options(config.get(LOG_PATHS), config.get(LOG_EXCLUDE), config.get(READ_FROM),
                    config.raw(STATE_DIR).map(s -> Path.of(config.get(STATE_DIR))), config.get(OUTPUT_FORMAT),
                    config.get(MAX_LINE_BYTES), config.get(LONG_LINES), config.get(PARTIAL_LINE_TIMEOUT),
                    config.get(MULTILINE_START), config.get(MULTILINE_TIMEOUT), config.get(WATCH),
                    config.get(POLL_INTERVAL), config.get(SCAN_INTERVAL), config.get(ROTATE_WAIT),
                    config.get(STATE_FSYNC_INTERVAL), config.get(POD_NAME), config.get(POD_NAMESPACE),
                    config.get(CONTAINER_NAME), config.get(SINK_URL), config.get(SINK_BATCH_BYTES),
                    config.get(SINK_FLUSH_INTERVAL), config.get(SINK_BUFFER_BYTES), config.get(SINK_TIMEOUT),
                    config.get(SINK_RETRY_MAX), config.get(SINK_AUTHORIZATION));
            if (o.pollInterval.isZero()) {
                throw ConfigException.of(POLL_INTERVAL.name(), "must be more than 0");
            }
            if (o.scanInterval.isZero()) {
                throw ConfigException.of(SCAN_INTERVAL.name(), "must be more than 0");
            }
            if (o.outputFormat == OutputFormat.NONE && o.sinkUrl.isEmpty()) {
                throw ConfigException.of(OUTPUT_FORMAT.name(), "none needs SINK_URL, else the lines would go nowhere");
            }
            if (o.sinkBufferBytes < o.sinkBatchBytes) {
                throw ConfigException.of(SINK_BUFFER_BYTES.name(), "must be at least SINK_BATCH_BYTES ("
                        + o.sinkBatchBytes + ")");
            }
            return o;
        }
    }

    private LogSidecarSettings() {
    }

    static List<String> list(String text) {
        return Arrays.stream(text.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    static List<String> absoluteList(String text) {
        List<String> paths = list(text);
        if (paths.isEmpty() || paths.stream().anyMatch(p -> !p.startsWith("/"))) {
            throw new IllegalArgumentException("absolute paths");
        }
        return paths;
    }

    static String absolute(String text) {
        if (!text.isEmpty() && !text.startsWith("/")) {
            throw new IllegalArgumentException("absolute");
        }
        return text;
    }

    static Optional<Pattern> regex(String text) {
        if (text.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Pattern.compile(text));
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException(e.getDescription(), e);
        }
    }

    static Optional<URI> url(String text) {
        if (text.isEmpty()) {
            return Optional.empty();
        }
        try {
            URI uri = URI.create(text);
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
                throw new IllegalArgumentException("http(s) URL");
            }
            return Optional.of(uri);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("http(s) URL", e);
        }
    }
}
