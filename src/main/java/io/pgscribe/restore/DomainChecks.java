package io.pgscribe.restore;

import io.pgscribe.ExitCode;
import io.pgscribe.PgscribeException;
import io.pgscribe.sql.DumpIdentifier;
import io.pgscribe.sql.SqlLexer;
import io.pgscribe.sql.SqlText;
import java.util.ArrayList;
import java.util.List;

/**
 * The CHECK constraints pg_dump writes inside a {@code CREATE DOMAIN}. A domain's CHECK runs
 * wherever a value is made of it, as whoever makes it: in the schema part an aggregate's
 * INITCOND or a partition bound does, at COPY every row does, and its expression may run SQL
 * (query_to_xml and the like) with the restoring superuser's rights. So the base loads with its
 * domains bare, and their CHECKs are added after the rows NOT VALID and marked valid, as the
 * source had them ({@link PostDataCheck}).
 */
final class DomainChecks {

    private DomainChecks() {
    }

    /** A domain's statement without its CHECKs, and the statements that add them back after the rows. */
    record Split(String create, List<String> later) {
    }

    private static final String CREATE = "CREATE DOMAIN ";
    private static final String CONSTRAINT = "CONSTRAINT ";

    /** {@code statement}: one whole {@code CREATE DOMAIN} as pg_dump writes it. */
    static Split split(String statement) {
        String s = statement.strip();
        int[] at = {CREATE.length()};
        String domain = s.startsWith(CREATE) && s.endsWith(";") ? DumpIdentifier.readQualified(s, at) : null;
        if (domain == null || !s.startsWith(" AS ", at[0])) {
            throw unknown(statement);
        }
        // pg_dump puts each constraint on its own line: "\n\tCONSTRAINT name CHECK (...)", outside any literal
        List<Integer> cuts = new ArrayList<>();
        SqlLexer lexer = new SqlLexer();
        for (int i = 0; i < s.length() - 1; i++) {
            if (lexer.isClosed() && s.startsWith("\n\t" + CONSTRAINT, i)) {
                cuts.add(i);
            }
            lexer.feed(s.charAt(i));
        }
        StringBuilder create = new StringBuilder(s.substring(0, cuts.isEmpty() ? s.length() - 1 : cuts.get(0)));
        List<String> later = new ArrayList<>();
        for (int k = 0; k < cuts.size(); k++) {
            String piece = s.substring(cuts.get(k) + 2, k + 1 < cuts.size() ? cuts.get(k + 1) : s.length() - 1);
            int[] p = {CONSTRAINT.length()};
            String name = DumpIdentifier.read(piece, p);
            if (name == null) {
                throw unknown(statement);
            }
            if (!piece.startsWith(" CHECK (", p[0])) {
                create.append("\n\t").append(piece); // NOT NULL and the like run no code
                continue;
            }
            if (!piece.endsWith(")")) {
                throw unknown(statement);
            }
            later.add(PostDataCheck.withoutValidation("ALTER DOMAIN " + domain + "\n    ADD "
                    + piece + ";"));
        }
        return new Split(create.append(";\n").toString(), List.copyOf(later));
    }

    private static PgscribeException unknown(String statement) {
        String shown = statement.length() > 300 ? statement.substring(0, 300) : statement;
        return new PgscribeException("the base holds a domain in a form pgscribe does not know: "
                + SqlText.commentText(shown), "Its CHECK would run with the restoring superuser's rights wherever a "
                + "value of it is made; restore from a base pg_dump wrote, or report the form.", ExitCode.REFUSED, null);
    }
}
