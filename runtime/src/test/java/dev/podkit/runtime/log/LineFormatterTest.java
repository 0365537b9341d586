package dev.podkit.runtime.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LineFormatterTest {

    @AfterEach
    void resetLogging() {
        Logging.configure(LogFormat.TEXT, LogLevel.INFO);
    }

    private static LogRecord record(Level level, String message, Throwable error) {
        LogRecord r = new LogRecord(level, message);
        r.setLoggerName("dev.podkit.ambassador.Forwarder");
        r.setThrown(error);
        return r;
    }

    @Test
    void textIsOneLineWithLevelLoggerAndMessage() {
        String line = new LineFormatter(LogFormat.TEXT, false).format(record(Level.WARNING, "target down", null));
        assertTrue(line.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d{3})?Z WARN  Forwarder: target down\\n"), line);
    }

    @Test
    void newlinesInMessagesAndErrorsAreEscaped() {
        IOException error = new IOException("connect\nrefused", new IllegalStateException("inner"));
        String line = new LineFormatter(LogFormat.TEXT, false).format(record(Level.SEVERE, "a\nb", error));
        assertEquals(1, line.split("\n", -1).length - 1, line);
        assertTrue(line.endsWith("ERROR Forwarder: a\\nb: IOException: connect\\nrefused (caused by IllegalStateException: inner)\n"), line);
    }

    @Test
    void stackTracesAtDebugStayOnTheLine() {
        String line = new LineFormatter(LogFormat.TEXT, true).format(record(Level.SEVERE, "x", new IOException("y")));
        assertEquals(1, line.split("\n", -1).length - 1, line);
        assertTrue(line.contains(" stack=java.io.IOException: y\\n\\tat "), line);
    }

    @Test
    void jsonIsOneObjectPerLineWithEscapedText() {
        String line = new LineFormatter(LogFormat.JSON, false)
                .format(record(Level.INFO, "quote \" backslash \\ tab \t ctl \u0001 nl \n end", new IOException("e")));
        assertEquals(1, line.split("\n", -1).length - 1, line);
        assertTrue(line.matches("\\{\"time\":\"[^\"]+Z\",\"level\":\"INFO\",\"logger\":\"Forwarder\",\"message\":\""
                + "quote \\\\\" backslash \\\\\\\\ tab \\\\t ctl \\\\u0001 nl \\\\n end\",\"error\":\"IOException: e\"}\\n"), line);
    }

    @Test
    void jsonEscapesLoneSurrogatesButKeepsPairs() {
        StringBuilder out = new StringBuilder();
        Json.quote(out, "ok \uD83D\uDE00 lone \uD83D end \uDE00");
        assertEquals("\"ok \uD83D\uDE00 lone \\ud83d end \\ude00\"", out.toString());
    }

    @Test
    void levelsBelowTheThresholdAreDroppedAndLibrariesStayQuietAtDebug() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Logging.configure(LogFormat.TEXT, LogLevel.WARN, err);
        System.getLogger("dev.podkit.X").log(System.Logger.Level.INFO, "hidden");
        System.getLogger("dev.podkit.X").log(System.Logger.Level.WARNING, "shown");
        String text = err.toString(StandardCharsets.UTF_8);
        assertFalse(text.contains("hidden"), text);
        assertTrue(text.contains("WARN  X: shown"), text);

        err.reset();
        Logging.configure(LogFormat.TEXT, LogLevel.DEBUG, err);
        System.getLogger("io.netty.Whatever").log(System.Logger.Level.DEBUG, "netty chatter");
        System.getLogger("dev.podkit.X").log(System.Logger.Level.DEBUG, "ours");
        text = err.toString(StandardCharsets.UTF_8);
        assertFalse(text.contains("netty chatter"), text);
        assertTrue(text.contains("DEBUG X: ours"), text);
    }
}
