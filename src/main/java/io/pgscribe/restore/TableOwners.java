package io.pgscribe.restore;

import io.pgscribe.server.Pg;
import io.pgscribe.sql.SqlText;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;

/**
 * Who owns each table on the restore target, as the applier reaches it: row changes run with
 * their table owner's rights. Forgotten after every DDL (it may create tables or change owners).
 */
final class TableOwners {

    /**
     * A table's owner; {@code superuser}: changes to it may run in the restore's own session.
     * {@code unsafeTrigger}: a trigger of a superuser's table that fires during a restore and runs
     * a function of another role with the caller's rights (a role given TRIGGER on the table made
     * it): changes to that table are refused.
     */
    record Owner(String role, boolean superuser, String unsafeTrigger) {
        // no such table, asked after every batch before it ran: its statement fails, running nothing
        static final Owner NONE = new Owner(null, true, null);
    }

    private final Connection c;
    private final Map<RestoreScope.Name, Owner> cache = new HashMap<>();
    private PreparedStatement query;

    TableOwners(Connection c) {
        this.c = c;
    }

    Owner of(RestoreScope.Name table) throws SQLException {
        Owner o = cache.get(table);
        if (o == null) {
            if (query == null) {
                query = c.prepareStatement("SELECT r.rolname, r.rolsuper, (SELECT pg_catalog.format('%I (function %s of role %I)', "
                        + "t.tgname, t.tgfoid::pg_catalog.regprocedure, fr.rolname) FROM pg_catalog.pg_trigger t "
                        + "JOIN pg_catalog.pg_proc f ON f.oid = t.tgfoid JOIN pg_catalog.pg_roles fr ON fr.oid = f.proowner "
                        + "WHERE t.tgrelid = c.oid AND t.tgenabled IN ('A', 'R') AND NOT t.tgisinternal AND NOT f.prosecdef "
                        + "AND NOT fr.rolsuper ORDER BY t.tgname LIMIT 1) FROM pg_catalog.pg_class c "
                        + "JOIN pg_catalog.pg_roles r ON r.oid = c.relowner WHERE c.oid = pg_catalog.to_regclass(?)");
            }
            query.setString(1, SqlText.qualified(table.schema(), table.name()));
            try (ResultSet rs = query.executeQuery()) {
                o = rs.next() ? new Owner(rs.getString(1), rs.getBoolean(2), rs.getBoolean(2) ? rs.getString(3) : null)
                        : Owner.NONE;
            }
            cache.put(table, o);
        }
        return o;
    }

    /** Whether any of the tables has a TRUNCATE trigger that fires during a restore (ENABLE ALWAYS or REPLICA). */
    boolean fireOnTruncate(java.util.List<RestoreScope.Name> tables) throws SQLException {
        for (RestoreScope.Name t : tables) {
            String n = Pg.string(c, "SELECT (count(*) > 0)::text FROM pg_catalog.pg_trigger WHERE tgrelid = "
                    + "pg_catalog.to_regclass(?) AND tgenabled IN ('A', 'R') AND (tgtype::integer & 32) <> 0",
                    SqlText.qualified(t.schema(), t.name()));
            if (Boolean.parseBoolean(n)) {
                return true;
            }
        }
        return false;
    }

    void forget() {
        cache.clear();
    }

    void close() throws SQLException {
        if (query != null) {
            query.close();
        }
    }
}
