package io.pgscribe.capture;

import io.pgscribe.pg.Pg;
import java.sql.SQLException;

/**
 * A logical message outside any transaction, on a schedule: it gives the decoder something
 * of this database to send even when the database is idle while others write WAL, so the
 * slot's confirmed position (and the capture's covered LSN) keep moving.
 */
public final class Heartbeat {

    private final SourceSession session;

    public Heartbeat(SourceSession session) {
        this.session = session;
    }

    public void beat() throws SQLException {
        session.run(c -> Pg.string(c, "SELECT pg_logical_emit_message(false, 'pgscribe.heartbeat', '')::text"));
    }
}
