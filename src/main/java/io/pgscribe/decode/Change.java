package io.pgscribe.decode;

import io.pgscribe.pg.Lsn;
import java.util.List;

/**
 * One decoded message of the change stream. Every decoder feeds this one model
 * (begin, commit, insert, update, delete, truncate, message, pass-through statement).
 */
public sealed interface Change {

    /** Start of a transaction; the identity fields are null for decoders that do not send them. */
    record Begin(Long xid, Lsn commitLsn, Lsn endLsn, String commitTime) implements Change {
    }

    record Commit(Long xid, Lsn commitLsn, Lsn endLsn, String commitTime) implements Change {
    }

    record Insert(String schema, String table, List<Column> columns, List<String> primaryKey) implements Change {
    }

    /** {@code columns} is the new row without unchanged TOASTed values; {@code identity} the old key or row. */
    record Update(String schema, String table, List<Column> columns, List<Column> identity, List<String> primaryKey)
            implements Change {
    }

    /**
     * {@code wholeRow}: the identity is the whole old row (REPLICA IDENTITY FULL), so an empty
     * one is a row with no column a decoder sends (none, or only generated ones): any one of
     * the identical rows is the row.
     */
    record Delete(String schema, String table, List<Column> identity, List<String> primaryKey, boolean wholeRow)
            implements Change {

        public Delete(String schema, String table, List<Column> identity, List<String> primaryKey) {
            this(schema, table, identity, primaryKey, false);
        }
    }

    /**
     * One truncated table; a TRUNCATE of several tables arrives as several of these with one
     * {@code statement}: the statement's LSN (wal2json) or a number per TRUNCATE message (pgoutput).
     */
    record Truncate(String schema, String table, long statement) implements Change {
    }

    /** A logical message ({@code pg_logical_emit_message}). */
    record Message(boolean transactional, String prefix, String content, Lsn lsn) implements Change {
    }

    /** A statement a SQL-emitting decoder already wrote (decoder_raw): copied as it is. */
    record Statement(String sql) implements Change {
    }
}
