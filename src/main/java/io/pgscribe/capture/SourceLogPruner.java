package io.pgscribe.capture;

import io.pgscribe.ddl.DdlEvent;
import io.pgscribe.render.SequenceSample;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;

/**
 * Deletes from the source the rows of {@code pgscribe.ddl_log} and {@code pgscribe.sequence_log}
 * that closed segments hold: the change stream carried them (logical decoding reads them from
 * the WAL, not the table), so the source keeps neither the DDL text (which may hold a password)
 * nor a growing log. Rows of segments closed before a restart of the runtime stay.
 */
public final class SourceLogPruner {

    private final SourceSession session;
    private final CaptureSink sink;
    private final boolean enabled;

    public SourceLogPruner(SourceSession session, CaptureSink sink, boolean enabled) {
        this.session = session;
        this.sink = sink;
        this.enabled = enabled;
    }

    /** Called on the capture's tick; returns how many rows it deleted. */
    public int prune() throws SQLException {
        List<OwnRows.Row> rows = sink.ownRows().takeClosed();
        if (!enabled || rows.isEmpty()) {
            return 0;
        }
        try {
            return session.run(c -> delete(c, DdlEvent.TABLE, rows) + delete(c, SequenceSample.TABLE, rows));
        } catch (SQLException | RuntimeException e) {
            sink.ownRows().giveBack(rows); // the next tick tries again
            throw e;
        }
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
