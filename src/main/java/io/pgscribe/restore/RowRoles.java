package io.pgscribe.restore;

import io.pgscribe.ExitCode;
import io.pgscribe.PgscribeException;
import io.pgscribe.pg.Pg;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Whom a row change of the stream runs as, from the owners of the tables it names
 * ({@link TableOwners}): the table owner's own rights, never more; and whether changing a
 * superuser's table may run code at all.
 */
final class RowRoles {

    private final Connection c;
    private final TableOwners owners;
    private Set<String> extensionSchemas;

    RowRoles(Connection c, TableOwners owners) {
        this.c = c;
        this.owners = owners;
    }

    /** After DDL: an extension may have come or gone. */
    void forget() {
        extensionSchemas = null;
    }

    /** Whether changing the rows of a superuser's table the statement names may run code ({@link TableOwners.Owner}). */
    boolean runsCode(RenderedStatement.Recognised r) throws SQLException {
        if (r.kind() == RenderedStatement.Kind.SETVAL) {
            return false;
        }
        for (RestoreScope.Name t : r.tables()) {
            if (owners.of(t).runsCode()) {
                return true;
            }
        }
        return false;
    }

    /** The first schema of an operator the statement names where no extension lives; null when there is none. */
    String foreignOperatorSchema(RenderedStatement.Recognised r) throws SQLException {
        for (String schema : r.operatorSchemas()) {
            if (!extensionSchemas().contains(schema)) {
                return schema;
            }
        }
        return null;
    }

    /**
     * Whom a row change runs as: null for the restore's own session (a superuser owns the table).
     * Refused where it would run a role's code with a superuser's rights.
     */
    String role(RenderedStatement.Recognised r, String segment) throws SQLException {
        if (r.kind() == RenderedStatement.Kind.SETVAL) {
            return null;
        }
        Set<String> roles = new HashSet<>();
        boolean superuser = true;
        for (RestoreScope.Name t : r.tables()) {
            TableOwners.Owner o = owners.of(t);
            if (o.foreignCode() != null) {
                throw new PgscribeException("applying " + segment + ": table " + t + " belongs to a superuser, and "
                        + "changing its rows runs " + o.foreignCode() + " (through a CHECK, a domain, a generated column, an "
                        + "index, or a trigger or rule that fires during a restore): it would run with the restoring superuser's "
                        + "rights", "Restore to a point before it; or, on the source, give the table to a role that is no "
                        + "superuser (ALTER TABLE ... OWNER TO), or make that function SECURITY DEFINER.", ExitCode.REFUSED, null);
            }
            if (!o.superuser()) {
                superuser = false;
                roles.add(o.role());
            }
        }
        if (superuser) {
            return null;
        }
        if (roles.size() == 1 && (r.kind() != RenderedStatement.Kind.TRUNCATE || allOwnedBy(r.tables(), roles))) {
            return roles.iterator().next();
        }
        // one TRUNCATE of tables of several owners (they go together, as their foreign keys need): only the
        // restore's own session can, and only when no trigger of theirs would run in it
        if (owners.fireOnTruncate(r.tables())) {
            throw new PgscribeException("applying " + segment + ": one TRUNCATE of tables of several owners ("
                    + String.join(", ", new java.util.TreeSet<>(roles)) + "), one of which has a TRUNCATE trigger that "
                    + "fires during a restore (ENABLE ALWAYS or REPLICA): it would run with the restoring superuser's rights",
                    "Restore to a point before it, or disable that trigger in a copy of the base.", ExitCode.REFUSED, null);
        }
        return null;
    }

    private boolean allOwnedBy(List<RestoreScope.Name> tables, Set<String> roles) throws SQLException {
        for (RestoreScope.Name t : tables) {
            if (!roles.contains(owners.of(t).role())) {
                return false;
            }
        }
        return true;
    }

    private Set<String> extensionSchemas() throws SQLException {
        if (extensionSchemas == null) {
            extensionSchemas = new HashSet<>(Pg.query(c, "SELECT n.nspname FROM pg_catalog.pg_extension e "
                    + "JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace", rs -> rs.getString(1)));
        }
        return extensionSchemas;
    }
}
