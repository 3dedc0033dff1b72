package io.pgscribe.init;

import io.pgscribe.server.Pg;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * The schema {@code pgscribe} with the DDL log table and the event triggers that fill it.
 * Installing is idempotent; it runs with session_replication_role = replica so the
 * event triggers do not log pgscribe's own objects.
 */
public final class CaptureObjects {

    private CaptureObjects() {
    }

    public static String script() {
        try (InputStream in = CaptureObjects.class.getResourceAsStream("capture-objects.sql")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void install(Connection c) throws SQLException {
        install(c, true);
    }

    /** {@code fullForNewTables}: whether the event trigger gives new tables without a key REPLICA IDENTITY FULL. */
    public static void install(Connection c, boolean fullForNewTables) throws SQLException {
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try {
            Pg.execute(c, "SET LOCAL session_replication_role = replica");
            Pg.execute(c, "SET LOCAL client_min_messages = warning");
            Pg.execute(c, script());
            Pg.execute(c, "UPDATE pgscribe.settings SET value = '" + (fullForNewTables ? "on" : "off")
                    + "' WHERE name = 'new_tables_replica_identity_full'");
            c.commit();
        } catch (SQLException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(auto);
        }
    }

    public static boolean installed(Connection c) throws SQLException {
        return Boolean.parseBoolean(Pg.string(c,
                "SELECT (count(*) > 0)::text FROM pg_event_trigger WHERE evtname LIKE 'pgscribe\\_%'"));
    }

    /** Removes the event triggers only: a restored copy must not log anything (the schema goes at the end). */
    public static void dropEventTriggers(Connection c) throws SQLException {
        Pg.execute(c, "DROP EVENT TRIGGER IF EXISTS pgscribe_ddl_command_end; DROP EVENT TRIGGER IF EXISTS pgscribe_sql_drop; "
                + "DROP EVENT TRIGGER IF EXISTS pgscribe_ddl_command_start");
    }

    /** Removes the event triggers and the schema (the DDL log with it). */
    public static void uninstall(Connection c) throws SQLException {
        Pg.execute(c, "DROP EVENT TRIGGER IF EXISTS pgscribe_ddl_command_end; DROP EVENT TRIGGER IF EXISTS pgscribe_sql_drop; "
                + "DROP EVENT TRIGGER IF EXISTS pgscribe_ddl_command_start; DROP SCHEMA IF EXISTS pgscribe CASCADE");
    }
}
