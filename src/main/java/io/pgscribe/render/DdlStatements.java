package io.pgscribe.render;

import io.pgscribe.sql.SqlLexer;
import io.pgscribe.sql.SqlScanner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What to replay for a logged DDL firing. A client may send several statements as one
 * query string, DDL and DML mixed; the event trigger then fires once per DDL statement,
 * all with the same query text, while the DML is in the stream already. So the k-th
 * firing replays the k-th statement of the string that fires the trigger, never the
 * whole string. DDL run inside a function or DO block replays the statement PostgreSQL
 * reports in the call context, not the outer call (whose other effects are in the stream).
 */
public final class DdlStatements {

    private DdlStatements() {
    }

    /** Commands on objects shared by the cluster: event triggers do not fire for them. */
    private static final Set<String> SHARED_OBJECTS = Set.of("DATABASE", "ROLE", "USER", "GROUP", "TABLESPACE", "SYSTEM",
            "EVENT");
    private static final Set<String> MODIFIERS = Set.of("OR", "REPLACE", "TEMP", "TEMPORARY", "UNLOGGED", "GLOBAL",
            "LOCAL", "UNIQUE", "RECURSIVE", "TRUSTED", "PROCEDURAL", "DEFAULT", "CONSTRAINT");
    private static final Set<String> ALWAYS_FIRE = Set.of("COMMENT", "SECURITY", "IMPORT", "REFRESH");

    /** The statements of {@code query} that fire ddl_command_end, in order, as written. */
    public static List<String> firing(String query) {
        List<String> out = new ArrayList<>();
        for (String s : split(query)) {
            if (firesDdlCommandEnd(s)) {
                out.add(s);
            }
        }
        return out;
    }

    /** The statements of a query string (code only, each with its terminating ';' when it had one). */
    public static List<String> split(String query) {
        List<String> out = new ArrayList<>();
        try (SqlScanner scanner = SqlScanner.of(query)) {
            SqlScanner.Statement st;
            while ((st = scanner.next()) != null) {
                if (st.hasCode()) {
                    out.add(st.code());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    static boolean firesDdlCommandEnd(String statement) {
        List<String> words = topLevelWords(statement, 6);
        if (words.isEmpty()) {
            return false;
        }
        String first = words.get(0);
        switch (first) {
            case "CREATE", "ALTER", "DROP" -> {
                int i = 1;
                while (i < words.size() && MODIFIERS.contains(words.get(i))) {
                    i++;
                }
                if (i >= words.size()) {
                    return true;
                }
                String object = words.get(i);
                if (object.equals("USER") && i + 1 < words.size() && words.get(i + 1).equals("MAPPING")) {
                    return true;
                }
                return !SHARED_OBJECTS.contains(object);
            }
            case "GRANT", "REVOKE" -> {
                // on objects (fires) rather than role membership (does not)
                return topLevelWords(statement, Integer.MAX_VALUE).contains("ON");
            }
            case "SELECT" -> {
                List<String> all = topLevelWords(statement, Integer.MAX_VALUE);
                int into = all.indexOf("INTO");
                int from = all.indexOf("FROM");
                return into > 0 && (from < 0 || into < from);
            }
            default -> {
                return ALWAYS_FIRE.contains(first);
            }
        }
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

    /**
     * The DDL statement a function or DO block ran, from the PG_CONTEXT the log row holds:
     * the first {@code SQL statement "..."} frame below the event trigger's own frames.
     * Null at top level; empty when the DDL ran where PostgreSQL reports no statement text
     * (an SQL-language function).
     */
    public static String nestedStatement(String context) {
        if (context == null) {
            return null;
        }
        int trigger = frameAfter(context, "pgscribe.on_ddl_command_end()");
        if (trigger < 0) {
            trigger = frameAfter(context, "pgscribe.on_sql_drop()");
        }
        if (trigger < 0 || trigger >= context.length()) {
            return null;
        }
        String rest = context.substring(trigger);
        String prefix = "SQL statement \"";
        if (!rest.startsWith(prefix)) {
            return "";
        }
        int end = -1;
        for (String next : new String[] {"\"\nPL/pgSQL function ", "\"\nSQL function ", "\"\nSQL statement "}) {
            int at = rest.indexOf(next, prefix.length());
            if (at >= 0 && (end < 0 || at < end)) {
                end = at;
            }
        }
        if (end < 0) {
            end = rest.endsWith("\"") ? rest.length() - 1 : -1;
        }
        return end < 0 ? "" : rest.substring(prefix.length(), end);
    }

    /** A one-line description of where nested DDL ran, for the segment comment. */
    public static String caller(String context) {
        int trigger = frameAfter(context, "pgscribe.on_ddl_command_end()");
        if (trigger < 0 || trigger >= context.length()) {
            return "a function";
        }
        String rest = context.substring(trigger);
        int nl = rest.indexOf('\n');
        return nl < 0 ? rest : rest.substring(0, nl);
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
        List<String> words = new ArrayList<>();
        SqlLexer lexer = new SqlLexer();
        StringBuilder word = new StringBuilder();
        int depth = 0;
        for (int i = 0; i < sql.length() && words.size() < max; i++) {
            char ch = sql.charAt(i);
            lexer.feed(ch);
            boolean code = !lexer.isInsideLiteralOrComment();
            if (code && depth == 0 && (isWordStart(ch) || (word.length() > 0 && isWordPart(ch)))) {
                word.append(ch);
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
