package dev.podkit.runtime.log;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.logging.Formatter;
import java.util.logging.LogRecord;

/**
 * Formats each event as exactly one line ({@code LOG_FORMAT=text|json}). Newlines inside a message
 * or a stack trace are escaped, so one event never spans two lines in {@code kubectl logs}.
 */
final class LineFormatter extends Formatter {
    private final LogFormat format;
    private final boolean stackTraces;

    LineFormatter(LogFormat format, boolean stackTraces) {
        this.format = format;
        this.stackTraces = stackTraces;
    }

    @Override
    public String format(LogRecord record) {
        String time = DateTimeFormatter.ISO_INSTANT.format(record.getInstant().truncatedTo(ChronoUnit.MILLIS));
        String level = LogLevel.nameOf(record.getLevel());
        String logger = shortName(record.getLoggerName());
        String message = formatMessage(record);
        Throwable error = record.getThrown();
        StringBuilder out = new StringBuilder(128);
        if (format == LogFormat.JSON) {
            out.append("{\"time\":\"").append(time).append("\",\"level\":\"").append(level).append("\",\"logger\":");
            Json.quote(out, logger).append(",\"message\":");
            Json.quote(out, message == null ? "" : message);
            if (error != null) {
                Json.quote(out.append(",\"error\":"), describe(error));
                if (stackTraces) {
                    Json.quote(out.append(",\"stack\":"), stackTrace(error));
                }
            }
            out.append('}');
        } else {
            out.append(time).append(' ').append(level);
            out.append(" ".repeat(Math.max(1, 6 - level.length()))).append(logger).append(": ");
            appendEscaped(out, message == null ? "" : message);
            if (error != null) {
                out.append(": ");
                appendEscaped(out, describe(error));
                if (stackTraces) {
                    out.append(" stack=");
                    appendEscaped(out, stackTrace(error));
                }
            }
        }
        return out.append('\n').toString();
    }

    /** The error and its causes on one line: {@code IOException: refused (caused by ...)}. */
    static String describe(Throwable error) {
        StringBuilder out = new StringBuilder();
        int depth = 0;
        for (Throwable t = error; t != null && depth < 8; t = t.getCause() == t ? null : t.getCause(), depth++) {
            if (depth > 0) {
                out.append(" (caused by ");
            }
            out.append(t.getClass().getSimpleName());
            if (t.getMessage() != null) {
                out.append(": ").append(t.getMessage());
            }
        }
        return out.append(")".repeat(depth - 1)).toString();
    }

    private static String stackTrace(Throwable error) {
        StringWriter w = new StringWriter();
        error.printStackTrace(new PrintWriter(w));
        return w.toString().stripTrailing();
    }

    private static void appendEscaped(StringBuilder out, String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> out.append(c);
            }
        }
    }

    private static String shortName(String loggerName) {
        if (loggerName == null || loggerName.isEmpty()) {
            return "root";
        }
        return loggerName.substring(loggerName.lastIndexOf('.') + 1);
    }
}
