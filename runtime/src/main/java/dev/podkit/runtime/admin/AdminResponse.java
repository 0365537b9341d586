package dev.podkit.runtime.admin;

import java.nio.charset.StandardCharsets;

/** A complete response from the admin server. */
public record AdminResponse(int status, String contentType, byte[] body) {
    public static final String TEXT = "text/plain; charset=utf-8";

    public static AdminResponse text(int status, String text) {
        return new AdminResponse(status, TEXT, (text + "\n").getBytes(StandardCharsets.UTF_8));
    }
}
