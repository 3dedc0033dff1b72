package io.pgscribe.restore;

import io.pgscribe.pg.Pg;
import io.pgscribe.sql.SqlText;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The materialized views a restore leaves unpopulated. A refresh runs the view's query as its
 * owner, and the expressions of every view it reads run as that owner too, built-ins that run
 * SQL (query_to_xml) among them: a superuser's matview over a role's view, aggregate, operator
 * or domain would run that role's code with a superuser's rights (a role's function runs as its
 * owner: {@link FunctionsAsOwners}). So would a superuser's function with a body that reads a
 * role's view, which no catalog records: where roles have such objects, a superuser's matview
 * that calls one (not the server's own, not an extension's) is left too. Such a matview, and every matview that reads one, is not
 * refreshed; the operator refreshes it after looking at that code.
 */
final class MatviewRefresh {

    private MatviewRefresh() {
    }

    /** A view or matview: its name, quoted, its kind ({@code v}, {@code m}) and owner. */
    private record Rel(long oid, RestoreScope.Name id, String name, char kind, boolean superuser, String owner) {
    }

    /** Each matview to leave unpopulated, with why. */
    static Map<RestoreScope.Name, String> leftUnpopulated(Connection c) throws SQLException {
        Map<Long, Rel> rels = new HashMap<>();
        Map<Long, List<Long>> reads = new HashMap<>();
        Pg.query(c, "SELECT c.oid, n.nspname, c.relname, c.relkind, r.rolsuper, r.rolname "
                + "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
                + "JOIN pg_catalog.pg_roles r ON r.oid = c.relowner WHERE c.relkind IN ('v', 'm') ORDER BY 1", rs -> {
                    RestoreScope.Name id = new RestoreScope.Name(rs.getString(2), rs.getString(3));
                    rels.put(rs.getLong(1), new Rel(rs.getLong(1), id, SqlText.qualified(id.schema(), id.name()),
                            rs.getString(4).charAt(0), rs.getBoolean(5), rs.getString(6)));
                    return null;
                });
        if (rels.values().stream().noneMatch(r -> r.kind() == 'm')) {
            return Map.of();
        }
        Pg.query(c, "SELECT DISTINCT w.ev_class, d.refobjid FROM pg_catalog.pg_rewrite w JOIN pg_catalog.pg_depend d "
                + "ON d.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass AND d.objid = w.oid "
                + "AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.refobjid <> w.ev_class "
                + "JOIN pg_catalog.pg_class c ON c.oid = w.ev_class AND c.relkind IN ('v', 'm')", rs -> {
                    reads.computeIfAbsent(rs.getLong(1), k -> new ArrayList<>()).add(rs.getLong(2));
                    return null;
                });
        // what a view's own query calls that runs as whoever reads it and may be a role's code
        Map<Long, String> calls = new HashMap<>();
        Pg.query(c, CALLS, rs -> {
            calls.putIfAbsent(rs.getLong(1), rs.getString(2));
            return null;
        });
        Map<Long, String> left = new LinkedHashMap<>();
        boolean changed = true;
        while (changed) {
            changed = false;
            for (Rel m : rels.values()) {
                if (m.kind() != 'm' || left.containsKey(m.oid())) {
                    continue;
                }
                String why = why(m.oid(), m.superuser(), rels, reads, calls, left, new HashSet<>());
                if (why != null) {
                    left.put(m.oid(), why);
                    changed = true;
                }
            }
        }
        Map<RestoreScope.Name, String> out = new TreeMap<>(java.util.Comparator.comparing(RestoreScope.Name::toString));
        left.forEach((oid, why) -> out.put(rels.get(oid).id(), why));
        return out;
    }

