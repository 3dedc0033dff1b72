package io.pgscribe.restore;

import io.pgscribe.server.Pg;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * Sequences are not in the change stream; a sequence owned by a column (serial, identity)
 * is raised so its next value is past every value the column holds. Never lowered.
 */
public final class SequenceSync {

    private SequenceSync() {
    }

    private record Owned(String sequence, String table, String column, long increment) {
    }

    public static int raiseOwnedSequences(Connection c) throws SQLException {
        List<Owned> owned = Pg.query(c, """
                SELECT pg_catalog.format('%I.%I', sn.nspname, sc.relname), pg_catalog.format('%I.%I', tn.nspname, tc.relname),
                       pg_catalog.quote_ident(a.attname), s.seqincrement
                  FROM pg_catalog.pg_sequence s
                  JOIN pg_catalog.pg_class sc ON sc.oid = s.seqrelid
                  JOIN pg_catalog.pg_namespace sn ON sn.oid = sc.relnamespace
                  JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid = s.seqrelid
                                  AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.deptype IN ('a', 'i')
                  JOIN pg_catalog.pg_class tc ON tc.oid = d.refobjid
                  JOIN pg_catalog.pg_namespace tn ON tn.oid = tc.relnamespace
                  JOIN pg_catalog.pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
                 WHERE tn.nspname <> 'pgscribe'
                 ORDER BY 1
                """, rs -> new Owned(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4)));
        int raised = 0;
        for (Owned o : owned) {
            boolean up = o.increment() > 0;
            String extreme = up ? "max" : "min";
            String cmp = up ? ">" : "<";
            // only when the column holds a value the sequence has not yet given out
            // pgscribe's own SQL on the target: every function named with its schema (search_path is pg_catalog too)
            String sql = "SELECT pg_catalog.setval(" + Pg.literal(o.sequence()) + ", v, true) FROM (SELECT pg_catalog." + extreme
                    + "(" + o.column() + ")::pg_catalog.int8 AS v FROM " + o.table() + ") m, " + o.sequence()
                    + " s WHERE m.v IS NOT NULL AND "
                    + "(m.v " + cmp + " s.last_value OR (m.v = s.last_value AND NOT s.is_called))";
            raised += Pg.query(c, sql, rs -> 1).size();
        }
        return raised;
    }
}
