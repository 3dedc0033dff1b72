package io.pgscribe.init;

import io.pgscribe.pg.Pg;
import io.pgscribe.pg.ReplicaIdentityAudit;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

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

    /**
     * Objects outside schema pgscribe that use one of its objects (its types are usable by every
     * role: a column of type pgscribe.settings, a view over pgscribe.ddl_log). Dropping the schema
     * with CASCADE would drop them, or their columns and data, with it.
     */
    public static java.util.List<String> outsideDependents(Connection c) throws SQLException {
        return Pg.query(c, "WITH ns AS (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = 'pgscribe'), "
                + "mine(cls, oid) AS (SELECT 'pg_catalog.pg_class'::pg_catalog.regclass::pg_catalog.oid, x.oid "
                + "FROM pg_catalog.pg_class x, ns WHERE x.relnamespace = ns.oid "
                + "UNION ALL SELECT 'pg_catalog.pg_type'::pg_catalog.regclass::pg_catalog.oid, x.oid FROM pg_catalog.pg_type x, ns "
                + "WHERE x.typnamespace = ns.oid "
                + "UNION ALL SELECT 'pg_catalog.pg_proc'::pg_catalog.regclass::pg_catalog.oid, x.oid FROM pg_catalog.pg_proc x, ns "
                + "WHERE x.pronamespace = ns.oid) "
                + "SELECT DISTINCT pg_catalog.pg_describe_object(d.classid, d.objid, d.objsubid) FROM pg_catalog.pg_depend d "
                + "JOIN mine m ON d.refclassid = m.cls AND d.refobjid = m.oid WHERE d.deptype IN ('n', 'a') "
                // a column default has no schema of its own: its table's; pgscribe's own event triggers go with it
                + "AND CASE d.classid WHEN 'pg_catalog.pg_attrdef'::pg_catalog.regclass THEN (SELECT n.nspname "
                + "FROM pg_catalog.pg_attrdef ad JOIN pg_catalog.pg_class r ON r.oid = ad.adrelid "
                + "JOIN pg_catalog.pg_namespace n ON n.oid = r.relnamespace WHERE ad.oid = d.objid) IS DISTINCT FROM 'pgscribe' "
                + "WHEN 'pg_catalog.pg_event_trigger'::pg_catalog.regclass THEN (SELECT e.evtname FROM pg_catalog.pg_event_trigger e "
                + "WHERE e.oid = d.objid) NOT IN ('pgscribe_ddl_command_end', 'pgscribe_ddl_command_start', 'pgscribe_sql_drop') "
                + "ELSE (pg_catalog.pg_identify_object(d.classid, d.objid, d.objsubid)).schema IS DISTINCT FROM 'pgscribe' END "
                + "ORDER BY 1", rs -> rs.getString(1));
    }

    /** Notes the tables init gave REPLICA IDENTITY FULL, for {@link #identityFull} at uninstall. */
    public static void recordIdentityFull(Connection c, List<ReplicaIdentityAudit.Gap> gaps) throws SQLException {
        for (ReplicaIdentityAudit.Gap g : gaps) {
            Pg.query(c, "INSERT INTO pgscribe.identity_full (relid) SELECT pg_catalog.to_regclass(?)::oid "
                    + "WHERE pg_catalog.to_regclass(?) IS NOT NULL ON CONFLICT (relid) DO NOTHING RETURNING 1", rs -> 1,
                    g.qualified(), g.qualified());
        }
    }

    /** A table pgscribe gave REPLICA IDENTITY FULL, still FULL; {@code publishedBy}: another publication replicating its changes. */
    public record IdentityFull(String schema, String table, String publishedBy) {
    }

    /** The tables pgscribe gave REPLICA IDENTITY FULL that still have it (none recorded before capture objects version 4). */
    public static List<IdentityFull> identityFull(Connection c, String ownPublication) throws SQLException {
        if (Pg.string(c, "SELECT pg_catalog.to_regclass('pgscribe.identity_full')::text") == null) {
            return List.of();
        }
        return Pg.query(c, """
                SELECT n.nspname, c.relname,
                       -- a publication lists a partition's root when it publishes via the root
                       (SELECT min(p.pubname) FROM pg_catalog.pg_publication_tables pt
                          JOIN pg_catalog.pg_publication p ON p.pubname = pt.pubname
                          JOIN pg_catalog.pg_namespace an ON an.nspname = pt.schemaname
                          JOIN pg_catalog.pg_class ac ON ac.relnamespace = an.oid AND ac.relname = pt.tablename
                         WHERE (ac.oid = c.oid OR ac.oid IN (SELECT a.relid FROM pg_catalog.pg_partition_ancestors(c.oid) a))
                           AND p.pubname <> ? AND (p.pubupdate OR p.pubdelete))
                  FROM pgscribe.identity_full f
                  JOIN pg_catalog.pg_class c ON c.oid = f.relid
                  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                 WHERE c.relreplident = 'f'
                 ORDER BY 1, 2
                """, rs -> new IdentityFull(rs.getString(1), rs.getString(2), rs.getString(3)), ownPublication);
    }

    /** Removes the event triggers and the schema (the DDL log with it); see {@link #outsideDependents} first. */
    public static void uninstall(Connection c) throws SQLException {
        Pg.execute(c, "DROP EVENT TRIGGER IF EXISTS pgscribe_ddl_command_end; DROP EVENT TRIGGER IF EXISTS pgscribe_sql_drop; "
                + "DROP EVENT TRIGGER IF EXISTS pgscribe_ddl_command_start; DROP SCHEMA IF EXISTS pgscribe CASCADE");
    }
}
