package dev.podkit.adapter.collectors;

import dev.podkit.adapter.collect.PgCollector;
import dev.podkit.adapter.collect.PgSession;
import dev.podkit.adapter.collect.PgVersion;
import dev.podkit.adapter.model.MetricDesc;
import dev.podkit.adapter.model.MetricSink;
import java.sql.ResultSet;
import java.sql.SQLException;

/** postgres_exporter's {@code replication_slot} collector. */
public final class ReplicationSlotCollector implements PgCollector {
    static final MetricDesc CURRENT_WAL = MetricDesc.gauge("pg_replication_slot_slot_current_wal_lsn", "current wal lsn value",
            "slot_name", "slot_type");
    static final MetricDesc CONFIRMED_FLUSH = MetricDesc.gauge("pg_replication_slot_slot_confirmed_flush_lsn",
            "last lsn confirmed flushed to the replication slot", "slot_name", "slot_type");
    static final MetricDesc IS_ACTIVE = MetricDesc.gauge("pg_replication_slot_slot_is_active",
            "whether the replication slot is active or not", "slot_name", "slot_type");
    static final MetricDesc SAFE_WAL = MetricDesc.gauge("pg_replication_slot_safe_wal_size_bytes",
            "number of bytes that can be written to WAL such that this slot is not in danger of getting in state lost",
            "slot_name", "slot_type");
    static final MetricDesc WAL_STATUS = MetricDesc.gauge("pg_replication_slot_wal_status",
            "availability of WAL files claimed by this slot", "slot_name", "slot_type", "wal_status");

    /** safe_wal_size and wal_status exist from PostgreSQL 13 on. */
    static String sql(PgVersion version) {
        return """
                SELECT slot_name, slot_type,
                  CASE WHEN pg_is_in_recovery() THEN pg_last_wal_receive_lsn() - '0/0'
                       ELSE pg_current_wal_lsn() - '0/0' END AS current_wal_lsn,
                  COALESCE(confirmed_flush_lsn, '0/0') - '0/0' AS confirmed_flush_lsn,
                  active""" + (version.atLeast(13) ? ", safe_wal_size, wal_status" : "") + "\nFROM pg_replication_slots";
    }

    @Override
    public String name() {
        return "replication_slot";
    }

    @Override
    public String query(PgVersion version) {
        return sql(version);
    }

    @Override
    public void row(ResultSet rs, PgSession session, MetricSink out) throws SQLException {
        boolean pg13 = session.version().atLeast(13);
        String slot = PgSession.text(rs, "slot_name", "unknown");
        String type = PgSession.text(rs, "slot_type", "unknown");
        boolean active = rs.getBoolean("active") && !rs.wasNull();
        out.add(CURRENT_WAL, PgSession.number(rs, "current_wal_lsn", 0), slot, type);
        if (active) {
            out.add(CONFIRMED_FLUSH, PgSession.number(rs, "confirmed_flush_lsn", 0), slot, type);
        }
        out.add(IS_ACTIVE, active ? 1 : 0, slot, type);
        if (pg13) {
            double safe = PgSession.number(rs, "safe_wal_size", Double.NaN);
            if (!Double.isNaN(safe)) {
                out.add(SAFE_WAL, safe, slot, type);
            }
            String status = rs.getString("wal_status");
            if (status != null) {
                out.add(WAL_STATUS, 1, slot, type, status);
            }
        }
    }
}
