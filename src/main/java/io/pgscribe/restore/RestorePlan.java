package io.pgscribe.restore;

import io.pgscribe.manifest.SegmentEntry;
import java.io.PrintStream;

/** {@code restore --plan}: what a restore would do, from the manifest and the segments' headers. */
final class RestorePlan {

    private RestorePlan() {
    }

    static void print(Chain chain, RestoreTarget target, Restorer.Options o, ChainScan.Counts counts, PrintStream out) {
        out.println("Restore plan for " + o.targetDatabase() + " on " + o.targetServer().host() + ":" + o.targetServer().port()
                + ", up to " + target.describe());
        out.println("  base      " + chain.base().file() + " (" + Progress.bytes(chain.base().bytes()) + "), consistent point "
                + chain.base().consistentPoint() + ", taken " + chain.base().takenAt());
        if (chain.globals() != null) {
            out.println("  globals   " + chain.globals().file() + " (" + Progress.bytes(chain.globals().bytes()) + "), "
                    + (o.withGlobals() ? "applied first" : "not applied (--with-globals applies it)"));
        }
        if (!o.scope().all()) {
            out.println("  only      " + String.join(", ", o.scope().tables().stream().map(RestoreScope.Name::toString)
                    .sorted().toList()) + (o.scope().schemas().isEmpty() ? "" : " schemas "
                    + String.join(", ", o.scope().schemas())));
        }
        out.println("  segments  " + chain.segments().size() + " (" + Progress.bytes(chain.segmentBytes()) + ")");
        for (SegmentEntry s : chain.segments()) {
            out.println("    " + s.file() + "  " + Progress.bytes(s.bytes()) + "  " + s.transactions() + " transactions"
                    + (s.firstLsn() == null ? "" : "  LSN " + s.firstLsn() + " to " + s.lastLsn() + "  " + s.firstCommitTime()
                    + " to " + s.lastCommitTime()));
        }
        out.println("  transactions: " + counts.toApply() + " to apply"
                + (counts.first() == null || counts.first().commitLsn() == null ? ""
                : " (commit LSN " + counts.first().commitLsn() + " to " + counts.last().commitLsn() + ", "
                + counts.first().commitTime() + " to " + counts.last().commitTime() + ")")
                + "; " + counts.inBase() + " skipped, already in the base; " + counts.pastTarget() + " after the target");
        out.println("Every file of the chain matches the manifest. Nothing was changed (--plan).");
    }
}
