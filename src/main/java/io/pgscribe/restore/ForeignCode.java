package io.pgscribe.restore;

/**
 * The code of other roles that writing a table's rows would run with the writer's rights: a
 * function that is not SECURITY DEFINER, an aggregate or an operator whose owner is no
 * superuser, a range's support function, a domain with constraints, called or named by the
 * table's CHECK constraints, its columns' types, its generated columns, its indexes, the
 * partition keys of it and its ancestors, and the triggers and rules that fire during a restore
 * (ENABLE ALWAYS or REPLICA), as the catalog's dependencies record them. Where a superuser
 * owns the table, the restore would run that code as a superuser.
 */
final class ForeignCode {

    private ForeignCode() {
    }

    /**
     * A query of one row: the first such piece of code, or null; and whether writing the rows may
     * run code at all (a trigger or rule that fires during a restore, a function of a role, or one
     * with a body, whose calls no catalog records), which may change tables or call a role's
     * functions. {@code relOid}: an oid expression. {@code c}: the target, whose catalog has
     * multiranges from PostgreSQL 14 on.
     */
    static String query(String relOid, java.sql.Connection c) throws java.sql.SQLException {
        boolean multiranges = c.getMetaData().getDatabaseMajorVersion() >= 14;
        String objsOf = "SELECT d.refobjid, d.refclassid FROM pg_catalog.pg_depend d JOIN objs o ON o.classid = d.classid "
                + "AND o.objid = d.objid";
        return "WITH RECURSIVE rel(oid) AS (SELECT " + relOid + "), "
                // a row put into a partition is checked against the partition keys of it and every ancestor
                + "anc(oid) AS (SELECT rel.oid FROM rel UNION SELECT i.inhparent FROM pg_catalog.pg_inherits i "
                + "JOIN anc ON i.inhrelid = anc.oid), "
                + "keys(oid) AS (SELECT anc.oid FROM anc JOIN pg_catalog.pg_partitioned_table pt ON pt.partrelid = anc.oid), "
                // the table's own expressions: CHECKs and exclusions, generated columns, indexes, partition keys,
                // triggers and rules that fire during a restore
                + "own(classid, objid) AS ("
                + "SELECT 'pg_catalog.pg_constraint'::pg_catalog.regclass::pg_catalog.oid, co.oid FROM pg_catalog.pg_constraint co, rel "
                + "WHERE co.conrelid = rel.oid AND co.contype IN ('c', 'x') "
                + "UNION ALL SELECT 'pg_catalog.pg_attrdef'::pg_catalog.regclass::pg_catalog.oid, d.oid FROM pg_catalog.pg_attrdef d "
                + "JOIN pg_catalog.pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum, rel "
                + "WHERE d.adrelid = rel.oid AND a.attgenerated <> '' "
                + "UNION ALL SELECT 'pg_catalog.pg_class'::pg_catalog.regclass::pg_catalog.oid, keys.oid FROM keys "
                + "UNION ALL SELECT 'pg_catalog.pg_class'::pg_catalog.regclass::pg_catalog.oid, i.indexrelid FROM pg_catalog.pg_index i, rel "
                + "WHERE i.indrelid = rel.oid "
                + "UNION ALL SELECT 'pg_catalog.pg_trigger'::pg_catalog.regclass::pg_catalog.oid, tg.oid FROM pg_catalog.pg_trigger tg, rel "
                + "WHERE tg.tgrelid = rel.oid AND tg.tgenabled IN ('A', 'R') AND NOT tg.tgisinternal "
                + "UNION ALL SELECT 'pg_catalog.pg_rewrite'::pg_catalog.regclass::pg_catalog.oid, ru.oid FROM pg_catalog.pg_rewrite ru, rel "
                + "WHERE ru.ev_class = rel.oid AND ru.ev_enabled IN ('A', 'R')), "
                // the columns' types and every type those expressions name (a cast to a domain checks it)
                + "types(t) AS (SELECT a.atttypid FROM pg_catalog.pg_attribute a, rel WHERE a.attrelid = rel.oid "
                + "AND a.attnum > 0 AND NOT a.attisdropped "
                + "UNION SELECT d.refobjid FROM pg_catalog.pg_depend d JOIN own o ON o.classid = d.classid AND o.objid = d.objid "
                + "WHERE d.refclassid = 'pg_catalog.pg_type'::pg_catalog.regclass "
                // a domain's base, an array's element, a composite's fields, a range's subtype, a multirange's range
                + "UNION SELECT n.t FROM types JOIN pg_catalog.pg_type ty ON ty.oid = types.t CROSS JOIN LATERAL ("
                + "SELECT ty.typbasetype WHERE ty.typtype = 'd' "
                + "UNION ALL SELECT ty.typelem WHERE ty.typelem <> 0 "
                + "UNION ALL SELECT fa.atttypid FROM pg_catalog.pg_attribute fa WHERE ty.typrelid <> 0 "
                + "AND fa.attrelid = ty.typrelid AND fa.attnum > 0 AND NOT fa.attisdropped "
                + "UNION ALL SELECT rg.rngsubtype FROM pg_catalog.pg_range rg WHERE rg.rngtypid = ty.oid "
                + (multiranges ? "UNION ALL SELECT rg.rngtypid FROM pg_catalog.pg_range rg WHERE rg.rngmultitypid = ty.oid" : "")
                + ") n(t)), "
                + "objs(classid, objid) AS (SELECT classid, objid FROM own "
                + "UNION ALL SELECT 'pg_catalog.pg_constraint'::pg_catalog.regclass::pg_catalog.oid, co.oid "
                + "FROM pg_catalog.pg_constraint co JOIN types ON co.contypid = types.t), "
                + "ops(op) AS (SELECT refobjid FROM (" + objsOf + ") x(refobjid, refclassid) "
                + "WHERE refclassid = 'pg_catalog.pg_operator'::pg_catalog.regclass), "
                // what the expressions call, an operator's function, and a range's support functions (an index's
                // operator class calls subtype_diff)
                + "funcs(f) AS (SELECT refobjid FROM (" + objsOf + ") x(refobjid, refclassid) "
                + "WHERE refclassid = 'pg_catalog.pg_proc'::pg_catalog.regclass "
                + "UNION ALL SELECT op.oprcode::pg_catalog.oid FROM ops JOIN pg_catalog.pg_operator op ON op.oid = ops.op "
                + "UNION ALL SELECT rg.rngsubdiff::pg_catalog.oid FROM pg_catalog.pg_range rg JOIN types ON rg.rngtypid = types.t "
                + "WHERE rg.rngsubdiff <> 0 "
                + "UNION ALL SELECT rg.rngcanonical::pg_catalog.oid FROM pg_catalog.pg_range rg JOIN types ON rg.rngtypid = types.t "
                + "WHERE rg.rngcanonical <> 0) "
                + "SELECT (SELECT x FROM (SELECT pg_catalog.format('function %s of role %I', p.oid::pg_catalog.regprocedure, r.rolname) "
                + "FROM funcs JOIN pg_catalog.pg_proc p ON p.oid = funcs.f JOIN pg_catalog.pg_roles r ON r.oid = p.proowner "
                + "WHERE NOT r.rolsuper AND (NOT p.prosecdef OR p.prokind = 'a') "
                // an operator of a role runs its function with the caller's rights, a built-in too (ts_rewrite runs SQL)
                + "UNION ALL SELECT pg_catalog.format('operator %s of role %I', op.oid::pg_catalog.regoperator, r.rolname) "
                + "FROM ops JOIN pg_catalog.pg_operator op ON op.oid = ops.op JOIN pg_catalog.pg_roles r ON r.oid = op.oprowner "
                + "JOIN pg_catalog.pg_proc p ON p.oid = op.oprcode WHERE NOT r.rolsuper AND NOT p.prosecdef "
                // a domain's expression is its owner's, and may call built-ins that run SQL (query_to_xml)
                + "UNION ALL SELECT pg_catalog.format('domain %s of role %I', d.oid::pg_catalog.regtype, dr.rolname) FROM types "
                + "JOIN pg_catalog.pg_type d ON d.oid = types.t AND d.typtype = 'd' JOIN pg_catalog.pg_roles dr "
                + "ON dr.oid = d.typowner WHERE NOT dr.rolsuper AND EXISTS (SELECT 1 FROM pg_catalog.pg_constraint k "
                + "WHERE k.contypid = d.oid) "
                // a WHEN clause may be another role's (one granted TRIGGER): pg_trigger does not say whose
                + "UNION ALL SELECT pg_catalog.format('the WHEN clause of trigger %I', tg.tgname) FROM pg_catalog.pg_trigger tg, rel "
                + "WHERE tg.tgrelid = rel.oid AND tg.tgenabled IN ('A', 'R') AND NOT tg.tgisinternal AND tg.tgqual IS NOT NULL"
                + ") found(x) ORDER BY 1 LIMIT 1), "
                + "EXISTS (SELECT 1 FROM funcs JOIN pg_catalog.pg_proc p ON p.oid = funcs.f JOIN pg_catalog.pg_roles r "
                + "ON r.oid = p.proowner JOIN pg_catalog.pg_language l ON l.oid = p.prolang "
                + "WHERE NOT r.rolsuper OR (l.lanname NOT IN ('internal', 'c') "
                + "AND p.pronamespace <> 'pg_catalog'::pg_catalog.regnamespace)) "
                + "OR EXISTS (SELECT 1 FROM pg_catalog.pg_trigger tg, rel WHERE tg.tgrelid = rel.oid AND tg.tgenabled IN ('A', 'R')) "
                + "OR EXISTS (SELECT 1 FROM pg_catalog.pg_rewrite ru, rel WHERE ru.ev_class = rel.oid AND ru.ev_enabled IN ('A', 'R'))";
    }
}
