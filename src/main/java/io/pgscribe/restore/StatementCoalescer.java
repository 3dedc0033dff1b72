package io.pgscribe.restore;

import io.pgscribe.render.SqlRenderer;

/**
 * Joins runs of single-row statements into one operation as they are replayed: consecutive
 * {@code INSERT INTO t (cols) VALUES (...);} with the same table and columns become one
 * multi-row INSERT, or for a long run a COPY (its literals turned into COPY text, which the
 * same input functions read); consecutive {@code DELETE FROM t WHERE "key" OPERATOR(pg_catalog.=) v;}
 * one {@code DELETE ... WHERE "key" IN (...)} (the restore runs it under search_path pg_catalog, so
 * IN compares with pg_catalog's {@code =}). The server then parses, plans and executes
 * once per run instead of once per row, which is most of what a row costs.
 *
 * <p>Only the exact shapes the renderer writes are joined; anything else (a hand-edited
 * statement, a composite key, a FULL-identity ctid lookup) passes through unchanged and
 * ends the run. A multi-row INSERT coerces each row's literals to the column types just
 * as a single-row one does, and order within a transaction is kept, so the result is the
 * same rows; ALWAYS statement triggers would fire once per run rather than per row.
 */
final class StatementCoalescer {

    static final int MAX_ROWS = 5000;
    static final int MAX_CHARS = 1 << 20;
    /** Below this many rows a multi-row INSERT costs less than COPY's extra round trips. */
    static final int COPY_MIN_ROWS = 50;

    /** Where joined statements go: SQL text, or a COPY with its data. */
    interface Output {
        StringBuilder sql();

        void copy(String command, String data, int rows);
    }

    private enum Kind { NONE, INSERT, DELETE }

    private Kind kind = Kind.NONE;
    private String head; // INSERT: "INSERT INTO t (cols) VALUES "; DELETE: "DELETE FROM t WHERE "key""
    private int columnsEnd; // INSERT: the end of "t (cols)" in head
    private final StringBuilder items = new StringBuilder();
    private int rows;

    /** Into a plain buffer: SQL only, never COPY. */
    static Output into(StringBuilder sb) {
        return new Output() {
            @Override
            public StringBuilder sql() {
                return sb;
            }

            @Override
            public void copy(String command, String data, int rows) {
                throw new UnsupportedOperationException("COPY into a plain buffer");
            }
        };
    }

    private final boolean copyAllowed;

    StatementCoalescer() {
        this(false);
    }

    StatementCoalescer(boolean copyAllowed) {
        this.copyAllowed = copyAllowed;
    }

    void add(String sql, StringBuilder out) {
        add(sql, into(out));
    }

    void flush(StringBuilder out) {
        flush(into(out));
    }

    /** Adds one statement (its text, ending in ";"), writing to {@code out} whatever can no longer be joined. */
    void add(String sql, Output out) {
        if (sql.startsWith("INSERT INTO ")) {
            int[] at = insertShape(sql);
            if (at != null) {
                join(Kind.INSERT, sql.substring(0, at[1]), at[0], sql, at[1], sql.lastIndexOf(';'), out);
                return;
            }
        } else if (sql.startsWith("DELETE FROM ")) {
            int[] key = deleteKey(sql);
            if (key != null) {
                join(Kind.DELETE, sql.substring(0, key[0]), 0, sql, key[1], key[2], out);
                return;
            }
        }
        flush(out);
        out.sql().append(sql);
    }

    /** Forgets the pending run (its transaction was rolled back). */
    void discard() {
        kind = Kind.NONE;
        head = null;
        items.setLength(0);
        rows = 0;
    }

    /** Writes the pending run, if any. */
    void flush(Output out) {
        if (kind == Kind.NONE) {
            return;
        }
        Kind k = kind;
        String h = head;
        int n = rows;
        String list = items.toString();
        kind = Kind.NONE;
        head = null;
        items.setLength(0);
        rows = 0;
        if (k == Kind.INSERT) {
            String data = copyAllowed && n >= COPY_MIN_ROWS ? CopyText.fromRows(list) : null;
            if (data != null) {
                out.copy("COPY " + h.substring(12, columnsEnd) + " FROM STDIN", data, n);
            } else {
                out.sql().append(h).append(list).append(";\n");
            }
        } else if (n == 1) {
            out.sql().append(h).append(' ').append(SqlRenderer.EQUALS).append(' ').append(list).append(";\n");
        } else {
            out.sql().append(h).append(" IN (").append(list).append(");\n");
        }
    }

    private void join(Kind k, String h, int colsEnd, String sql, int from, int to, Output out) {
        if (kind != k || !head.equals(h) || rows >= MAX_ROWS || items.length() + (to - from) > MAX_CHARS) {
            flush(out);
            kind = k;
            head = h;
            columnsEnd = colsEnd;
        } else {
            items.append(", ");
        }
        items.append(sql, from, to);
        rows++;
    }

