package dev.podkit.adapter.collectors;

import dev.podkit.adapter.collect.PgCollector;
import dev.podkit.adapter.collect.PgVersion;

/** A collector with one query for every server version: its name, scope and query, given once. */
abstract class FixedQueryCollector implements PgCollector {
    private final String name;
    private final Scope scope;
    private final String sql;

    FixedQueryCollector(String name, Scope scope, String sql) {
        this.name = name;
        this.scope = scope;
        this.sql = sql;
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final Scope scope() {
        return scope;
    }

    @Override
    public final String query(PgVersion version) {
        return sql;
    }
}
