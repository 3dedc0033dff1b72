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
}
