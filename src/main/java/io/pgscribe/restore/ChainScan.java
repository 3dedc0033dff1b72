package io.pgscribe.restore;

import io.pgscribe.ExitCode;
import io.pgscribe.PgscribeException;
import io.pgscribe.manifest.SegmentEntry;
import io.pgscribe.pg.Lsn;
import io.pgscribe.segment.SegmentReader;
import io.pgscribe.segment.TransactionHeader;
import java.nio.charset.Charset;

/** Reads the transaction headers of a chain without applying anything. */
final class ChainScan {

    /** Transactions of the chain: already in the base, to apply, past the target. */
    record Counts(long inBase, long toApply, long pastTarget, TransactionHeader first, TransactionHeader last) {
    }

    private ChainScan() {
    }

    static Counts count(Chain chain, RestoreTarget target, Charset charset) {
        Lsn cp = chain.consistentPoint();
        long inBase = 0;
        long toApply = 0;
        long past = 0;
        TransactionHeader first = null;
        TransactionHeader last = null;
        boolean stopped = false;
        for (SegmentEntry s : chain.segments()) {
            try (SegmentReader r = chain.reader(s, charset, false)) {
                SegmentReader.Part p;
                while ((p = r.next()) != null) {
                    if (p instanceof SegmentReader.Begin b) {
                        TransactionHeader h = b.header();
                        if (stopped || target.isPast(h)) {
                            stopped = true;
                            past++;
                        } else if (h.hasIdentity() && h.commitLsn().isBefore(cp)) {
                            inBase++;
                        } else {
                            toApply++;
                            if (first == null) {
                                first = h;
                            }
                            last = h;
                        }
                    }
                }
            }
        }
        return new Counts(inBase, toApply, past, first, last);
    }

    /** An xid target with the commit LSN of that transaction, found in the chain. */
    static RestoreTarget resolveXid(Chain chain, RestoreTarget target, Charset charset) {
        for (SegmentEntry s : chain.segments()) {
            try (SegmentReader r = chain.reader(s, charset, false)) {
                SegmentReader.Part p;
                while ((p = r.next()) != null) {
                    if (p instanceof SegmentReader.Begin b && target.xid().equals(b.header().xid())) {
                        return target.resolvedTo(b.header().commitLsn());
                    }
                }
            }
        }
        throw new PgscribeException("transaction " + target.xid() + " is not in the backup",
                "Check the xid (a transaction that changed no captured table is not in the segments), or restore "
                        + "--to-time / --to-lsn instead.", ExitCode.REFUSED, null);
    }
}
