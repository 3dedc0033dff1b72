package io.pgscribe.capture;

import io.pgscribe.PgscribeException;
import io.pgscribe.manifest.ManifestStore;
import io.pgscribe.pg.Pg;
import io.pgscribe.pg.Publication;
import java.sql.SQLException;
import java.time.Clock;

/**
 * Checks on a schedule that a pgoutput set's publication is as init made it. The capture sees
 * a change to it in the stream only while its DDL record (an INSERT) is still published; a
 * publication narrowed to leave out inserts is found here instead. Found changed: a hole is
 * opened after the WAL position of the last check that found it whole, and the check fails
 * (the route's failure alert). Found whole again: the open hole ends at the position now.
 */
public final class PublicationWatch {

    private final SourceSession session;
    private final ManifestStore store;
    private final String publication; // null: the set's decoder reads none
    private final Clock clock;
    private String lastWhole; // the WAL position read just before the last check that found it as made

    public PublicationWatch(SourceSession session, ManifestStore store, String publication, Clock clock) {
        this.session = session;
        this.store = store;
        this.publication = publication;
        this.clock = clock;
    }

    public void check() throws SQLException {
        if (publication == null) {
            return;
        }
        session.run(c -> {
            String before = Pg.string(c, "SELECT pg_catalog.pg_current_wal_lsn()::text");
            try {
                Publication.requireAsMade(c, publication);
            } catch (PgscribeException e) {
                // before any check of this runtime found it whole: after the last transaction the capture wrote
                String after = lastWhole != null ? lastWhole : store.load().capture().lastCommitLsn();
                PublicationHoles.open(store, publication, after, io.pgscribe.pg.Lsn.valueOf(before),
                        "hand (found by the publication check: " + e.getMessage() + ")", clock.instant());
                throw e;
            }
            PublicationHoles.closeOpen(c, store, publication);
            lastWhole = before;
            return null;
        });
    }
}
