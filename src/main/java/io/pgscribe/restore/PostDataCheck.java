package io.pgscribe.restore;

import io.pgscribe.ExitCode;
import io.pgscribe.PgscribeException;
import io.pgscribe.sql.DumpIdentifier;
import io.pgscribe.sql.SqlText;

/**
 * A CHECK constraint pg_dump writes apart from its table or domain (a dependency loop through
 * the row type or a function of the domain), in the base's post-data part. Adding it validates
 * every row as whoever loads the base, and its expression may run SQL (query_to_xml and the
 * like): a role's code with the superuser's rights. The source validated those rows already,
 * so the constraint is added NOT VALID and then marked valid in the catalog, as it was.
 */
final class PostDataCheck {

    private PostDataCheck() {
    }

    /**
     * The statement (as pg_dump writes it: {@code ALTER TABLE name\n    ADD CONSTRAINT name CHECK (...);}
     * or {@code ALTER DOMAIN ...}) rewritten to add the constraint without checking a row, then
     * marked valid unless the source had it NOT VALID.
     */
    static String withoutValidation(String statement) {
        String s = statement.strip();
        boolean table = s.startsWith("ALTER TABLE ");
        boolean domain = s.startsWith("ALTER DOMAIN ");
        if ((table || domain) && s.endsWith(" NOT VALID;")) {
            return s + "\n"; // NOT VALID in the source too: adding it checks no row
        }
        if (!(table || domain) || !s.endsWith(");")) {
            throw unknown(statement);
        }
        int[] at = {table ? "ALTER TABLE ".length() : "ALTER DOMAIN ".length()};
        if (table && s.startsWith("ONLY ", at[0])) {
            at[0] += "ONLY ".length();
        }
        String target = DumpIdentifier.readQualified(s, at);
        if (target == null) {
            throw unknown(statement);
        }
        String add = "\n    ADD CONSTRAINT ";
        if (!s.startsWith(add, at[0])) {
            throw unknown(statement);
        }
        at[0] += add.length();
        String name = DumpIdentifier.read(s, at);
        if (name == null || !s.startsWith(" CHECK (", at[0])) {
            throw unknown(statement);
        }
        String body = s.substring(0, s.length() - 1) + " NOT VALID;\n";
        String where = table
                ? "conrelid IN (WITH RECURSIVE r(oid) AS (SELECT " + SqlText.literal(target) + "::pg_catalog.regclass::pg_catalog.oid "
                        + "UNION SELECT i.inhrelid FROM pg_catalog.pg_inherits i JOIN r ON i.inhparent = r.oid) SELECT oid FROM r)"
                : "contypid = " + SqlText.literal(target) + "::pg_catalog.regtype";
        // the table's own relation cache in this session keeps "not valid" until it ends; later sessions read the catalog
        return body + "UPDATE pg_catalog.pg_constraint SET convalidated = true WHERE contype = 'c' AND conname = "
                + SqlText.literal(name) + " AND " + where + ";\n";
    }

    private static PgscribeException unknown(String statement) {
        String shown = statement.length() > 300 ? statement.substring(0, 300) : statement;
        return new PgscribeException("the base holds a CHECK constraint entry in a form pgscribe does not know: "
                + SqlText.commentText(shown), "Adding it would check every row with the restoring superuser's rights; "
                + "restore from a base pg_dump wrote, or report the form.", ExitCode.REFUSED, null);
    }
}
