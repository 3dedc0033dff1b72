package io.pgscribe.restore;

import io.pgscribe.ExitCode;
import io.pgscribe.PgscribeException;
import io.pgscribe.sql.SqlLexer;
import io.pgscribe.sql.SqlText;
import java.io.BufferedReader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;

/**
 * A plain-format base's lines, as {@link BaseLoader} reads them, with pg_dump's COPY statements
 * found between statements only.
 */
final class BaseScript {

    private final BufferedReader in;
    private final SqlLexer lexer = new SqlLexer();
    private String pending;
    /** The domains' CHECKs, to add after the rows ({@link DomainChecks}). */
    final List<String> domainChecks = new ArrayList<>();

    BaseScript(BufferedReader in) {
        this.in = in;
    }

    /** The preamble (before the first entry) and the schema part; returns the first COPY statement, or null. */
    String untilFirstCopy(StringBuilder preamble, StringBuilder schema) throws IOException {
        boolean inPreamble = true;
        String entry = null;
        String line;
        while ((line = in.readLine()) != null) {
            boolean between = between();
            if (between && line.startsWith("COPY ")) {
                return copyStatement(line);
            }
            Matcher h = between ? BaseFilter.HEADER.matcher(line) : null;
            if (h != null && h.matches()) {
                inPreamble = false;
                entry = h.group(2);
            }
            if (between && "DOMAIN".equals(entry) && line.startsWith("CREATE DOMAIN ")) {
                DomainChecks.Split split = DomainChecks.split(statement(line));
                schema.append(split.create());
                domainChecks.addAll(split.later());
                continue;
            }
            if (!inPreamble && between && isDataHeader(line)) {
                // the data part starts with an entry of no COPY (a sequence's value): it is the rest's
                pending = line;
                return null;
            }
            feed(line);
            (inPreamble ? preamble : schema).append(line).append('\n');
        }
        return null;
    }

    boolean more() {
        return pending != null;
    }

    private static boolean isDataHeader(String line) {
        Matcher h = BaseFilter.HEADER.matcher(line);
        return h.matches() && (h.group(2).equals("SEQUENCE SET") || h.group(2).equals("TABLE DATA")
                || h.group(2).equals("BLOB DATA") || h.group(2).equals("BLOBS") || h.group(2).equals("LARGE OBJECT"));
    }

    /** A whole COPY statement that starts with {@code first} (a quoted name may hold a line break). */
    String copyStatement(String first) throws IOException {
        StringBuilder st = new StringBuilder(first);
        feed(first);
        while (!between()) {
            String next = in.readLine();
            if (next == null) {
                break;
            }
            st.append('\n').append(next);
            feed(next);
        }
        String s = st.toString();
        if (!s.endsWith(" FROM stdin;")) {
            throw new PgscribeException("the base holds a COPY statement pg_dump does not write: "
                    + SqlText.commentText(s.length() > 200 ? s.substring(0, 200) : s),
                    "The file matches its checksum, so it was written like this; restore from another base.",
                    ExitCode.DAMAGED, null);
        }
        return s;
    }

    /** The whole statement that starts with {@code first}. */
    String statement(String first) throws IOException {
        StringBuilder st = new StringBuilder(first);
        feed(first);
        while (!between()) {
            String next = line();
            if (next == null) {
                break;
            }
            st.append('\n').append(next);
            feed(next);
        }
        return st.toString();
    }

    String line() throws IOException {
        if (pending != null) {
            String p = pending;
            pending = null;
            return p;
        }
        return in.readLine();
    }

    boolean between() {
        return !lexer.hasCode() && !lexer.isInsideLiteralOrComment();
    }

    void feed(String line) {
        BaseFilter.feed(lexer, line);
    }
}
