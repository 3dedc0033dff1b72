package io.pgscribe.ddl;

import io.pgscribe.sql.SqlLexer;
import io.pgscribe.sql.SqlScanner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The statements of a query string as the server parsed them, and the text helpers DDL
 * replay needs: the words of a statement outside literals and parentheses, the statement a
 * function ran as PostgreSQL reports it in the call context, CONCURRENTLY taken out.
 */
public final class DdlStatements {

    private DdlStatements() {
    }

    /** One statement of a query string, as written, with how it lexed. */
    public record Piece(String code, boolean closed, boolean backslashInPlainLiteral) {
    }

    /**
     * The statements of {@code query} (code only, each with its terminating ';' when it had
     * one), lexed with the standard_conforming_strings the author's session had.
     */
    public static List<Piece> split(String query, boolean standardConformingStrings) {
        List<Piece> out = new ArrayList<>();
        try (SqlScanner scanner = SqlScanner.of(query, standardConformingStrings)) {
            SqlScanner.Statement st;
            while ((st = scanner.next()) != null) {
                if (st.hasCode()) {
                    out.add(new Piece(st.code(), st.closed(), st.backslashInPlainLiteral()));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /**
     * Whether {@code statement} is exactly one statement that ends outside every literal,
     * comment, parenthesis and body, read with standard_conforming_strings on (as a segment
     * sets it): what replay needs before it writes the text into a segment.
     */
    public static boolean isOneClosedStatement(String statement) {
        List<Piece> pieces = split(statement, true);
        return pieces.size() == 1 && pieces.get(0).closed() && endsAtTopLevel(statement);
    }

    /** Whether the text, read to its end, is outside every literal, block comment and parenthesis. */
    private static boolean endsAtTopLevel(String sql) {
        SqlLexer lexer = new SqlLexer();
        for (int i = 0; i < sql.length(); i++) {
            if (lexer.feed(sql.charAt(i))) {
                lexer.reset();
            }
        }
        return lexer.isAtTopLevel();
    }

    /**
     * Commands that cannot run inside a transaction block run in the segment's transaction
     * without CONCURRENTLY: same result, and a restore takes no concurrent traffic.
     */
    public static String withoutConcurrently(String statement) {
        List<String> words = topLevelWords(statement, 8);
        boolean applies = words.size() > 1 && ((words.get(0).equals("CREATE") && words.contains("INDEX"))
                || (words.get(0).equals("DROP") && words.get(1).equals("INDEX"))
                || (words.get(0).equals("ALTER") && words.get(1).equals("TABLE")));
        if (!applies) {
            return statement;
        }
        int[] span = topLevelWordSpan(statement, "CONCURRENTLY");
        if (span == null) {
            return statement;
        }
        return statement.substring(0, span[0]) + statement.substring(span[1]).stripLeading();
    }

    /** What the call context says about the statement a function or DO block ran. */
    public record Nested(Kind kind, String statement) {
        /** Where the DDL ran, as far as the context tells. */
        public enum Kind {
            /** At top level: the client's query string holds the statement. */
            TOP_LEVEL,
            /** Inside something that reports its statement text: {@link #statement()}. */
            STATEMENT,
            /** Inside something that reports no statement text (an SQL-language function, an extension script). */
            NO_TEXT,
            /** The text cannot be told apart from what follows it in the context. */
            AMBIGUOUS
        }
    }

    private static final String[] FRAME_STARTS = {"\"\nPL/pgSQL function ", "\"\nSQL function ", "\"\nSQL statement ",
            "\"\nextension script file ", "\"\nfunction "};

    /**
     * The DDL statement a function or DO block ran, from the PG_CONTEXT the log row holds: the
     * first {@code SQL statement "..."} frame below the event trigger's own frames. PostgreSQL
     * does not escape that text, so it ends at a quote followed by a line that starts a frame;
     * when such a line also appears inside it, where it ends cannot be told.
     */
    public static Nested nestedStatement(String context) {
        if (context == null) {
            return new Nested(Nested.Kind.TOP_LEVEL, null);
        }
        int trigger = frameAfter(context, "pgscribe.on_ddl_command_end()");
        if (trigger < 0) {
            trigger = frameAfter(context, "pgscribe.on_sql_drop()");
        }
        if (trigger < 0 || trigger >= context.length()) {
            return new Nested(Nested.Kind.TOP_LEVEL, null);
        }
        String rest = context.substring(trigger);
        String prefix = "SQL statement \"";
        if (!rest.startsWith(prefix)) {
            return new Nested(Nested.Kind.NO_TEXT, null);
        }
        List<Integer> ends = new ArrayList<>();
        for (String next : FRAME_STARTS) {
            int at = rest.indexOf(next, prefix.length());
            while (at >= 0) {
                ends.add(at);
                at = rest.indexOf(next, at + 1);
            }
        }
        if (rest.endsWith("\"") && rest.length() > prefix.length()) {
            ends.add(rest.length() - 1);
        }
        if (ends.size() != 1) {
            return new Nested(ends.isEmpty() ? Nested.Kind.NO_TEXT : Nested.Kind.AMBIGUOUS, null);
        }
        return new Nested(Nested.Kind.STATEMENT, rest.substring(prefix.length(), ends.get(0)));
    }

    /** A one-line description of where nested DDL ran (the first function frame below pgscribe's), for messages. */
    public static String caller(String context) {
        int trigger = frameAfter(context, "pgscribe.on_ddl_command_end()");
        if (trigger < 0 || trigger >= context.length()) {
            return "a function";
        }
        String rest = context.substring(trigger);
        Nested nested = nestedStatement(context);
        if (nested.kind() == Nested.Kind.STATEMENT) {
            // past the statement's text: "SQL statement \"" + text + "\"\n"
            int after = "SQL statement \"".length() + nested.statement().length() + 2;
            rest = after <= rest.length() ? rest.substring(after) : "";
        }
        for (String line : rest.split("\n")) {
            if (!line.startsWith("SQL statement \"") && !line.isBlank()) {
                return line.length() > 200 ? line.substring(0, 200) + "..." : line;
            }
        }
        return "a function";
    }

    /** Index just after the line holding {@code marker}, or -1. */
    private static int frameAfter(String context, String marker) {
        int at = context.indexOf(marker);
        if (at < 0) {
            return -1;
        }
        int nl = context.indexOf('\n', at);
        return nl < 0 ? context.length() : nl + 1;
    }

    /** Upper-case words outside literals, comments and parentheses, up to {@code max}. */
    static List<String> topLevelWords(String sql, int max) {
        return topLevelWords(sql, max, true);
    }

    static List<String> topLevelWords(String sql, int max, boolean standardConformingStrings) {
        List<String> words = new ArrayList<>();
        SqlLexer lexer = new SqlLexer(standardConformingStrings);
        StringBuilder word = new StringBuilder();
        int depth = 0;
        char prev = ' ';
        for (int i = 0; i < sql.length() && words.size() < max; i++) {
            char ch = sql.charAt(i);
            lexer.feed(ch);
            boolean code = !lexer.isInsideLiteralOrComment();
            if (code && depth == 0 && ((word.length() == 0 && isWordStart(ch) && !isWordPart(prev))
                    || (word.length() > 0 && isWordPart(ch)))) {
                word.append(ch);
                prev = ch;
                continue;
            }
            if (word.length() > 0) {
                words.add(word.toString().toUpperCase(Locale.ROOT));
                word.setLength(0);
            }
            if (code && ch == '(') {
                depth++;
            } else if (code && ch == ')' && depth > 0) {
                depth--;
            }
            prev = code ? ch : ' ';
        }
        if (word.length() > 0 && words.size() < max) {
            words.add(word.toString().toUpperCase(Locale.ROOT));
        }
        return words;
    }

    private static boolean isWordStart(char ch) {
        return Character.isLetter(ch) || ch == '_';
    }

    private static boolean isWordPart(char ch) {
        return Character.isLetterOrDigit(ch) || ch == '_' || ch == '$';
    }

    /** Start and end of a top-level word (case-insensitive), or null. */
    private static int[] topLevelWordSpan(String sql, String target) {
        SqlLexer lexer = new SqlLexer();
        int start = -1;
        int depth = 0;
        for (int i = 0; i <= sql.length(); i++) {
            char ch = i < sql.length() ? sql.charAt(i) : ' ';
            if (i < sql.length()) {
                lexer.feed(ch);
            }
            boolean code = !lexer.isInsideLiteralOrComment();
            boolean letter = code && (isWordStart(ch) || (start >= 0 && isWordPart(ch)));
            if (letter && start < 0) {
                start = i;
            } else if (!letter && start >= 0) {
                if (depth == 0 && sql.substring(start, i).equalsIgnoreCase(target)) {
                    return new int[] {start, i};
                }
                start = -1;
            }
            if (code && ch == '(') {
                depth++;
            } else if (code && ch == ')' && depth > 0) {
                depth--;
            }
        }
        return null;
    }
}
