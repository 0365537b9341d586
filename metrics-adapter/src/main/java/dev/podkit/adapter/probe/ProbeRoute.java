package dev.podkit.adapter.probe;

import dev.podkit.adapter.collect.Exporter;
import dev.podkit.adapter.dsn.DataSource;
import dev.podkit.adapter.dsn.DsnParser;
import dev.podkit.adapter.exposition.ExpositionBuffer;
import dev.podkit.adapter.exposition.FamilyWriter;
import dev.podkit.adapter.exposition.MetricsRoute;
import dev.podkit.adapter.model.FamilySet;
import dev.podkit.runtime.admin.AdminRequest;
import dev.podkit.runtime.admin.AdminResponse;
import dev.podkit.runtime.admin.AdminRoute;

/**
 * {@code /probe?target=host:5432/db&auth_module=NAME}, postgres_exporter's multi-target endpoint
 * (0.12+): the collectors' families of the server named by the request, with the credentials of
 * an auth module from {@code PG_EXPORTER_CONFIG_FILE}, for one Prometheus job that scrapes many
 * servers through one adapter.
 */
public final class ProbeRoute implements AdminRoute {
    private final Exporter exporter;
    private final AuthModules modules;

    public ProbeRoute(Exporter exporter, AuthModules modules) {
        this.exporter = exporter;
        this.modules = modules;
    }

    @Override
    public AdminResponse handle(AdminRequest request) {
        String target = request.queryParam("target");
        if (target == null || target.isBlank()) {
            return AdminResponse.text(400, "target is required, e.g. /probe?target=db.example:5432/postgres&auth_module=NAME");
        }
        String moduleName = request.queryParam("auth_module");
        DataSource source;
        try {
            String dsn = target.trim();
            if (!dsn.startsWith("postgresql://") && !dsn.startsWith("postgres://") && !dsn.contains("=")) {
                dsn = "postgresql://" + dsn;
            }
            source = DsnParser.parse(dsn);
        } catch (IllegalArgumentException e) {
            return AdminResponse.text(400, "target is not a connection string: " + e.getMessage());
        }
        if (moduleName != null && !moduleName.isBlank()) {
            AuthModules.Module module = modules.get(moduleName.trim());
            if (module == null) {
                return AdminResponse.text(400, "auth_module " + moduleName.trim() + " is not in the config file"
                        + (modules.isEmpty() ? " (PG_EXPORTER_CONFIG_FILE is not set)" : ""));
            }
            source = module.apply(source);
        }
        FamilySet families = exporter.probe(source);
        ExpositionBuffer body = new ExpositionBuffer(32 * 1024);
        boolean openMetrics = MetricsRoute.onlyOpenMetrics(request.accept());
        FamilyWriter.write(body, families.families(), openMetrics);
        if (openMetrics) {
            body.append("# EOF\n");
        }
        return new AdminResponse(200, openMetrics ? FamilyWriter.OPENMETRICS : FamilyWriter.TEXT,
                body.toByteArray());
    }
}
