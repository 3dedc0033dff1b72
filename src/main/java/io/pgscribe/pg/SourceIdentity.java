package io.pgscribe.pg;

import io.pgscribe.ExitCode;
import io.pgscribe.PgscribeException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * Which database of which server a connection reaches: the server's system identifier (set by
 * initdb, the same on every host name and address of the server) and the database name. A backup
 * set records the identity of its source at init; every writer compares before it writes, and a
 * restore knows the source database by it, never by a host name.
 */
public record SourceIdentity(String systemIdentifier, String database) {

    /** The identity of what {@code c} is connected to (any role may read both). */
    public static SourceIdentity read(Connection c) throws SQLException {
        List<SourceIdentity> r = Pg.query(c, "SELECT system_identifier::pg_catalog.text, pg_catalog.current_database() "
                + "FROM pg_catalog.pg_control_system()", rs -> new SourceIdentity(rs.getString(1), rs.getString(2)));
        return r.get(0);
    }

    /**
     * Connects and refuses (exit 4) when {@code spec} reaches anything but {@code recorded}: what
     * every writer of a backup set calls before it writes.
     */
    public static void verify(io.pgscribe.pg.ConnectionSpec spec, SourceIdentity recorded, String where)
            throws SQLException {
        try (Connection c = Pg.connect(spec, "pgscribe-identity")) {
            read(c).requireRecorded(recorded, where, spec.host() + ":" + spec.port());
        }
    }

    /** Whether this is the same server (the database aside). */
    public boolean sameServer(SourceIdentity other) {
        return systemIdentifier.equals(other.systemIdentifier);
    }

    /**
     * Refuses (exit 4) to write the backup set in {@code where}, recorded as {@code recorded}, from
     * this identity: another server, or another database of the same server.
     */
    public void requireRecorded(SourceIdentity recorded, String where, String server) {
        if (equals(recorded)) {
            return;
        }
        String what = sameServer(recorded) ? "another database of the same server" : "another server";
        throw new PgscribeException("the backup set in " + where + " is of database " + recorded.database()
                + " on the server with system identifier " + recorded.systemIdentifier() + ", but pgscribe.source.* reaches "
                + "database " + database + " on " + server + ", system identifier " + systemIdentifier + " (" + what
                + "): writing it there would mix two sources in one backup set",
                "Point pgscribe.source.* at the server and database the set was made of, or pgscribe.backup.dir at an "
                        + "empty directory for a new backup set of this one (pgscribe init).", ExitCode.REFUSED, null);
    }
}
