package io.pgscribe.sql;

/**
 * Quoting for SQL text we write. Identifiers are always double-quoted: a name that is a
 * plain word today may become a keyword in a PostgreSQL release ten years from now.
 */
public final class SqlText {

    private SqlText() {
    }

    public static String identifier(String name) {
        StringBuilder sb = new StringBuilder(name.length() + 2);
        appendIdentifier(sb, name);
        return sb.toString();
    }

    public static void appendIdentifier(StringBuilder sb, String name) {
        appendQuoted(sb, name, '"');
    }

    /** {@code "schema"."table"} */
    public static String qualified(String schema, String table) {
        StringBuilder sb = new StringBuilder(schema.length() + table.length() + 5);
        appendIdentifier(sb, schema);
        sb.append('.');
        appendIdentifier(sb, table);
        return sb.toString();
    }

    /** A standard-conforming string literal: quotes doubled, backslashes literal. */
    public static String literal(String value) {
        StringBuilder sb = new StringBuilder(value.length() + 2);
        appendLiteral(sb, value);
        return sb.toString();
    }

    public static void appendLiteral(StringBuilder sb, String value) {
        appendQuoted(sb, value, '\'');
    }

    /**
     * Text for a {@code --} comment: a JSON string, so every control character is escaped. The
     * server (and psql) end a {@code --} comment at {@code \n} or {@code \r}; an unescaped one would
     * end the comment and make the rest of the text code.
     */
    public static String commentText(String text) {
        return '"' + new String(com.fasterxml.jackson.core.io.JsonStringEncoder.getInstance().quoteAsString(text)) + '"';
    }

    // runs for every column of every row: whole runs between quotes appended at once (char by char showed in a profile)
    private static void appendQuoted(StringBuilder sb, String text, char quote) {
        sb.append(quote);
        int start = 0;
        int q;
        while ((q = text.indexOf(quote, start)) >= 0) {
            sb.append(text, start, q + 1).append(quote);
            start = q + 1;
        }
        sb.append(text, start, text.length()).append(quote);
    }

    /**
     * {@code sql} as psql runs it unchanged: a colon before a name or quote outside literals and
     * comments ({@code a[1:n]}) gets a space after it, which means the same to the server, so that
     * psql ({@code psql -f} of a segment) never reads it as a variable ({@code :LAST_ERROR_MESSAGE})
     * whose text a role could have chosen. {@code ::} casts are left as they are.
     */
    public static String withoutPsqlVariables(String sql) {
        SqlLexer lexer = new SqlLexer();
        StringBuilder out = null;
        for (int i = 0; i < sql.length(); i++) {
            char ch = sql.charAt(i);
            boolean code = !lexer.isInsideLiteralOrComment();
            if (lexer.feed(ch)) {
                lexer.reset();
            }
            if (ch == ':' && code && i + 1 < sql.length() && (i == 0 || sql.charAt(i - 1) != ':')) {
                char next = sql.charAt(i + 1);
                if (next == '\'' || next == '"' || next == '_' || Character.isLetter(next)) {
                    if (out == null) {
                        out = new StringBuilder(sql.length() + 8).append(sql, 0, i + 1);
                    } else {
                        out.append(ch);
                    }
                    out.append(' ');
                    continue;
                }
            }
            if (out != null) {
                out.append(ch);
            }
        }
        return out == null ? sql : out.toString();
    }
}
