package io.pgscribe.restore;

import io.pgscribe.server.Pg;
import io.pgscribe.sql.SqlText;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;

/**
 * Runs SQL on the restore target with the rights of one role and no more: inside a SECURITY
 * DEFINER function that role owns. There the server refuses SET ROLE and SET SESSION
 * AUTHORIZATION, also to everything the SQL calls (triggers, defaults, functions in DDL), so
 * nothing can climb back to the restoring superuser. Objects the SQL creates are that role's.
 *
 * <p>The functions live in schema {@value #SCHEMA}, on which no role but the superuser has
 * USAGE: their owners cannot name them to change or replace them. The schema is dropped when
 * the restore ends. This is how PostgreSQL 16 applies logical replication as a table's owner
 * (run_as_owner = false), done with what SQL offers.
 */
final class RoleSandbox {

    static final String SCHEMA = "pgscribe_replay";

    private final Connection c;
    private final Connection admin;
    private final Map<String, String> functionByRole = new HashMap<>();
    private final Map<String, PreparedStatement> calls = new HashMap<>();

    /**
     * {@code c}: the connection statements run on; {@code admin}: another to the same database,
     * in autocommit, where the functions are made: they stay whatever the transactions on
     * {@code c} roll back.
     */
    RoleSandbox(Connection c, Connection admin) {
        this.c = c;
        this.admin = admin;
    }

    private static final String MARK = "pgscribe: the restore's role sandbox, dropped when the restore ends";

    /**
     * Creates the schema. One left by a restore that stopped (--continue on the same target) is
     * ours and is made again; a schema of that name that is not ours is refused, never dropped.
     */
    void install() throws SQLException {
        java.util.List<String> left = Pg.query(admin, "SELECT pg_catalog.obj_description(n.oid, 'pg_namespace') "
                + "FROM pg_catalog.pg_namespace n WHERE n.nspname = ?", rs -> rs.getString(1), SCHEMA);
        if (left.size() == 1 && MARK.equals(left.get(0))) {
            Pg.execute(admin, "DROP SCHEMA " + SqlText.identifier(SCHEMA) + " CASCADE");
        }
        Pg.execute(admin, "CREATE SCHEMA " + SqlText.identifier(SCHEMA) + "; REVOKE ALL ON SCHEMA " + SqlText.identifier(SCHEMA)
                + " FROM PUBLIC; COMMENT ON SCHEMA " + SqlText.identifier(SCHEMA) + " IS " + SqlText.literal(MARK));
    }

    /**
     * Runs {@code sql} (one or more statements) as {@code role} under {@code searchPath} (the
     * list form SET accepts). The caller sets its own session settings again afterwards: the
     * SQL may have changed any (SessionPins).
     */
    void run(String role, String searchPath, String sql) throws SQLException {
        PreparedStatement call = calls.get(role);
        if (call == null) {
            call = c.prepareStatement("SELECT " + function(role) + "(?, ?)");
            calls.put(role, call);
        }
        call.setString(1, searchPath);
        call.setString(2, sql);
        call.execute();
    }

    private String function(String role) throws SQLException {
        String f = functionByRole.get(role);
        if (f != null) {
            return f;
        }
        f = SqlText.qualified(SCHEMA, "as_" + (functionByRole.size() + 1));
        // the path is set for the call only: the function's own SET clause puts the caller's back on exit
        Pg.execute(admin, "CREATE FUNCTION " + f + "(path text, statements text) RETURNS void LANGUAGE plpgsql "
                + "SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $pgscribe$\n"
                + "BEGIN\n"
                + "    PERFORM pg_catalog.set_config('search_path', path, true);\n"
                + "    EXECUTE statements;\n"
                + "END\n"
                + "$pgscribe$; "
                + "REVOKE ALL ON FUNCTION " + f + "(text, text) FROM PUBLIC; "
                + "ALTER FUNCTION " + f + "(text, text) OWNER TO " + SqlText.identifier(role));
        functionByRole.put(role, f);
        return f;
    }

    /** Drops the schema and everything in it. */
    void uninstall() throws SQLException {
        for (PreparedStatement p : calls.values()) {
            p.close();
        }
        calls.clear();
        functionByRole.clear();
        Pg.execute(admin, "DROP SCHEMA IF EXISTS " + SqlText.identifier(SCHEMA) + " CASCADE");
    }
}
