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
import java.util.List;
import java.util.Optional;

/**
 * Checks on a schedule that a pgoutput set's publication is as init made it, and that its
 * catalog row is the one last found whole (same oid and xmin): an ALTER leaves another xmin
 * even when no event trigger saw it (replica mode) and it was set back before this check.
 *
 * <p>A check reads the server's WAL flush position, then the row and the transactions in
 * progress, in one snapshot. An ALTER can be in the WAL, and decoded, while no other session
 * sees it yet (its COMMIT waits for a synchronous standby): it is among those in progress. So
 * the position is known unchanged at once when nothing was in progress, else once a later check
 * sees every one of them ended (a long transaction holds that back: a hole found meanwhile starts
 * earlier, never later). A change opens a hole after the last position so confirmed; found not
 * whole, the check fails (the route's failure alert); whole again, the hole ends at the first
 * position confirmed whole, and the row is the one to compare with from then on. Also run before
 * every start of pg_recvlogical (a refusal halts the capture). Its own short connection, with a
 * lock timeout: no other session's lock holds it up.
 */
public final class PublicationWatch {

    private final ConnectionSpec spec;
    private final ManifestStore store;
    private final String publication; // null: the set's decoder reads none
    private final Clock clock;
    private Lsn lastUnchanged; // confirmed: no change committed at or before it went unseen (this runtime's checks)
    private Lsn pendingAt; // read before the last check that found the row as recorded, not yet confirmed
    private List<String> pendingRunning = List.of(); // the transactions in progress in that check's snapshot

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
            Lsn before = Lsn.valueOf(Pg.string(c, "SELECT pg_catalog.pg_current_wal_flush_lsn()::text"));
            // one snapshot for the row and for what was in progress when it was taken
            Pg.execute(c, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
            List<String> running;
            Optional<Publication.Found> found;
            try {
                running = Pg.query(c, "SELECT x::text FROM pg_catalog.pg_snapshot_xip(pg_catalog.pg_current_snapshot()) x",
                        rs -> rs.getString(1));
                found = Publication.find(c, publication);
            } finally {
                Pg.execute(c, "COMMIT");
            }
            CaptureState capture = store.load().capture();
            CaptureState.PublicationSeen seen = capture.publication();
            boolean whole = found.isPresent() && found.get().asMade();
            boolean changed = seen != null && (found.isEmpty() || found.get().oid() != seen.oid()
                    || !found.get().xmin().equals(seen.xmin()));
            String holeStart = null;
            if (!whole || changed) {
                // the change came after the last position known unchanged
                holeStart = lastUnchanged != null ? lastUnchanged.asString()
                        : seen != null ? seen.atLsn() : capture.lastCommitLsn();
                PublicationHoles.open(store, publication, holeStart, before, "hand (found by the publication check: "
                        + (found.isEmpty() ? "it is gone" : whole ? "altered and set back" : "not as init made it") + ")",
                        clock.instant());
                lastUnchanged = null; // what was confirmed was of the row before the change
                pendingAt = null;
            }
            if (!whole) {
                Publication.requireAsMade(c, publication); // throws, saying what is wrong and how to set it back
                throw new PgscribeException("the publication " + publication + " is not as init made it", null,
                        io.pgscribe.ExitCode.REFUSED, null);
            }
            if (running.isEmpty()) {
                confirm(before); // nothing was in progress: every commit before it is in the row as read
            } else if (!changed && pendingAt != null && allSeen(pendingRunning, running)) {
                confirm(pendingAt);
            }
            pendingAt = before;
            pendingRunning = running;
            // kept where the next runtime reads it: a change found after a restart starts its hole there, not at init;
            // after a change, the hole's start (a change found later starts no later than that one)
            String lastCommit = capture.lastCommitLsn();
            CaptureState.PublicationSeen now = null;
            if (seen == null || changed) {
                String at = holeStart != null ? holeStart : lastCommit != null ? lastCommit : before.asString();
                now = new CaptureState.PublicationSeen(found.get().oid(), found.get().xmin(), at);
            } else if (lastUnchanged != null && lastUnchanged.isAfter(Lsn.valueOf(seen.atLsn()))
                    && lastCommit != null && Lsn.valueOf(lastCommit).isAfter(Lsn.valueOf(seen.atLsn()))) {
                now = new CaptureState.PublicationSeen(seen.oid(), seen.xmin(), lastUnchanged.asString());
            }
            if (now != null) {
                CaptureState.PublicationSeen record = now;
                store.update(m -> m.withCapture(m.capture().withPublication(record)));
            }
        }
    }

    /** The publication was whole at {@code at}, and nothing unseen can have changed it before: an open hole ends there. */
    private void confirm(Lsn at) {
        lastUnchanged = at;
        PublicationHoles.closeOpen(store, publication, at);
    }

    /**
     * Whether every transaction in progress at the last check is seen now (no longer in progress in
     * this check's snapshot, {@code running}): whatever each one did is in the row as read. One
     * still in progress may have written its COMMIT already (waiting for a synchronous standby);
     * the server tells that apart from a long transaction to no one, so both wait.
     */
    private static boolean allSeen(List<String> then, List<String> running) {
        return then.stream().noneMatch(running::contains);
    }
}
