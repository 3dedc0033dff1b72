package io.pgscribe.restore;

import io.pgscribe.pg.Pg;
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
 * <p>The functions live in a schema of their own, on which no role but the superuser has USAGE:
 * their owners cannot name them to change or replace them. Its name is new for every restore
 * ({@value #PREFIX} and random digits), so that no role of the source can have made one of that
 * name beforehand; it is dropped when the restore ends, only with what the restore put in it.
 * Deferred constraint triggers that the SQL queued fire before the function returns, still
 * with the role's rights; whatever a trigger defers again fires at COMMIT as {@link #nobody()}.
 * This is how PostgreSQL 16 applies logical replication as a table's owner (run_as_owner =
 * false), done with what SQL offers.
 */
final class RoleSandbox {

    static final String PREFIX = "pgscribe_replay_";

    private final Connection c;
    private final Connection admin;
    private final String schema = PREFIX + Long.toHexString(new java.security.SecureRandom().nextLong() & Long.MAX_VALUE);
    private final Map<String, String> functionByRole = new HashMap<>();
    private final Map<String, PreparedStatement> calls = new HashMap<>();
    private String nobody;

    /**
     * {@code c}: the connection statements run on; {@code admin}: another to the same database,
     * in autocommit, where the functions are made: they stay whatever the transactions on
     * {@code c} roll back.
     */
    RoleSandbox(Connection c, Connection admin) {
        this.c = c;
        this.admin = admin;
    }

    private static final String REPLICA = "SET session_replication_role = replica";

    private static final String MARK = "pgscribe: the restore's role sandbox, dropped when the restore ends";

    /** Creates the schema: a new one, never one found there. */
    void install() throws SQLException {
        // the restored database's own event triggers must not fire at the restore's own DDL
        Pg.execute(admin, REPLICA);
        Pg.execute(admin, "CREATE SCHEMA " + SqlText.identifier(schema) + "; REVOKE ALL ON SCHEMA " + SqlText.identifier(schema)
                + " FROM PUBLIC; COMMENT ON SCHEMA " + SqlText.identifier(schema) + " IS " + SqlText.literal(MARK));
    }

    /**
     * A role with no rights, made for this restore: the restore's own transactions commit as it,
     * so that a deferred trigger event a role's SQL queued and deferred again runs with no rights
     * rather than the restoring superuser's.
     */
    String nobody() throws SQLException {
        if (nobody == null) {
            String name = schema.replace(PREFIX, "pgscribe_nobody_");
            Pg.execute(admin, "CREATE ROLE " + SqlText.identifier(name) + " NOLOGIN NOINHERIT");
            nobody = name;
        }
        return nobody;
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

    static final String REFUSED_MARK = "pgscribe refuses";

    private String guard;

    /**
     * An event trigger, made disabled through {@code via}, that refuses any DDL run by a role
     * that is no superuser while it is enabled ({@link #guardOn()}): a role's code that runs
     * where the restore runs a superuser's statements must not plant or change code for later.
     * {@code during}: what the message says was running; {@code hint}: what to do.
     */
    void installGuard(Connection via, String during, String hint) throws SQLException {
        String f = SqlText.qualified(schema, "refuse_ddl");
        Pg.execute(via, "CREATE FUNCTION " + f + "() RETURNS event_trigger LANGUAGE plpgsql "
                + "SET search_path = pg_catalog, pg_temp AS $pgscribe$\n"
                + "BEGIN\n"
                + "    IF NOT (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user) THEN\n"
                + "        RAISE EXCEPTION '" + REFUSED_MARK + ": % ran % " + during.replace("'", "''") + "', current_user, tg_tag\n"
                + "            USING HINT = " + SqlText.literal(hint) + ";\n"
                + "    END IF;\n"
                + "END\n"
                + "$pgscribe$");
        guard = schema + "_guard";
        Pg.execute(via, "CREATE EVENT TRIGGER " + SqlText.identifier(guard) + " ON ddl_command_start EXECUTE FUNCTION "
                + f + "(); ALTER EVENT TRIGGER " + SqlText.identifier(guard) + " DISABLE");
    }

    /** The guard made through the sandbox's own connection, once. */
    void installGuard(String during, String hint) throws SQLException {
        if (guard == null) {
            installGuard(admin, during, hint);
        }
    }

    /** The statement that enables the guard (in the caller's transaction). */
    String guardOn() {
        return "ALTER EVENT TRIGGER " + SqlText.identifier(guard) + " ENABLE ALWAYS";
    }

    /** The statement that disables it again. */
    String guardOff() {
        return "ALTER EVENT TRIGGER " + SqlText.identifier(guard) + " DISABLE";
    }

    /** Drops the guard, if made, through {@code via}. */
    void uninstallGuard(Connection via) throws SQLException {
        if (guard != null) {
            Pg.execute(via, "DROP EVENT TRIGGER IF EXISTS " + SqlText.identifier(guard) + "; DROP FUNCTION IF EXISTS "
                    + SqlText.qualified(schema, "refuse_ddl") + "()");
            guard = null;
        }
    }

    /** The sandbox's schema (a name of {@value #PREFIX} and random digits). */
    String schema() {
        return schema;
    }

    /** The qualified name of {@code role}'s function {@code (path text, statements text)}, made when first asked. */
    String functionFor(String role) throws SQLException {
        return function(role);
    }

    private String function(String role) throws SQLException {
        String f = functionByRole.get(role);
        if (f != null) {
            return f;
        }
        f = SqlText.qualified(schema, "as_" + (functionByRole.size() + 1));
        // the path is set for the call only: the function's own SET clause puts the caller's back on exit
        Pg.execute(admin, "CREATE FUNCTION " + f + "(path text, statements text) RETURNS void LANGUAGE plpgsql "
                + "SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $pgscribe$\n"
                + "BEGIN\n"
                + "    PERFORM pg_catalog.set_config('search_path', path, true);\n"
                + "    EXECUTE statements;\n"
                // what the statements deferred fires here, with this role's rights
                + "    SET CONSTRAINTS ALL IMMEDIATE;\n"
                + "END\n"
                + "$pgscribe$; "
                + "REVOKE ALL ON FUNCTION " + f + "(text, text) FROM PUBLIC; "
                + "ALTER FUNCTION " + f + "(text, text) OWNER TO " + SqlText.identifier(role));
        functionByRole.put(role, f);
        return f;
    }

    /**
     * Drops the functions, then the schema (RESTRICT: only what the restore made goes), and the
     * role with no rights.
     */
    void uninstall() throws SQLException {
        uninstall(admin);
    }

    /** The same through {@code via}, e.g. a new connection after the restore's own failed. */
    void uninstall(Connection via) throws SQLException {
        for (PreparedStatement p : calls.values()) {
            try {
                p.close();
            } catch (SQLException e) {
                // its connection is gone
            }
        }
        calls.clear();
        SQLException failed = null;
        try {
            Pg.execute(via, REPLICA);
        } catch (SQLException e) {
            failed = e;
        }
        try {
            uninstallGuard(via);
            for (String f : functionByRole.values()) {
                Pg.execute(via, "DROP FUNCTION IF EXISTS " + f + "(text, text)");
            }
            Pg.execute(via, "DROP SCHEMA IF EXISTS " + SqlText.identifier(schema));
        } catch (SQLException e) {
            failed = e;
        }
        functionByRole.clear();
        if (nobody != null) {
            try {
                Pg.execute(via, "DROP ROLE IF EXISTS " + SqlText.identifier(nobody));
                nobody = null;
            } catch (SQLException e) {
                failed = failed == null ? e : failed;
            }
        }
        if (failed != null) {
            throw failed;
        }
    }
}
