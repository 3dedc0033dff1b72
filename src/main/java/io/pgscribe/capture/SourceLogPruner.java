package io.pgscribe.capture;

import io.pgscribe.ddl.DdlEvent;
import io.pgscribe.pg.Lsn;
import io.pgscribe.render.SequenceSample;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.function.Supplier;

/**
 * Deletes from the source the rows of {@code pgscribe.ddl_log} and {@code pgscribe.sequence_log}
 * that closed segments hold: the change stream carried them (logical decoding reads them from
 * the WAL, not the table), so the source keeps neither the DDL text (which may hold a password)
 * nor a growing log. The rows a runtime found there when it started (of segments closed before it
 * stopped, or of the one it had open) go once the closed segments cover the WAL position of that
 * look: every one of them committed before it.
 */
public final class SourceLogPruner {

    /** The rows found at start, and the WAL insert position then: all of them committed before it. */
    private record Found(Lsn at, List<OwnRows.Row> rows) {
    }

    private final SourceSession session;
    private final CaptureSink sink;
    private final boolean enabled;
    private final Supplier<Lsn> closedThrough;
    private Found found;
    private boolean foundDeleted;

    /** {@code closedThrough}: the commit LSN up to which closed segments hold every transaction (null: none yet). */
    public SourceLogPruner(SourceSession session, CaptureSink sink, boolean enabled, Supplier<Lsn> closedThrough) {
        this.session = session;
        this.sink = sink;
        this.enabled = enabled;
        this.closedThrough = closedThrough;
    }

    /** Called on the capture's tick; returns how many rows it deleted. */
    public int prune() throws SQLException {
        List<OwnRows.Row> rows = sink.ownRows().takeClosed();
        if (!enabled) {
            return 0;
        }
        int deleted = pruneFound();
        if (rows.isEmpty()) {
            return deleted;
        }
        try {
            return deleted + session.run(c -> delete(c, DdlEvent.TABLE, rows) + delete(c, SequenceSample.TABLE, rows));
        } catch (SQLException | RuntimeException e) {
            sink.ownRows().giveBack(rows); // the next tick tries again
            throw e;
        }
    }

    /** The rows there at start: looked at once, deleted once closed segments cover that look. */
    private int pruneFound() throws SQLException {
        if (foundDeleted) {
            return 0;
        }
        if (found == null) {
            found = session.run(SourceLogPruner::look);
        }
        Lsn closed = closedThrough.get();
        if (!found.rows().isEmpty() && (closed == null || closed.isBefore(found.at()))) {
            return 0;
        }
        int n = found.rows().isEmpty() ? 0
                : session.run(c -> delete(c, DdlEvent.TABLE, found.rows()) + delete(c, SequenceSample.TABLE, found.rows()));
        foundDeleted = true;
        found = null;
        return n;
    }

    private static Found look(java.sql.Connection c) throws SQLException {
        // one statement, one snapshot: a row it sees committed before the insert position it reads
        String sql = "SELECT pg_catalog.pg_current_wal_insert_lsn()::text, 'ddl_log', id FROM pgscribe.ddl_log "
                + "UNION ALL SELECT pg_catalog.pg_current_wal_insert_lsn()::text, 'sequence_log', id FROM pgscribe.sequence_log "
                + "UNION ALL SELECT pg_catalog.pg_current_wal_insert_lsn()::text, NULL, NULL";
        Lsn[] at = new Lsn[1];
        List<OwnRows.Row> rows = new java.util.ArrayList<>();
        try (java.sql.Statement st = c.createStatement(); java.sql.ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                Lsn l = Lsn.valueOf(rs.getString(1));
                if (at[0] == null || l.isAfter(at[0])) {
                    at[0] = l;
                }
                if (rs.getString(2) != null) {
                    rows.add(new OwnRows.Row(rs.getString(2), rs.getLong(3)));
                }
            }
        }
        return new Found(at[0], rows);
    }

    private static int delete(java.sql.Connection c, String table, List<OwnRows.Row> rows) throws SQLException {
        Long[] ids = rows.stream().filter(r -> r.table().equals(table)).map(OwnRows.Row::id).toArray(Long[]::new);
        if (ids.length == 0) {
            return 0;
        }
        // the table name is one of two constants, never a user's text
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM pgscribe." + table + " WHERE id = ANY (?)")) {
            ps.setArray(1, c.createArrayOf("bigint", ids));
            return ps.executeUpdate();
        }
    }
}
