package io.pgscribe.restore;

import io.pgscribe.server.Pg;
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
 * SQL (query_to_xml) among them: a superuser's matview over a role's view would run that role's
 * code with a superuser's rights. Such a matview, and every matview that reads one, is not
 * refreshed; the operator refreshes it after looking at the view.
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
        Map<Long, String> left = new LinkedHashMap<>();
        boolean changed = true;
        while (changed) {
            changed = false;
            for (Rel m : rels.values()) {
                if (m.kind() != 'm' || left.containsKey(m.oid())) {
                    continue;
                }
                String why = why(m.oid(), m.superuser(), rels, reads, left, new HashSet<>());
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

    /** Why refreshing {@code rel} (as a superuser: {@code asSuperuser}) must wait for the operator; null if it need not. */
    private static String why(long rel, boolean asSuperuser, Map<Long, Rel> rels, Map<Long, List<Long>> reads,
            Map<Long, String> left, Set<Long> seen) {
        if (!seen.add(rel)) {
            return null;
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
                String deeper = why(r, asSuperuser, rels, reads, left, seen);
                if (deeper != null) {
                    return deeper;
                }
            }
        }
        return null;
    }
}
