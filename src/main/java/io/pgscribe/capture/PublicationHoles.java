package io.pgscribe.capture;

import io.pgscribe.manifest.CaptureState;
import io.pgscribe.manifest.ManifestStore;
import io.pgscribe.pg.Lsn;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hole a change to a pgoutput set's own publication leaves. pgoutput decodes each change
 * with the publication as it was when the change was made, so what it no longer published
 * from that DDL on is in no segment, and reading the slot again does not bring it back. The
 * capture opens the hole when it reads the DDL, or {@link PublicationWatch} when it finds the
 * change first (no restore crosses it, the backup-hole alert fires); the next check, or start
 * of pg_recvlogical, that finds the publication as init made it closes it at the server's WAL
 * position then; a base after that is a whole chain again.
 */
public final class PublicationHoles {

    private static final Logger LOG = LoggerFactory.getLogger(PublicationHoles.class);
    static final String CAUSE_PREFIX = "the publication ";

    private PublicationHoles() {
    }

    static String cause(String publication, String how) {
        return CAUSE_PREFIX + publication + " was changed by " + how + ", and pgoutput leaves out what it no longer publishes";
    }

    /**
     * Opens the hole of a change to {@code publication} found at WAL position {@code atLsn}, after
     * {@code afterLsn} (null: after the first base), unless a hole of it already holds that
     * position: the same DDL read again after a restart, or the change the check found first.
     */
    static void open(ManifestStore store, String publication, String afterLsnOrNull, Lsn atLsn, String how, Instant now) {
        store.update(m -> {
            // nothing captured yet: the change came after the newest base before it, which restores as it is; and no
            // hole starts before the oldest base, which holds everything before its consistent point
            List<Lsn> bases = m.bases().stream().map(b -> Lsn.valueOf(b.consistentPoint())).toList();
            Lsn oldest = bases.stream().min(Lsn::compareTo).orElse(null);
            String afterLsn = afterLsnOrNull != null ? afterLsnOrNull : bases.stream().filter(l -> !l.isAfter(atLsn))
                    .max(Lsn::compareTo).map(Lsn::asString).orElse(null);
            if (afterLsn != null && oldest != null && Lsn.valueOf(afterLsn).isBefore(oldest) && !oldest.isAfter(atLsn)) {
                afterLsn = oldest.asString();
            }
            List<CaptureState.Hole> holes = m.capture().holes();
            for (int i = 0; i < holes.size(); i++) {
                CaptureState.Hole h = holes.get(i);
                if (isOf(h, publication) && (h.afterLsn() == null || Lsn.valueOf(h.afterLsn()).isBefore(atLsn))
                        && (h.beforeLsn() == null || Lsn.valueOf(h.beforeLsn()).isAfter(atLsn))) {
                    if (h.afterLsn() == null || (afterLsn != null && !Lsn.valueOf(afterLsn).isBefore(Lsn.valueOf(h.afterLsn())))) {
                        return m; // it holds the change already
                    }
                    // the change began before it: it starts earlier (the capture read the ALTER that set it back)
                    List<CaptureState.Hole> wider = new java.util.ArrayList<>(holes);
                    wider.set(i, new CaptureState.Hole(afterLsn, h.beforeLsn(), h.detectedAt(), h.cause()));
                    return m.withHoles(wider);
                }
            }
            return m.withCapture(m.capture().withHole(new CaptureState.Hole(afterLsn, null, now.toString(),
                    cause(publication, how))));
        });
    }

    /**
     * Closes the open publication holes of {@code publication} at {@code at}: a position the
     * publication check confirmed whole (found as init made it, with nothing in progress then
     * that could still change it), so every change after it is published.
     */
    public static void closeOpen(ManifestStore store, String publication, Lsn at) {
        if (store.load().capture().holes().stream().noneMatch(h -> isOpenOf(h, publication))) {
            return;
        }
        String end = at.asString();
        boolean[] closed = {false};
        store.update(m -> m.withHoles(m.capture().holes().stream()
                .map(h -> {
                    if (isOpenOf(h, publication) && (h.afterLsn() == null || !Lsn.valueOf(h.afterLsn()).isAfter(at))) {
                        closed[0] = true;
                        return new CaptureState.Hole(h.afterLsn(), end, h.detectedAt(), h.cause());
                    }
                    return h;
                })
                .toList()));
        if (!closed[0]) {
            return; // it began after the position confirmed: a later check ends it
        }
        LOG.error("The publication {} is as init made it again: the hole it left ends at {}. Take a new base now: points "
                + "after the hole can be restored from a base taken after {}.", publication, end, end);
    }

    private static boolean isOpenOf(CaptureState.Hole h, String publication) {
        return h.beforeLsn() == null && isOf(h, publication);
    }

    private static boolean isOf(CaptureState.Hole h, String publication) {
        return h.cause() != null && h.cause().startsWith(CAUSE_PREFIX + publication + " was changed by");
    }
}
