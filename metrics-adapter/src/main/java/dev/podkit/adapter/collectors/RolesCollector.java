package dev.podkit.adapter.collectors;

import dev.podkit.adapter.collect.PgCollector;
import dev.podkit.adapter.collect.PgSession;
import dev.podkit.adapter.collect.PgVersion;
import dev.podkit.adapter.model.MetricDesc;
import dev.podkit.adapter.model.MetricSink;
import java.sql.ResultSet;
import java.sql.SQLException;

/** postgres_exporter's {@code roles} collector. */
public final class RolesCollector implements PgCollector {
    static final MetricDesc CONNECTION_LIMIT = MetricDesc.gauge("pg_roles_connection_limit",
            "Connection limit set for the role", "rolname");

    @Override
    public String name() {
        return "roles";
    }

    @Override
    public String query(PgVersion version) {
        return "SELECT rolname, rolconnlimit FROM pg_roles";
    }

    @Override
    public void row(ResultSet rs, PgSession session, MetricSink out) throws SQLException {
        String role = rs.getString("rolname");
        if (role != null) {
            out.add(CONNECTION_LIMIT, PgSession.number(rs, "rolconnlimit", 0), role);
        }
    }
}
