package io.pgscribe.capture;

import io.pgscribe.pg.ConnectionSpec;
import io.pgscribe.pg.Pg;
import io.pgscribe.pg.SourceIdentity;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * One connection to the source database for the small writes the capture makes there
 * (heartbeats, sequence samples), opened when first needed and again after a failure.
 */
public final class SourceSession implements AutoCloseable {

    /** Work done on the connection. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private final ConnectionSpec spec;
    private final SourceIdentity recorded;
    private final String where;
    private final String applicationName;
    private Connection connection;

    /** {@code recorded}: the backup set's source; a connection that reaches anything else is refused. */
    public SourceSession(ConnectionSpec spec, SourceIdentity recorded, String where) {
        this(spec, recorded, where, null);
    }

    /** {@code slot}: named in the session's application_name, so that uninstall sees a runtime of that slot. */
    public SourceSession(ConnectionSpec spec, SourceIdentity recorded, String where, String slot) {
        this.spec = spec;
        this.recorded = recorded;
        this.where = where;
        this.applicationName = slot == null ? "pgscribe-capture" : "pgscribe-capture-" + slot;
    }

    public synchronized <T> T run(Work<T> work) throws SQLException {
        if (connection == null || connection.isClosed()) {
            Connection c = Pg.connect(spec, applicationName);
            try {
                // a role's lock (an ALTER SEQUENCE left open) must not hold the sampler, the heartbeat and a stop behind it:
                // the work fails, saying so, and its route alerts
                Pg.execute(c, "SET lock_timeout = '5s'; SET statement_timeout = '60s'");
                SourceIdentity.read(c).requireRecorded(recorded, where, spec.host() + ":" + spec.port());
            } catch (SQLException | RuntimeException e) {
                c.close();
                throw e;
            }
            connection = c;
        }
        try {
            return work.run(connection);
        } catch (SQLException | RuntimeException e) {
            close(); // the next call reconnects
            throw e;
        }
    }

    @Override
    public synchronized void close() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                // closing after a failure
            }
            connection = null;
        }
    }
}