    /**
     * For a renderer-shaped single-row INSERT, {@code INSERT INTO "s"."t" ("a", "b")
     * [OVERRIDING SYSTEM VALUE ]VALUES (...);} with exactly one row and nothing after it:
     * the end of the column list and the start of the row (its "("); else null.
     */
    static int[] insertShape(String sql) {
        int p = qualifiedName(sql, 12);
        if (p < 0 || !sql.startsWith(" (", p)) {
            return null;
        }
        p += 2;
        while (true) {
            p = quoted(sql, p);
            if (p < 0) {
                return null;
            }
            if (sql.startsWith(", ", p)) {
                p += 2;
            } else if (sql.startsWith(")", p)) {
                p++;
                break;
            } else {
                return null;
            }
        }
        int columnsEnd = p;
        if (sql.startsWith(" OVERRIDING SYSTEM VALUE", p)) {
            p += 24;
        }
        if (!sql.startsWith(" VALUES (", p)) {
            return null;
        }
        int row = p + 8;
        int close = matchingParen(sql, row);
        return close >= 0 && endsAfter(sql, close + 1) ? new int[] {columnsEnd, row} : null;
    }

    private static final String EQUALS = " " + SqlRenderer.EQUALS + " ";

    /**
     * For {@code DELETE FROM [ONLY] "s"."t" WHERE "key" OPERATOR(pg_catalog.=) literal;} (or, as segments
     * written before, {@code "key" = literal}): the end of the part before the operator, and the
     * start and end of the literal; else null.
     */
    static int[] deleteKey(String sql) {
        int p = qualifiedName(sql, sql.startsWith("DELETE FROM ONLY ") ? 17 : 12);
        if (p < 0 || !sql.startsWith(" WHERE ", p)) {
            return null;
        }
        p = quoted(sql, p + 7);
        int operator = p < 0 ? 0 : sql.startsWith(EQUALS, p) ? EQUALS.length() : sql.startsWith(" = ", p) ? 3 : 0;
        if (operator == 0) {
            return null;
        }
        int headEnd = p;
        int start = p + operator;
        int end = literal(sql, start);
        return end > start && endsAfter(sql, end) ? new int[] {headEnd, start, end} : null;
    }

    /** After {@code "schema"."table"} starting at {@code p}, or -1. */
    private static int qualifiedName(String sql, int p) {
        p = quoted(sql, p);
        if (p < 0 || p >= sql.length() || sql.charAt(p) != '.') {
            return -1;
        }
        return quoted(sql, p + 1);
    }

    /** After a double-quoted identifier starting at {@code p}, or -1. */
    private static int quoted(String sql, int p) {
        if (p >= sql.length() || sql.charAt(p) != '"') {
            return -1;
        }
        for (int i = p + 1; i < sql.length(); i++) {
            if (sql.charAt(i) == '"') {
                if (i + 1 < sql.length() && sql.charAt(i + 1) == '"') {
                    i++;
                } else {
                    return i + 1;
                }
            }
        }
        return -1;
    }

    /** After a plain quoted string or a bare number starting at {@code p}, or -1. */
    private static int literal(String sql, int p) {
        if (p >= sql.length()) {
            return -1;
        }
        if (sql.charAt(p) == '\'') {
            return string(sql, p);
        }
        int i = p;
        while (i < sql.length() && "0123456789.-+eE".indexOf(sql.charAt(i)) >= 0) {
            i++;
        }
        return i > p && Character.isDigit(sql.charAt(i - 1)) ? i : -1;
    }

    /** After a standard '...' string ('' inside), or -1. */
    static int string(String sql, int p) {
        for (int i = p + 1; i < sql.length(); i++) {
            if (sql.charAt(i) == '\'') {
                if (i + 1 < sql.length() && sql.charAt(i + 1) == '\'') {
                    i++;
                } else {
                    return i + 1;
                }
            }
        }
        return -1;
    }

    /**
     * The ")" closing the "(" at {@code open}, skipping strings and quoted identifiers; -1
     * for anything that is not plainly a row (a dollar quote, an escape string).
     */
    private static int matchingParen(String sql, int open) {
        int depth = 0;
        for (int i = open; i < sql.length(); i++) {
            char ch = sql.charAt(i);
            switch (ch) {
                case '(' -> depth++;
                case ')' -> {
                    if (--depth == 0) {
                        return i;
                    }
                }
                case '\'' -> {
                    if (i > 0 && (sql.charAt(i - 1) == 'E' || sql.charAt(i - 1) == 'e')) {
                        return -1;
                    }
                    i = string(sql, i) - 1;
                    if (i < 0) {
                        return -1;
                    }
                }
                case '"' -> {
                    i = quoted(sql, i) - 1;
                    if (i < 0) {
                        return -1;
                    }
                }
                case '$', ';', '-', '/' -> {
                    // dollar quotes, a second statement, comments: not the renderer's shape
                    if (ch == '$' || ch == ';' || (i + 1 < sql.length() && sql.charAt(i + 1) == ch)
                            || (ch == '/' && i + 1 < sql.length() && sql.charAt(i + 1) == '*')) {
                        return -1;
                    }
                }
                default -> {
                }
            }
        }
        return -1;
    }

    /** Whether only ";" and a line end follow {@code p}. */
    private static boolean endsAfter(String sql, int p) {
        if (p >= sql.length() || sql.charAt(p) != ';') {
            return false;
        }
        for (int i = p + 1; i < sql.length(); i++) {
            if (!Character.isWhitespace(sql.charAt(i))) {
                return false;
            }
        }
        return true;
    }
}