    /**
     * Per view or matview, the first thing its query names that would run a role's code with the
     * reader's rights: an aggregate or operator of a role (a built-in behind it may run SQL, as
     * ts_rewrite does), a domain of a role with constraints, or, where roles have such objects or
     * views, a superuser's function with a body (what it reads no catalog records).
     */
    private static final String CALLS = "WITH callers AS (SELECT w.ev_class AS rel, d.refclassid, d.refobjid "
            + "FROM pg_catalog.pg_rewrite w JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass "
            + "AND d.objid = w.oid JOIN pg_catalog.pg_class c ON c.oid = w.ev_class AND c.relkind IN ('v', 'm')), "
            + "roles_code AS (SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_roles r ON r.oid = c.relowner "
            + "WHERE c.relkind = 'v' AND NOT r.rolsuper) "
            + "OR EXISTS (SELECT 1 FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_roles r ON r.oid = p.proowner "
            + "WHERE p.prokind = 'a' AND NOT r.rolsuper) "
            + "OR EXISTS (SELECT 1 FROM pg_catalog.pg_operator o JOIN pg_catalog.pg_roles r ON r.oid = o.oprowner WHERE NOT r.rolsuper) "
            + "OR EXISTS (SELECT 1 FROM pg_catalog.pg_type t JOIN pg_catalog.pg_roles r ON r.oid = t.typowner "
            + "JOIN pg_catalog.pg_constraint k ON k.contypid = t.oid WHERE NOT r.rolsuper) AS found) "
            + "SELECT x.rel, x.what FROM ("
            + "SELECT k.rel, pg_catalog.format(CASE WHEN r.rolsuper THEN 'function %s, whose body may read a view of a role' "
            + "ELSE 'aggregate %s of role %I' END, p.oid::pg_catalog.regprocedure, r.rolname) AS what FROM callers k "
            + "JOIN pg_catalog.pg_proc p ON k.refclassid = 'pg_catalog.pg_proc'::pg_catalog.regclass AND p.oid = k.refobjid "
            + "JOIN pg_catalog.pg_roles r ON r.oid = p.proowner JOIN pg_catalog.pg_language l ON l.oid = p.prolang "
            + "WHERE (NOT r.rolsuper AND p.prokind = 'a') "
            + "OR (r.rolsuper AND l.lanname NOT IN ('internal', 'c') AND (SELECT found FROM roles_code) "
            // the server's own functions and those of an extension are not a DBA's bodies
            + "AND p.pronamespace NOT IN ('pg_catalog'::pg_catalog.regnamespace, 'information_schema'::pg_catalog.regnamespace) "
            + "AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend e WHERE e.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass "
            + "AND e.objid = p.oid AND e.deptype = 'e')) "
            + "UNION ALL SELECT k.rel, pg_catalog.format('operator %s of role %I', o.oid::pg_catalog.regoperator, r.rolname) "
            + "FROM callers k JOIN pg_catalog.pg_operator o ON k.refclassid = 'pg_catalog.pg_operator'::pg_catalog.regclass "
            + "AND o.oid = k.refobjid JOIN pg_catalog.pg_roles r ON r.oid = o.oprowner "
            + "JOIN pg_catalog.pg_proc p ON p.oid = o.oprcode WHERE NOT r.rolsuper AND NOT p.prosecdef "
            + "UNION ALL SELECT k.rel, pg_catalog.format('domain %s of role %I', t.oid::pg_catalog.regtype, r.rolname) "
            + "FROM callers k JOIN pg_catalog.pg_type t ON k.refclassid = 'pg_catalog.pg_type'::pg_catalog.regclass "
            + "AND t.oid = k.refobjid AND t.typtype = 'd' JOIN pg_catalog.pg_roles r ON r.oid = t.typowner "
            + "WHERE NOT r.rolsuper AND EXISTS (SELECT 1 FROM pg_catalog.pg_constraint n WHERE n.contypid = t.oid)"
            + ") x ORDER BY 1, 2";

    /** Why refreshing {@code rel} (as a superuser: {@code asSuperuser}) must wait for the operator; null if it need not. */
    private static String why(long rel, boolean asSuperuser, Map<Long, Rel> rels, Map<Long, List<Long>> reads,
            Map<Long, String> calls, Map<Long, String> left, Set<Long> seen) {
        if (!seen.add(rel)) {
            return null;
        }
        if (asSuperuser && calls.containsKey(rel)) {
            return "it calls " + calls.get(rel);
        }
        for (long r : reads.getOrDefault(rel, List.of())) {
            Rel o = rels.get(r);
            if (o == null) {
                continue; // a table: reading it runs nothing
            }
            if (left.containsKey(r)) {
                return "it reads materialized view " + o.name() + ", left unpopulated";
            }
            if (o.kind() == 'v') {
                if (asSuperuser && !o.superuser()) {
                    return "it reads view " + o.name() + " of role " + o.owner() + ", whose expressions would run with "
                            + "a superuser's rights";
                }
                String deeper = why(r, asSuperuser, rels, reads, calls, left, seen);
                if (deeper != null) {
                    return deeper;
                }
            }
        }
        return null;
    }

    /**
     * Refreshes every populated matview but those {@code leftOut}, each with the rights of the code
     * it runs: a role's function as its owner, and no DDL from one ({@link RoleSandbox#installGuard}).
     */
    static void refreshPopulated(Connection c, RoleSandbox sandbox, Set<RestoreScope.Name> leftOut) throws SQLException {
        List<String> views = Pg.query(c, "SELECT schemaname, matviewname FROM pg_catalog.pg_matviews WHERE ispopulated "
                + "ORDER BY 1, 2", rs -> new RestoreScope.Name(rs.getString(1), rs.getString(2))).stream()
                .filter(v -> !leftOut.contains(v)).map(v -> SqlText.qualified(v.schema(), v.name())).toList();
        if (views.isEmpty()) {
            return;
        }
        // a superuser's view may call a role's function: it runs with that role's rights, as in the base's load
        List<Long> flipped = FunctionsAsOwners.apply(c);
        // and a role's function must not make itself SECURITY INVOKER again for the next view's refresh
        sandbox.installGuard("during the restore's refresh of materialized views", "A role's function a materialized "
                + "view calls ran DDL; refresh that view by hand after looking at the function.");
        Pg.execute(c, sandbox.guardOn());
        try {
            for (String v : views) {
                Pg.execute(c, "REFRESH MATERIALIZED VIEW " + v);
            }
        } finally {
            Pg.execute(c, sandbox.guardOff());
            FunctionsAsOwners.restore(c, flipped);
        }
    }
}
