package io.pgscribe.restore;

import io.pgscribe.pg.Pg;
import io.pgscribe.sql.SqlText;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Who owns each table on the restore target, as the applier reaches it: row changes run with
 * their table owner's rights. Forgotten after every DDL (it may create tables or change owners),
 * and the superusers' tables after a batch that ran a role's code.
 */
final class TableOwners {

    /**
     * A table's owner; {@code superuser}: changes to it may run in the restore's own session.
     * {@code foreignCode}: of a superuser's table, another role's function its rows would run
     * with the caller's rights ({@link ForeignCode}): changes to that table are refused.
     */
    record Owner(String role, boolean superuser, String foreignCode, boolean runsCode) {
        // no such table, asked after every batch before it ran: its statement fails, running nothing
        static final Owner NONE = new Owner(null, true, null, false);
    }

    private final Connection c;
    private final Map<RestoreScope.Name, Owner> cache = new HashMap<>();
    private PreparedStatement query;
    private PreparedStatement foreign;

    TableOwners(Connection c) {
        this.c = c;
    }

    Owner of(RestoreScope.Name table) throws SQLException {
        Owner o = cache.get(table);
        if (o == null) {
            if (query == null) {
                query = c.prepareStatement("SELECT r.rolname, r.rolsuper FROM pg_catalog.pg_class c "
                        + "JOIN pg_catalog.pg_roles r ON r.oid = c.relowner WHERE c.oid = pg_catalog.to_regclass(?)");
            }
            String name = SqlText.qualified(table.schema(), table.name());
            query.setString(1, name);
            String role = null;
            boolean superuser = true;
            boolean found;
            try (ResultSet rs = query.executeQuery()) {
                found = rs.next();
                if (found) {
                    role = rs.getString(1);
                    superuser = rs.getBoolean(2);
                }
            }
            if (!found) {
                o = Owner.NONE;
            } else if (superuser) {
                if (foreign == null) {
                    foreign = c.prepareStatement(ForeignCode.query("pg_catalog.to_regclass(?)::pg_catalog.oid", c));
                }
                foreign.setString(1, name);
                try (ResultSet rs = foreign.executeQuery()) {
                    rs.next();
                    o = new Owner(role, true, rs.getString(1), rs.getBoolean(2));
                }
            } else {
                o = new Owner(role, false, null, false);
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

    private final Map<RestoreScope.Name, Boolean> rules = new HashMap<>();

    /**
     * Whether an UPDATE or DELETE of the table fires a rule during a restore (ENABLE ALWAYS or
     * REPLICA): such a statement cannot run inside a WITH (RowCheck), so it runs as written.
     */
    boolean firesRules(RestoreScope.Name table) throws SQLException {
        Boolean r = rules.get(table);
        if (r == null) {
            r = Boolean.parseBoolean(Pg.string(c, "SELECT (count(*) > 0)::text FROM pg_catalog.pg_rewrite WHERE ev_class = "
                    + "pg_catalog.to_regclass(?) AND ev_enabled IN ('A', 'R') AND ev_type IN ('3', '4')",
                    SqlText.qualified(table.schema(), table.name())));
            rules.put(table, r);
        }
        return r;
    }

    void forget() {
        cache.clear();
        rules.clear();
        roleFunctions = null;
    }

    private List<Long> roleFunctions;
    private boolean anyRoleFunction;

    /**
     * The functions of roles that are no superuser and not SECURITY DEFINER: made SECURITY
     * DEFINER while a change to a superuser's table runs code (a superuser's function may call
     * one, and no catalog records that call). Empty when no role has a function at all.
     */
    List<Long> roleFunctions() throws SQLException {
        if (roleFunctions == null) {
            List<Long> invokers = new java.util.ArrayList<>();
            boolean[] any = {false};
            Pg.query(c, "SELECT p.oid, p.prosecdef FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_roles r ON r.oid = p.proowner "
                    + "WHERE NOT r.rolsuper AND p.prokind IN ('f', 'p') ORDER BY 1", rs -> {
                        any[0] = true;
                        if (!rs.getBoolean(2)) {
                            invokers.add(rs.getLong(1));
                        }
                        return null;
                    });
            roleFunctions = invokers;
            anyRoleFunction = any[0];
        }
        return roleFunctions;
    }

    /** Whether any role that is no superuser has a function (asked with {@link #roleFunctions()}). */
    boolean anyRoleFunction() throws SQLException {
        roleFunctions();
        return anyRoleFunction;
    }

    /**
     * Forgets the tables a superuser owns and the names of no table: what a role's code may have
     * changed (it may drop a superuser's table in a schema it owns and make its own of that name,
     * or make a table of a name asked before). What it owns stays its own.
     */
    void forgetSuperusers() {
        cache.values().removeIf(Owner::superuser);
        roleFunctions = null; // and it may have made functions
    }

    void close() throws SQLException {
        if (query != null) {
            query.close();
        }
        if (foreign != null) {
            foreign.close();
        }
    }
}
