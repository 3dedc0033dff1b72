package io.pgscribe.restore;

/**
 * A REPLICA IDENTITY FULL row's UPDATE or DELETE, as the restore runs it: one statement that
 * fails unless it changed exactly one row. The source changed one row there; a change that finds
 * none (or, through a looser comparison, the wrong one is no longer possible) means the backup and
 * the restored database disagree from that point on, which must stop the restore, not pass
 * silently. Plain SQL with pg_catalog's names only, so it runs the same as any role, in any
 * session, and needs nothing installed in the target.
 */
final class RowCheck {

    /** What the error's message holds, for {@link SegmentApplier}'s own message. */
    static final String MARK = "pgscribe row check: rows changed ";

    private RowCheck() {
    }

    /** {@code stmt}: one UPDATE or DELETE, ending in ";" (and any white space). */
    static String of(String stmt) {
        String s = stmt.strip();
        s = s.substring(0, s.length() - 1);
        // a text that is no number cast to int4: the only error plain SQL can raise, with our words in it
        return "WITH pgscribe_row AS (" + s + " RETURNING 1) SELECT CASE WHEN pg_catalog.count(*) OPERATOR(pg_catalog.=) 1 "
                + "THEN 1 ELSE ('" + MARK + "' OPERATOR(pg_catalog.||) pg_catalog.count(*)::pg_catalog.text)::pg_catalog.int4 END "
                + "FROM pgscribe_row;\n";
    }

    /** The number of rows the check found, from the server's message; -1 when it is not the check's. */
    static long rowsIn(String message) {
        int at = message == null ? -1 : message.indexOf(MARK);
        if (at < 0) {
            return -1;
        }
        int start = at + MARK.length();
        int end = start;
        while (end < message.length() && Character.isDigit(message.charAt(end))) {
            end++;
        }
        return end == start ? -1 : Long.parseLong(message.substring(start, end));
    }
}
