package io.pgscribe.pg;

import io.pgscribe.ExitCode;
import io.pgscribe.PgscribeException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import org.postgresql.PGConnection;
import org.postgresql.PGProperty;
import org.postgresql.replication.ReplicationSlotInfo;

/** Creates, inspects and drops the pipeline's logical replication slot. */
public final class SlotManager {

    /** The slot as pg_replication_slots shows it. */
    public record SlotState(String name, String plugin, String database, boolean active, Integer activePid,
                            Lsn restartLsn, Lsn confirmedFlushLsn, String walStatus) {
    }

    private SlotManager() {
    }

    /**
     * Creates the slot on a replication connection and keeps that connection open, holding
     * the exported snapshot for {@code pg_dump --snapshot}.
     */
    public static SlotCreation createWithSnapshot(ConnectionSpec spec, String slotName, String plugin) {
        return create(spec, slotName, plugin, false, "pgscribe-init");
    }

    /**
     * Creates a temporary slot (dropped by the server when its connection closes) only to
     * export a snapshot at a known LSN: how later bases are aligned with the stream.
     */
    public static SlotCreation createTemporaryWithSnapshot(ConnectionSpec spec, String slotName, String plugin) {
        return create(spec, slotName, plugin, true, "pgscribe-base");
    }

    private static SlotCreation create(ConnectionSpec spec, String slotName, String plugin, boolean temporary,
                                       String applicationName) {
        Properties props = spec.jdbcProperties(applicationName);
        PGProperty.REPLICATION.set(props, "database");
        PGProperty.ASSUME_MIN_SERVER_VERSION.set(props, "13");
        PGProperty.PREFER_QUERY_MODE.set(props, "simple");
        Connection c = Pg.connect(spec, props);
        try {
            var builder = c.unwrap(PGConnection.class).getReplicationAPI()
                    .createReplicationSlot().logical()
                    .withSlotName(slotName)
                    .withOutputPlugin(plugin);
            if (temporary) {
                builder = builder.withTemporaryOption();
            }
            ReplicationSlotInfo info = builder.make();
            return new SlotCreation(info.getSlotName(), Lsn.of(info.getConsistentPoint().asLong()), info.getSnapshotName(), c);
        } catch (SQLException e) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // reported below
            }
            String state = e.getSQLState() == null ? "" : e.getSQLState();
            if (state.equals("58P01") || String.valueOf(e.getMessage()).contains("could not access file")) {
                throw new PgscribeException("the server has no " + plugin + " output plugin: " + e.getMessage(),
                        "Install " + plugin + " on the database server (for wal2json: apt-get install postgresql-<major>-wal2json).",
                        ExitCode.REFUSED, e);
            }
            if (state.equals("42710")) {
                throw new PgscribeException("replication slot \"" + slotName + "\" already exists",
                        "Another pipeline may own it: choose another pgscribe.slot.name, or drop it if it is a leftover.",
                        ExitCode.REFUSED, e);
            }
            throw new PgscribeException("cannot create replication slot \"" + slotName + "\": " + e.getMessage(),
                    "Check the server log.", ExitCode.FAILED, e);
        }
    }

    public static Optional<SlotState> find(Connection c, String slotName) throws SQLException {
        List<SlotState> rows = Pg.query(c, """
                SELECT slot_name, plugin, database, active, active_pid, restart_lsn::text, confirmed_flush_lsn::text, wal_status
                  FROM pg_replication_slots WHERE slot_name = ?
                """, rs -> new SlotState(rs.getString(1), rs.getString(2), rs.getString(3), rs.getBoolean(4),
                (Integer) rs.getObject(5), lsnOrNull(rs.getString(6)), lsnOrNull(rs.getString(7)), rs.getString(8)), slotName);
        return rows.stream().findFirst();
    }

    /**
     * Whether the slot's plugin accepts these options: the plugin checks them when decoding
     * starts, and decoding up to the slot's own start point decodes nothing.
     */
    public static boolean acceptsOptions(Connection c, String slotName, Lsn upTo, List<String> options) throws SQLException {
        StringBuilder sql = new StringBuilder("SELECT count(*) FROM pg_logical_slot_peek_changes(?, ?::pg_lsn, NULL");
        List<Object> params = new java.util.ArrayList<>(List.of(slotName, upTo.asString()));
        for (String o : options) {
            int eq = o.indexOf('=');
            sql.append(", ?, ?");
            params.add(o.substring(0, eq));
            params.add(o.substring(eq + 1));
        }
        sql.append(')');
        try {
            Pg.query(c, sql.toString(), rs -> rs.getLong(1), params.toArray());
            return true;
        } catch (SQLException e) {
            if (String.valueOf(e.getMessage()).contains("is unknown")) {
                return false;
            }
            throw e;
        }
    }

    /** Drops the slot; an active slot (a running pg_recvlogical) is refused by the server. */
    public static boolean drop(Connection c, String slotName) throws SQLException {
        if (find(c, slotName).isEmpty()) {
            return false;
        }
        Pg.query(c, "SELECT pg_drop_replication_slot(?)", rs -> rs.getString(1), slotName);
        return true;
    }

    private static Lsn lsnOrNull(String s) {
        return s == null ? null : Lsn.valueOf(s);
    }
}
