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

    // runs for every column of every row: whole runs appended between quotes, as appendLiteral does (char by char showed in a profile)
    public static void appendIdentifier(StringBuilder sb, String name) {
        sb.append('"');
        int start = 0;
        int q;
        while ((q = name.indexOf('"', start)) >= 0) {
            sb.append(name, start, q + 1).append('"');
            start = q + 1;
        }
        sb.append(name, start, name.length()).append('"');
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
        sb.append('\'');
        int start = 0;
        int q;
        while ((q = value.indexOf('\'', start)) >= 0) {
            sb.append(value, start, q + 1).append('\'');
            start = q + 1;
        }
        sb.append(value, start, value.length()).append('\'');
    }
}
