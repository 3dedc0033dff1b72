package io.pgscribe.restore;

import io.pgscribe.ExitCode;
import io.pgscribe.PgscribeException;
import io.pgscribe.pg.Lsn;
import io.pgscribe.segment.SegmentFormat;
import io.pgscribe.segment.TransactionHeader;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/**
 * Where a restore stops: the latest transaction, or the last one at a commit LSN, commit
 * time or transaction id. Inclusive (the default, as PostgreSQL's recovery_target_inclusive)
 * applies the transaction at the target; exclusive stops just before it. Transactions are
 * walked in commit order and the restore stops at the first one past the target, as
 * PostgreSQL's own recovery does (commit times need not rise strictly with LSN).
 */
public record RestoreTarget(Kind kind, Lsn lsn, Instant time, Long xid, boolean inclusive) {

    public enum Kind { LATEST, LSN, TIME, XID }

    public static final RestoreTarget LATEST = new RestoreTarget(Kind.LATEST, null, null, null, true);

    public static RestoreTarget lsn(Lsn lsn, boolean inclusive) {
        return new RestoreTarget(Kind.LSN, lsn, null, null, inclusive);
    }

    public static RestoreTarget time(Instant time, boolean inclusive) {
        return new RestoreTarget(Kind.TIME, null, time, null, inclusive);
    }

    public static RestoreTarget xid(long xid, boolean inclusive) {
        return new RestoreTarget(Kind.XID, null, null, xid, inclusive);
    }

    /** An xid target, once the commit LSN of that transaction is known. */
    public RestoreTarget resolvedTo(Lsn commitLsn) {
        return new RestoreTarget(Kind.XID, commitLsn, null, xid, inclusive);
    }

    /** Whether this transaction, and every one after it, lies beyond the target. */
    public boolean isPast(TransactionHeader h) {
        switch (kind) {
            case LATEST:
                return false;
            case TIME: {
                if (h.commitTime() == null) {
                    return false;
                }
                int c = SegmentFormat.parseCommitTime(h.commitTime()).compareTo(time);
                return inclusive ? c > 0 : c >= 0;
            }
            default: {
                if (h.commitLsn() == null) {
                    return false;
                }
                int c = h.commitLsn().compareTo(lsn);
                return inclusive ? c > 0 : c >= 0;
            }
        }
    }

    public String describe() {
        String edge = inclusive ? "" : " (exclusive)";
        return switch (kind) {
            case LATEST -> "the latest transaction in the backup";
            case LSN -> "commit LSN " + lsn + edge;
            case TIME -> "commit time " + time + edge;
            case XID -> "transaction " + xid + (lsn == null ? "" : " (commit LSN " + lsn + ")") + edge;
        };
    }

    /**
     * A timestamp as a person types it: ISO-8601 ({@code 2026-11-24T22:21:31Z}) or as
     * PostgreSQL prints it ({@code 2026-11-24 22:21:31.5+00}); without a zone, UTC.
     */
    public static Instant parseTime(String text) {
        String t = text.strip();
        try {
            return Instant.parse(t);
        } catch (DateTimeParseException ignored) {
            // other forms below
        }
        try {
            return OffsetDateTime.parse(t.replace(' ', 'T')).toInstant();
        } catch (DateTimeParseException ignored) {
            // other forms below
        }
        try {
            return SegmentFormat.parseCommitTime(t);
        } catch (DateTimeParseException ignored) {
            // other forms below
        }
        try {
            return LocalDateTime.parse(t.replace(' ', 'T')).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            throw new PgscribeException("--to-time " + text + " is not a timestamp",
                    "Write it like 2026-11-24T22:21:31Z or '2026-11-24 22:21:31+01' (no zone means UTC).", ExitCode.USAGE, e);
        }
    }
}
