package io.pgscribe.capture;

import io.pgscribe.PgscribeException;
import io.pgscribe.manifest.CaptureState;
import io.pgscribe.manifest.ManifestStore;
import io.pgscribe.pg.ConnectionSpec;
import io.pgscribe.pg.Lsn;
import io.pgscribe.pg.Pg;
import io.pgscribe.pg.Publication;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Optional;

/**
 * Checks on a schedule that a pgoutput set's publication is as init made it, and that its
 * catalog row is the one last found whole (same oid and xmin): an ALTER leaves another xmin
 * even when no event trigger saw it (replica mode) and it was set back before this check. A
 * change opens a hole after the WAL position read before the last check that found the row
 * unchanged; found not whole, the check fails (the route's failure alert); whole again, the
 * hole ends at the position now, and the row is the one to compare with from then on. Also run
 * before every start of pg_recvlogical (a refusal halts the capture). Its own short
 * connection, with a lock timeout: no other session's lock holds it up.
 */
public final class PublicationWatch {

    private final ConnectionSpec spec;
    private final ManifestStore store;
    private final String publication; // null: the set's decoder reads none
    private final Clock clock;
    private Lsn lastUnchanged; // read just before the last check of this runtime that found the row as recorded

    public PublicationWatch(ConnectionSpec spec, ManifestStore store, String publication, Clock clock) {
        this.spec = spec;
        this.store = store;
        this.publication = publication;
        this.clock = clock;
    }

    public void check() throws SQLException {
        if (publication == null) {
            return;
        }
        try (Connection c = Pg.connect(spec, "pgscribe-" + publication + "-publication")) {
            Pg.execute(c, "SET lock_timeout = '10s'; SET statement_timeout = '60s'");
            Lsn before = Lsn.valueOf(Pg.string(c, "SELECT pg_catalog.pg_current_wal_lsn()::text"));
            Optional<Publication.Found> found = Publication.find(c, publication);
            CaptureState capture = store.load().capture();
            CaptureState.PublicationSeen seen = capture.publication();
            boolean whole = found.isPresent() && found.get().asMade();
            boolean changed = seen != null && (found.isEmpty() || found.get().oid() != seen.oid()
                    || !found.get().xmin().equals(seen.xmin()));
            if (!whole || changed) {
                // the change came after the last position known unchanged
                String after = lastUnchanged != null ? lastUnchanged.asString()
                        : seen != null ? seen.atLsn() : capture.lastCommitLsn();
                PublicationHoles.open(store, publication, after, before, "hand (found by the publication check: "
                        + (found.isEmpty() ? "it is gone" : whole ? "altered and set back" : "not as init made it") + ")",
                        clock.instant());
            }
            if (!whole) {
                Publication.requireAsMade(c, publication); // throws, saying what is wrong and how to set it back
                throw new PgscribeException("the publication " + publication + " is not as init made it", null,
                        io.pgscribe.ExitCode.REFUSED, null);
            }
            PublicationHoles.closeOpen(c, store, publication);
            // kept where the next runtime reads it, once the capture has moved past it: a change found after a restart
            // starts its hole there, not at init
            String lastCommit = capture.lastCommitLsn();
            if (seen == null || changed || (lastCommit != null && Lsn.valueOf(lastCommit).isAfter(Lsn.valueOf(seen.atLsn())))) {
                CaptureState.PublicationSeen now = new CaptureState.PublicationSeen(found.get().oid(), found.get().xmin(),
                        before.asString());
                store.update(m -> m.withCapture(m.capture().withPublication(now)));
            }
            lastUnchanged = before;
        }
    }
}
