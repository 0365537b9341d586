package dev.podkit.adapter.collect;

import java.sql.SQLException;

/** Error texts for the log, and which SQL errors mean the connection is gone. */
public final class Errors {
    private Errors() {
    }

    /** One line: SQLSTATE and message, without the driver's stack or causes (which never hold the password either). */
    public static String describe(Exception e) {
        String message = String.valueOf(e.getMessage()).replace('\n', ' ').trim();
        if (e instanceof SQLException sql && sql.getSQLState() != null) {
            return message + " (SQLSTATE " + sql.getSQLState() + ")";
        }
        return e.getClass().getSimpleName() + ": " + message;
    }

    /** Class 08 is "connection exception"; 57P01-57P03 are the server shutting down or not accepting connections. */
    public static boolean isConnectionLost(SQLException e) {
        String state = e.getSQLState();
        return state == null || state.startsWith("08") || state.startsWith("57P");
    }
}
