package dev.podkit.runtime.admin;

/**
 * A path on the admin server. Routes added with {@link AdminServer#route} run on the admin worker
 * thread, never on the event loop, so they may block (a database query behind {@code /metrics}).
 */
@FunctionalInterface
public interface AdminRoute {
    AdminResponse handle(AdminRequest request) throws Exception;
}
