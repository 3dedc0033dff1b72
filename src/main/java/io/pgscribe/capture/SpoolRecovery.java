package io.pgscribe.capture;

import io.pgscribe.ExitCode;
import io.pgscribe.PgscribeException;
import io.pgscribe.manifest.CaptureState;
import io.pgscribe.manifest.Manifest;
import io.pgscribe.manifest.ManifestStore;
import io.pgscribe.manifest.SpoolPosition;
import io.pgscribe.pg.ConnectionSpec;
import io.pgscribe.pg.Lsn;
import io.pgscribe.pg.Pg;
import io.pgscribe.pg.SlotManager;
import io.pgscribe.spool.SpoolDirectory;
import io.pgscribe.spool.SpoolFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Before pg_recvlogical starts: the spool must still hold the position the capture resumes at.
 * When it does not (the spool was deleted, truncated or lost with its disk), the server decides
 * what is lost. Its slot sends again every transaction that commits at or after its confirmed
 * position; the closed segments hold every transaction up to the covered one, whose commit
 * record ends at {@code coveredEndLsn}. So when the confirmed position is not past that end,
 * nothing is lost: the capture reads the new spool from its start (transactions already in
 * segments are skipped by their LSN). Otherwise the changes in between are gone: the hole is
 * recorded in the manifest (no restore crosses it, the backup-hole alert fires until a base is
 * taken after it) and the capture goes on from the slot, so that later changes are kept.
 */
public final class SpoolRecovery {

    private static final Logger LOG = LoggerFactory.getLogger(SpoolRecovery.class);

    /** What the check found. */
    public enum Outcome { INTACT, RESUMED_FROM_SLOT, HOLE_RECORDED }

    private final SpoolDirectory spool;
    private final ManifestStore store;
    private final ConnectionSpec spec;
    private final String slot;
    private final Clock clock;

    public SpoolRecovery(SpoolDirectory spool, ManifestStore store, ConnectionSpec spec, String slot, Clock clock) {
        this.spool = spool;
        this.store = store;
        this.spec = spec;
        this.slot = slot;
        this.clock = clock;
        // names of a spool made again continue after the one the manifest knows
        CaptureState c = store.load().capture();
        if (c != null && c.resumeAt() != null && SpoolFile.parse(c.resumeAt().file()) != null) {
            spool.continueAfter(SpoolFile.parse(c.resumeAt().file()));
        }
    }

    /** Where the slot stood when pg_recvlogical last ended, in the spool: nothing but a person moves it meanwhile. */
    static final String SLOT_AT_EXIT = "slot-at-exit";

