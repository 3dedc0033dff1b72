package io.pgscribe.capture;

import io.pgscribe.manifest.Manifest;
import io.pgscribe.pg.Lsn;
import io.pgscribe.pg.Pg;
import java.sql.Connection;
import java.sql.SQLException;

/** How far the capture has come, in terms a workload can wait on. */
public final class CaptureProgress {

    private CaptureProgress() {
    }

    /**
     * Marks the end of a workload: returns the WAL position after it and commits a logical
     * message after that position, so the capture has a transaction to pass it by. The
     * position is where WAL is inserted, not where it is written: a transaction committed with
     * synchronous_commit=off may not be written yet, and the write position would be short of it.
     */
    public static Lsn fence(Connection c) throws SQLException {
        Lsn end = Lsn.valueOf(Pg.string(c, "SELECT pg_current_wal_insert_lsn()::text"));
        Pg.string(c, "SELECT pg_logical_emit_message(true, 'pgscribe.fence', 'end of workload')::text");
        return end;
    }

    /** Whether every transaction committed before {@code lsn} is in a closed segment. */
    public static boolean covers(Manifest m, Lsn lsn) {
        return m.capture() != null && m.capture().coveredLsn() != null && !Lsn.valueOf(m.capture().coveredLsn()).isBefore(lsn);
    }
}
