package dev.podkit.runtime.log;

import io.netty.util.internal.logging.InternalLoggerFactory;
import io.netty.util.internal.logging.JdkLoggerFactory;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.logging.ErrorManager;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Routes every diagnostic of the process (podkit's own, Netty's, the JDBC driver's: all of them
 * log through java.util.logging here) to stderr, one line per event. stdout stays free for
 * payload: log-sidecar streams the tailed lines there.
 */
public final class Logging {
    private Logging() {
    }

    public static void configure(LogFormat format, LogLevel level) {
        configure(format, level, new PrintStream(new FileOutputStream(FileDescriptor.err), false, StandardCharsets.UTF_8));
    }

    public static void configure(LogFormat format, LogLevel level, OutputStream out) {
        PrintStream stream = out instanceof PrintStream p ? p : new PrintStream(out, false, StandardCharsets.UTF_8);
        LogManager.getLogManager().reset();
        Logger root = Logger.getLogger("");
        root.setLevel(level.julLevel());
        root.addHandler(new LineHandler(stream, new LineFormatter(format, level.compareTo(LogLevel.DEBUG) >= 0)));
        // Libraries' own debug output is noise at DEBUG; TRACE shows everything.
        Logger.getLogger("io.netty").setLevel(level == LogLevel.TRACE ? Level.ALL : max(level.julLevel(), Level.INFO));
        // Netty picks SLF4J when it finds it on the class path; keep it on the one path above.
        InternalLoggerFactory.setDefaultFactory(JdkLoggerFactory.INSTANCE);
    }

    private static Level max(Level a, Level b) {
        return a.intValue() >= b.intValue() ? a : b;
    }

    /** Writes whole lines and flushes each one, so lines of different threads never interleave. */
    private static final class LineHandler extends Handler {
        private final PrintStream out;

        LineHandler(PrintStream out, Formatter formatter) {
            this.out = out;
            setFormatter(formatter);
            setLevel(Level.ALL);
        }

        @Override
        public void publish(LogRecord record) {
            if (!isLoggable(record)) {
                return;
            }
            String line;
            try {
                line = getFormatter().format(record);
            } catch (RuntimeException e) {
                reportError("cannot format a log record", e, ErrorManager.FORMAT_FAILURE);
                return;
            }
            synchronized (out) {
                out.print(line);
                out.flush();
            }
        }

        @Override
        public void flush() {
            out.flush();
        }

        @Override
        public void close() {
            out.flush();
        }
    }
}
