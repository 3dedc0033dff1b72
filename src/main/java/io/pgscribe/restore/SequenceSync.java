package io.pgscribe.restore;

import io.pgscribe.pg.Pg;
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

    /** {@code scanned}: the plain tables whose column is read, the table itself or a partitioned one's leaves. */
    private record Owned(String sequence, List<String> scanned, String column, long increment) {
    }

    /**
     * Runs as the restoring superuser over relations any role may have made: only integer columns
     * of plain tables are read (a view, a foreign table, an inheritance child or a cast from a
     * role's type would run that role's code), each with {@code FROM ONLY}.
     */
    public static int raiseOwnedSequences(Connection c) throws SQLException {
        List<Owned> owned = Pg.query(c, """
                SELECT pg_catalog.format('%I.%I', sn.nspname, sc.relname),
                       CASE WHEN tc.relkind = 'r' THEN ARRAY[pg_catalog.format('%I.%I', tn.nspname, tc.relname)]
                            ELSE ARRAY(SELECT pg_catalog.format('%I.%I', ln.nspname, lc.relname)
                                         FROM pg_catalog.pg_partition_tree(tc.oid) p
                                         JOIN pg_catalog.pg_class lc ON lc.oid = p.relid
                                         JOIN pg_catalog.pg_namespace ln ON ln.oid = lc.relnamespace
                                        WHERE p.isleaf AND lc.relkind = 'r' ORDER BY 1) END,
                       pg_catalog.quote_ident(a.attname), s.seqincrement
                  FROM pg_catalog.pg_sequence s
                  JOIN pg_catalog.pg_class sc ON sc.oid = s.seqrelid
                  JOIN pg_catalog.pg_namespace sn ON sn.oid = sc.relnamespace
                  JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid = s.seqrelid
                                  AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.deptype IN ('a', 'i')
                  JOIN pg_catalog.pg_class tc ON tc.oid = d.refobjid
                  JOIN pg_catalog.pg_namespace tn ON tn.oid = tc.relnamespace
                  JOIN pg_catalog.pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
                  JOIN pg_catalog.pg_type ty ON ty.oid = a.atttypid
                 WHERE tn.nspname <> 'pgscribe' AND tc.relkind IN ('r', 'p')
                   AND (CASE WHEN ty.typtype = 'd' THEN ty.typbasetype ELSE ty.oid END)
                       IN ('pg_catalog.int2'::pg_catalog.regtype, 'pg_catalog.int4'::pg_catalog.regtype,
                           'pg_catalog.int8'::pg_catalog.regtype)
                 ORDER BY 1
                """, rs -> new Owned(rs.getString(1), List.of((String[]) rs.getArray(2).getArray()), rs.getString(3),
                rs.getLong(4)));
        int raised = 0;
        for (Owned o : owned) {
            if (o.scanned().isEmpty()) {
                continue;
            }
            boolean up = o.increment() > 0;
            String extreme = up ? "max" : "min";
            String cmp = up ? ">" : "<";
            StringBuilder values = new StringBuilder();
            for (String t : o.scanned()) {
                values.append(values.isEmpty() ? "" : " UNION ALL ").append("SELECT pg_catalog.").append(extreme).append("(")
                        .append(o.column()).append(")::pg_catalog.int8 AS v FROM ONLY ").append(t);
            }
            // only when the column holds a value the sequence has not yet given out
            // pgscribe's own SQL on the target: every function named with its schema (search_path is pg_catalog too)
            String sql = "SELECT pg_catalog.setval(" + Pg.literal(o.sequence()) + ", v, true) FROM (SELECT pg_catalog." + extreme
                    + "(x.v) AS v FROM (" + values + ") x) m, " + o.sequence()
                    + " s WHERE m.v IS NOT NULL AND "
                    + "(m.v " + cmp + " s.last_value OR (m.v = s.last_value AND NOT s.is_called))";
            raised += Pg.query(c, sql, rs -> 1).size();
        }
        return raised;
    }
}
