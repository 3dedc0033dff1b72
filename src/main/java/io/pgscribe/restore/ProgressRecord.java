package io.pgscribe.restore;

import io.pgscribe.ExitCode;
import io.pgscribe.PgscribeException;
import io.pgscribe.pg.Lsn;
import io.pgscribe.pg.Pg;
import io.pgscribe.segment.TransactionHeader;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * The restored database's record of the last source transaction applied to it, written in the
 * same transaction as that transaction's changes: a restore that stops leaves it true, and
 * {@code --continue} goes on after it. Dropped at the end unless {@code --keep-progress}.
 */
final class ProgressRecord {

    static final String TABLE = "pgscribe_restore.progress";

    private ProgressRecord() {
    }

    /**
     * One row, no transaction yet. With a replica identity: a publication FOR ALL TABLES from the
     * base refuses UPDATE of a table without one.
     */
    static void create(Connection c) throws SQLException {
        Pg.execute(c, "CREATE SCHEMA pgscribe_restore; CREATE TABLE " + TABLE + " (lsn pg_catalog.pg_lsn, "
                + "xid pg_catalog.int8, commit_time pg_catalog.text, segment pg_catalog.text, applied_at "
                + "pg_catalog.timestamptz); ALTER TABLE " + TABLE + " REPLICA IDENTITY FULL; INSERT INTO "
                + TABLE + " (segment) VALUES (NULL)");
    }

    /** Removes it (and its schema) from a finished restore. */
    static void drop(Connection c) throws SQLException {
        Pg.execute(c, "DROP SCHEMA IF EXISTS pgscribe_restore CASCADE");
    }

    /** The statement that records {@code h} as the last transaction applied, from {@code segment}. */
    static String update(TransactionHeader h, String segment) {
        return "UPDATE " + TABLE + " SET lsn = '" + h.commitLsn() + "', xid = " + h.xid() + ", commit_time = "
                + (h.commitTime() == null ? "NULL" : Pg.literal(h.commitTime())) + ", segment = " + Pg.literal(segment)
                + ", applied_at = pg_catalog.now()";
    }

    /** The commit LSN of the last transaction applied to the target; null before the first. */
    static Lsn read(Connection c, String db) throws SQLException {
        boolean exists = Boolean.parseBoolean(Pg.string(c, "SELECT (pg_catalog.to_regclass('" + TABLE
                + "') IS NOT NULL)::pg_catalog.text"));
        if (!exists) {
            throw new PgscribeException("database " + db + " has no restore progress record (" + TABLE + ")",
                    "Only a database restored with --keep-progress can be continued; restore into a new name instead.",
                    ExitCode.REFUSED, null);
        }
        String lsn = Pg.string(c, "SELECT lsn::text FROM " + TABLE);
        return lsn == null ? null : Lsn.valueOf(lsn);
    }
}
