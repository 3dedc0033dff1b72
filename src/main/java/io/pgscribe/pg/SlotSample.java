package io.pgscribe.pg;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

/**
 * The slot as the server sees it ({@code pg_replication_slots}): active, positions as bytes
 * since 0/0, retained WAL (from restart_lsn) and unconfirmed WAL (from confirmed_flush_lsn),
 * {@code wal_status}, {@code safe_wal_size}, and the age of its xmin horizons.
 */
public record SlotSample(String slotName, String slotType, String plugin, boolean active, long currentWalLsn,
                         Long restartLsn, Long confirmedFlushLsn, Long retainedBytes, Long unconfirmedBytes,
                         String walStatus, Long safeWalSize, Long xminAge, Long catalogXminAge, Long spillBytes,
                         Long totalBytes) {

    public SlotSample(String slotName, String slotType, String plugin, boolean active, long currentWalLsn, Long restartLsn,
                      Long confirmedFlushLsn, Long retainedBytes, Long unconfirmedBytes, String walStatus, Long safeWalSize,
                      Long xminAge, Long catalogXminAge) {
        this(slotName, slotType, plugin, active, currentWalLsn, restartLsn, confirmedFlushLsn, retainedBytes, unconfirmedBytes,
                walStatus, safeWalSize, xminAge, catalogXminAge, null, null);
    }

    /** The slot, or null when the server has no slot of that name. */
    public static SlotSample read(Connection c, String slot) throws SQLException {
        List<SlotSample> rows = Pg.query(c, """
                SELECT slot_name, slot_type, plugin, active,
                       pg_current_wal_lsn() - '0/0'::pg_lsn,
                       restart_lsn - '0/0'::pg_lsn, confirmed_flush_lsn - '0/0'::pg_lsn,
                       pg_current_wal_lsn() - restart_lsn, pg_current_wal_lsn() - confirmed_flush_lsn,
                       wal_status, safe_wal_size, age(xmin), age(catalog_xmin)
                FROM pg_replication_slots WHERE slot_name = ?""", SlotSample::row, slot);
        if (rows.isEmpty()) {
            return null;
        }
        SlotSample r = rows.get(0);
        // pg_stat_replication_slots (PostgreSQL 14+): how much decoding spilled to the server's disk
        if (c.getMetaData().getDatabaseMajorVersion() >= 14) {
            List<long[]> stats = Pg.query(c, "SELECT spill_bytes, total_bytes FROM pg_stat_replication_slots WHERE slot_name = ?",
                    rs -> new long[] {rs.getLong(1), rs.getLong(2)}, slot);
            if (!stats.isEmpty()) {
                r = new SlotSample(r.slotName, r.slotType, r.plugin, r.active, r.currentWalLsn, r.restartLsn,
                        r.confirmedFlushLsn, r.retainedBytes, r.unconfirmedBytes, r.walStatus, r.safeWalSize, r.xminAge,
                        r.catalogXminAge, stats.get(0)[0], stats.get(0)[1]);
            }
        }
        return r;
    }

    public static SlotSample read(ConnectionSpec spec, String slot) throws SQLException {
        try (Connection c = Pg.connect(spec, "pgscribe-monitor")) {
            return read(c, slot);
        }
    }

    private static SlotSample row(ResultSet rs) throws SQLException {
        return new SlotSample(rs.getString(1), rs.getString(2), rs.getString(3), rs.getBoolean(4), rs.getLong(5),
                longOrNull(rs, 6), longOrNull(rs, 7), longOrNull(rs, 8), longOrNull(rs, 9), rs.getString(10),
                longOrNull(rs, 11), longOrNull(rs, 12), longOrNull(rs, 13));
    }

    private static Long longOrNull(ResultSet rs, int i) throws SQLException {
        java.math.BigDecimal v = rs.getBigDecimal(i);
        return v == null ? null : v.longValue();
    }
}
