package io.pgscribe.capture;

import io.pgscribe.pg.Pg;
import java.sql.SQLException;

/**
 * A logical message outside any transaction, on a schedule: it gives the decoder something
 * of this database to send even when the database is idle while others write WAL, so the
 * slot's confirmed position (and the capture's covered LSN) keep moving. Where the decoder
 * sends no such message (pgoutput before PostgreSQL 14), the message is a transaction of its
 * own instead: that decoder sends every transaction, and an empty one writes nothing.
 */
public final class Heartbeat {

    private final SourceSession session;
    private final boolean transactional;

    public Heartbeat(SourceSession session, boolean transactional) {
        this.session = session;
        this.transactional = transactional;
    }

    public void beat() throws SQLException {
        session.run(c -> Pg.string(c, "SELECT pg_logical_emit_message(" + transactional + ", 'pgscribe.heartbeat', '')::text"));
    }
}