    /** After pg_recvlogical ended: records the slot's confirmed position, to compare at the next start. */
    public synchronized void recordSlotAtExit() {
        try (Connection conn = Pg.connect(spec, "pgscribe-capture")) {
            Optional<SlotManager.SlotState> s = SlotManager.find(conn, slot);
            // the walsender takes a moment to end after pg_recvlogical; until then the position may still move
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
            while (s.isPresent() && s.get().active() && System.nanoTime() < deadline) {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                s = SlotManager.find(conn, slot);
            }
            if (s.isPresent() && !s.get().active() && s.get().confirmedFlushLsn() != null) {
                io.pgscribe.storage.DurableFiles.writeAtomically(spool.path().resolve(SLOT_AT_EXIT),
                        s.get().confirmedFlushLsn().asString().getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            }
        } catch (SQLException | RuntimeException e) {
            LOG.warn("Could not record where slot {} stood at pg_recvlogical's exit ({}); a slot moved by hand before the next start goes unseen", slot, e.toString());
        }
    }

    /**
     * What the slot tells before a start: that it is still the one the set was made with (its
     * plugin), that the server has not gone back behind what the segments hold (restored from an
     * older copy: its new transactions would take LSNs the set already covers, and be skipped as
     * sent again), and that nobody moved it while pg_recvlogical was not running (advanced or
     * made again by hand: what it skipped is a hole).
     */
    private void checkSlot(Manifest m) throws SQLException {
        Path recorded = spool.path().resolve(SLOT_AT_EXIT);
        try (Connection conn = Pg.connect(spec, "pgscribe-capture")) {
            Optional<SlotManager.SlotState> s = SlotManager.find(conn, slot);
            if (s.isEmpty()) {
                return; // pg_recvlogical says so, and slot-missing alerts
            }
            String plugin = io.pgscribe.decode.DecoderPlugin.fromName(m.decoder()).pluginName();
            if (s.get().plugin() != null && !s.get().plugin().equals(plugin)) {
                throw new PgscribeException("slot " + slot + " now decodes with " + s.get().plugin() + ", but this backup set "
                        + "was made with " + plugin + ": the slot was dropped and made again by hand", "Drop that slot and "
                        + "start a new backup set (pgscribe init into a new pgscribe.backup.dir); this one restores up to its "
                        + "last segment.", ExitCode.REFUSED, null);
            }
            CaptureState c = m.capture();
            Lsn coveredEnd = c == null ? null : c.coveredEndLsn() != null ? Lsn.valueOf(c.coveredEndLsn())
                    : c.coveredLsn() != null ? Lsn.valueOf(c.coveredLsn()) : null;
            Lsn now = Lsn.valueOf(Pg.string(conn, "SELECT pg_catalog.pg_current_wal_insert_lsn()::text"));
            if (coveredEnd != null && now.isBefore(coveredEnd)) {
                throw new PgscribeException("the server's WAL ends at " + now + ", before " + coveredEnd + ", up to which this "
                        + "backup set already holds its transactions: the server was restored from an older copy (or is "
                        + "another with the same system identifier); its new transactions would be skipped as already "
                        + "backed up", "Start a new backup set for this server (pgscribe init into a new pgscribe.backup.dir); "
                        + "this one restores the old history up to its last segment.", ExitCode.REFUSED, null);
            }
            Long held = c == null ? null : c.highestXid() != null ? c.highestXid() : c.lastXid();
            if (held != null) {
                // a server put back from an older copy, even after it wrote more WAL than the set covers, hands out
                // xids the set already holds (32-bit, compared around the wrap); one that has since handed out more
                // is found by the capture (a transaction sent as held, with a newer xid)
                long next = Long.parseLong(Pg.string(conn, "SELECT pg_catalog.pg_snapshot_xmax(pg_catalog.pg_current_snapshot())"
                        + "::text"));
                if (!io.pgscribe.pg.Xids.isNewer(next, held)) {
                    throw new PgscribeException("the server's next transaction id (" + (next & 0xFFFFFFFFL) + ") is not after "
                            + held + ", the newest one this backup set holds: the server was restored from an older copy "
                            + "(or is another with the same system identifier); its new transactions would be taken for ones "
                            + "already backed up", "Start a new backup set for this server (pgscribe init into a new "
                            + "pgscribe.backup.dir); this one restores the old history up to its last segment.",
                            ExitCode.REFUSED, null);
                }
            }
            Lsn confirmed = s.get().confirmedFlushLsn();
            if (Files.exists(recorded) && confirmed != null && !s.get().active()) {
                Lsn before;
                try {
                    before = Lsn.valueOf(Files.readString(recorded).strip());
                } catch (java.io.IOException | RuntimeException e) {
                    before = null;
                }
                if (before != null && confirmed.isAfter(before)) {
                    String cause = "slot " + slot + " was moved from " + before + " to " + confirmed + " while no pg_recvlogical "
                            + "streamed it (pg_replication_slot_advance, or dropped and made again)";
                    CaptureState.Hole hole = new CaptureState.Hole(before.asString(), confirmed.asString(),
                            clock.instant().toString(), cause);
                    store.update(x -> x.withCapture(x.capture().withHole(hole)));
                    LOG.error("{}: every transaction committed after {} and before {} is missing from this backup set. The "
                            + "capture goes on from the slot; take a new base so that later points can be restored.", cause,
                            before, confirmed);
                }
            }
        }
        try {
            Files.deleteIfExists(recorded); // pg_recvlogical starts now: from here on it moves the slot
        } catch (java.io.IOException e) {
            LOG.debug("Could not delete {}: {}", recorded, e.toString());
        }
    }

    public synchronized Outcome check() throws SQLException {
        Manifest m = store.load();
        CaptureState c = m.capture();
        SpoolPosition at = c == null ? null : c.resumeAt();
        checkSlot(m);
        if (at == null || spool.holds(at)) {
            return Outcome.INTACT;
        }
        Lsn confirmed;
        try (Connection conn = Pg.connect(spec, "pgscribe-capture")) {
            Optional<SlotManager.SlotState> s = SlotManager.find(conn, slot);
            if (s.isEmpty()) {
                throw new PgscribeException("the spool lost " + at.file() + " (where the capture resumes), and the slot " + slot
                        + " is gone too", "Start a new backup set: pgscribe init into a new pgscribe.backup.dir.",
                        ExitCode.DAMAGED, null);
            }
            confirmed = s.get().confirmedFlushLsn();
        }
        Lsn covered = c.coveredLsn() == null ? null : Lsn.valueOf(c.coveredLsn());
        Lsn coveredEnd = c.coveredEndLsn() != null ? Lsn.valueOf(c.coveredEndLsn()) : covered;
        String lost = "spool file " + at.file() + " at offset " + at.offset() + ", where the capture resumes, is "
                + (spool.holds(new SpoolPosition(at.file(), 0)) ? "shorter than that" : "missing") + " in " + spool.path();
        if (!io.pgscribe.decode.DecoderPlugin.fromName(m.decoder()).carriesTransactionIdentity()) {
            // decoder_raw's stream carries no LSN: nothing can be skipped, so nothing can be read again
            throw new PgscribeException(lost + "; with " + m.decoder() + " the capture cannot tell what the slot sends "
                    + "again from what the segments hold", "Start a new backup set: pgscribe init into a new "
                    + "pgscribe.backup.dir (this one restores up to its last segment).", ExitCode.DAMAGED, null);
        }
        if (confirmed != null && coveredEnd != null && !confirmed.isAfter(coveredEnd)) {
            store.update(x -> x.withCapture(x.capture().resumingFromStart()));
            LOG.warn("{}; the slot {} still holds every change after {} (it confirmed {}), so the capture reads them "
                    + "from the server again: nothing is lost", lost, slot, covered, confirmed);
            return Outcome.RESUMED_FROM_SLOT;
        }
        CaptureState.Hole hole = new CaptureState.Hole(covered == null ? null : covered.asString(),
                confirmed == null ? null : confirmed.asString(), clock.instant().toString(), lost);
        store.update(x -> x.withCapture(x.capture().withHole(hole).resumingFromStart()));
        LOG.error("{}, and the slot {} had confirmed changes up to {}: every transaction committed after {} and before {} "
                + "is missing from this backup set. The capture goes on from the slot; take a new base so that later points "
                + "can be restored (restores to points before {} still work).", lost, slot, confirmed,
                covered == null ? "the first base" : covered, confirmed, covered == null ? "that" : covered);
        return Outcome.HOLE_RECORDED;
    }
}
