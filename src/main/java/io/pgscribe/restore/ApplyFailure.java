package io.pgscribe.restore;

import io.pgscribe.ExitCode;
import io.pgscribe.PgscribeException;
import io.pgscribe.segment.TransactionHeader;
import io.pgscribe.sql.SqlText;
import java.sql.SQLException;

/**
 * What a restore says when the target refused a statement of a segment: where in the stream
 * (the transaction, or the group of them applied together), what the server said, and the way
 * on for the causes it can tell apart (a row check, a role's refused DDL, row-level security).
 */
final class ApplyFailure {

    private ApplyFailure() {
    }

    static PgscribeException of(SQLException e, String segment, TransactionHeader groupFirst, TransactionHeader groupLast) {
        String where = "";
        if (groupFirst != null && groupFirst.hasIdentity()) {
            where = groupFirst == groupLast
                    ? " in transaction xid " + groupFirst.xid() + " (commit LSN " + groupFirst.commitLsn() + ", "
                            + groupFirst.commitTime() + ")"
                    : " in one of the transactions from xid " + groupFirst.xid() + " (commit LSN " + groupFirst.commitLsn()
                            + ", " + groupFirst.commitTime() + ") to xid " + groupLast.xid() + " (commit LSN "
                            + groupLast.commitLsn() + ", " + groupLast.commitTime() + ")";
        } else if (groupFirst != null) {
            where = " in a transaction";
        }
        String message = e.getMessage() == null ? "" : e.getMessage();
        String hint = message.contains("row-level security")
                ? "A table's owner is subject to its own row policies (FORCE ROW LEVEL SECURITY): its rows are applied as "
                        + "that owner, who may not see them. For the restore, ALTER ROLE that owner BYPASSRLS on the target "
                        + "(or ALTER TABLE ... NO FORCE ROW LEVEL SECURITY in a copy of the base), then restore again."
                : "The restored database was dropped. If the cause is an object the segment needs (a role, an "
                        + "extension), create it on the target server and run restore again.";
        long rows = RowCheck.rowsIn(message);
        if (rows >= 0) {
            return new PgscribeException("applying " + segment + where + " stopped: an UPDATE or DELETE of a table "
                    + "without a primary key (REPLICA IDENTITY FULL) found " + (rows == 0 ? "no row" : rows + " rows")
                    + " with the old row's values, where the source changed one: from here on the restored database would "
                    + "not be the source's",
                    "Restore to a point before that transaction (--to-lsn with its commit LSN, exclusive), or from a base "
                            + "taken after it. A wal2json set writes NaN and Infinity as NULL (see \"Known gap\" in init's "
                            + "report), so a row holding one is not found; pgoutput sets have no such gap. Otherwise the "
                            + "row was changed outside the stream: report it.", ExitCode.DAMAGED, e);
        }
        if (message.contains(RoleSandbox.REFUSED_MARK)) {
            return new PgscribeException("applying " + segment + where + " was refused: " + message,
                    "See the message above. The restored database was dropped.", ExitCode.REFUSED, e);
        }
        return new PgscribeException("applying " + segment + where + " failed: " + message, hint, ExitCode.FAILED, e);
    }

    /** A segment that holds {@code what} (the statement {@code code}, or none): not SQL pgscribe writes. */
    static PgscribeException notWritten(String segment, String what, String code) {
        return new PgscribeException("segment " + segment + " holds " + what
                + (code.isEmpty() ? "" : ": " + SqlText.commentText(code.length() > 200 ? code.substring(0, 200) + "..." : code)),
                "It matches its checksum, so it was written like this: by hand, by a pgscribe that lost track of the SQL "
                        + "it wrote, or by someone with write access to the backup set. Nothing of it was applied; restore "
                        + "to a point before it.", ExitCode.DAMAGED, null);
    }
}
