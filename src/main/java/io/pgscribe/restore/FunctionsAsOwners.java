package io.pgscribe.restore;

import io.pgscribe.server.Pg;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * For a step of the restore that evaluates what roles wrote with the superuser's rights (a
 * base's rows, its post-data, the final refresh of materialized views): every function of a
 * role that is no superuser is made SECURITY DEFINER meanwhile, so it runs with its owner's
 * rights (and the server refuses SET ROLE inside it), then made as it was.
 */
final class FunctionsAsOwners {

    private FunctionsAsOwners() {
    }

    /** Makes them SECURITY DEFINER; returns them, for {@link #restore}. */
    static List<String> apply(Connection c) throws SQLException {
        List<String> flipped = Pg.query(c, "SELECT p.oid::pg_catalog.regprocedure::pg_catalog.text FROM pg_catalog.pg_proc p "
                + "JOIN pg_catalog.pg_roles r ON r.oid = p.proowner WHERE NOT r.rolsuper AND NOT p.prosecdef "
                + "AND p.prokind IN ('f', 'p') ORDER BY 1", rs -> rs.getString(1));
        for (String f : flipped) {
            Pg.execute(c, "ALTER ROUTINE " + f + " SECURITY DEFINER"); // procedures too
        }
        return flipped;
    }

    static void restore(Connection c, List<String> flipped) throws SQLException {
        for (String f : flipped) {
            Pg.execute(c, "ALTER ROUTINE " + f + " SECURITY INVOKER");
        }
    }
}
