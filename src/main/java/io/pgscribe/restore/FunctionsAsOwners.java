package io.pgscribe.restore;

import io.pgscribe.pg.Pg;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * For a step of the restore that evaluates what roles wrote with the superuser's rights (a
 * base's rows, its post-data, the final refresh of materialized views): every function of a
 * role that is no superuser is made SECURITY DEFINER meanwhile, so it runs with its owner's
 * rights (and the server refuses SET ROLE inside it), then made as it was. Procedures too.
 * In the catalog, in the caller's transaction: one statement for all of them.
 */
final class FunctionsAsOwners {

    private FunctionsAsOwners() {
    }

    /** Makes them SECURITY DEFINER; returns them (their oids), for {@link #restore}. */
    static List<Long> apply(Connection c) throws SQLException {
        List<Long> flipped = Pg.query(c, "SELECT p.oid FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_roles r "
                + "ON r.oid = p.proowner WHERE NOT r.rolsuper AND NOT p.prosecdef AND p.prokind IN ('f', 'p') ORDER BY 1",
                rs -> rs.getLong(1));
        if (!flipped.isEmpty()) {
            Pg.execute(c, set(flipped, true));
        }
        return flipped;
    }

    static void restore(Connection c, List<Long> flipped) throws SQLException {
        if (!flipped.isEmpty()) {
            Pg.execute(c, set(flipped, false));
        }
    }

    /** The statement that makes the functions {@code oids} SECURITY DEFINER ({@code definer}), or INVOKER again. */
    static String set(List<Long> oids, boolean definer) {
        StringBuilder sb = new StringBuilder("UPDATE pg_catalog.pg_proc SET prosecdef = ").append(definer)
                .append(" WHERE oid OPERATOR(pg_catalog.=) ANY ('{");
        for (int i = 0; i < oids.size(); i++) {
            sb.append(i == 0 ? "" : ",").append(oids.get(i));
        }
        return sb.append("}'::pg_catalog.oid[])").toString();
    }
}
