package io.pgscribe.sql;

import java.io.Closeable;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;

/**
 * Splits SQL text into statements with {@link SqlLexer}, streaming: memory is bounded by
 * the largest single statement. A comment on the same line after the {@code ;} belongs to
 * the statement it follows, so {@code BEGIN; -- {...}} comes back whole.
 */
public final class SqlScanner implements Closeable {

    /**
     * One statement: its text (with leading comments and blank lines), terminated or not;
     * {@code closed}: it ended outside every literal, comment and parenthesis;
     * {@code backslashInPlainLiteral}: a plain literal of it held a backslash (see {@link SqlLexer}).
     */
    public record Statement(String text, boolean terminated, boolean hasCode, boolean closed,
                            boolean backslashInPlainLiteral) {
        /** The text without leading comment lines and surrounding white space. */
        public String code() {
            return stripLeadingComments(text);
        }
    }

    private final Reader in;
    private final char[] buf = new char[64 * 1024];
    private int pos;
    private int limit;
    private long charsRead;
    private final SqlLexer lexer;
    private final StringBuilder stmt = new StringBuilder(256);

    public SqlScanner(Reader in) {
        this(in, true);
    }

    /** {@code standardConformingStrings}: the setting the text was written under. */
    public SqlScanner(Reader in, boolean standardConformingStrings) {
        this.in = in;
        this.lexer = new SqlLexer(standardConformingStrings);
    }

    public static SqlScanner of(String sql) {
        return new SqlScanner(new StringReader(sql));
    }

    public static SqlScanner of(String sql, boolean standardConformingStrings) {
        return new SqlScanner(new StringReader(sql), standardConformingStrings);
    }

    /** Characters consumed so far, for progress reporting. */
    public long charsRead() {
        return charsRead;
    }

    /** The next statement, or null when only white space remains. */
    public Statement next() throws IOException {
        stmt.setLength(0);
        lexer.reset();
        int c;
        while ((c = read()) >= 0) {
            char ch = (char) c;
            stmt.append(ch);
            if (lexer.feed(ch)) {
                boolean backslash = lexer.sawBackslashInPlainLiteral();
                readTrailingLineComment();
                return new Statement(stmt.toString(), true, true, true, backslash);
            }
        }
        if (stmt.isEmpty() || (!lexer.hasCode() && stmt.toString().isBlank())) {
            return null;
        }
        return new Statement(stmt.toString(), false, lexer.hasCode(), lexer.isAtTopLevel(),
                lexer.sawBackslashInPlainLiteral());
    }

    /**
     * True when {@code sql} has code after its last {@code ;}, or ends inside a literal or
     * block comment. A trailing {@code --} comment is fine as long as a newline follows.
     */
    public static boolean needsTerminator(String sql) {
        SqlLexer lexer = new SqlLexer();
        for (int i = 0; i < sql.length(); i++) {
            if (lexer.feed(sql.charAt(i))) {
                lexer.reset();
            }
        }
        return lexer.hasCode() || !lexer.isAtTopLevel();
    }

    /** True when {@code sql} ends inside a {@code --} comment, so a terminator must go on a new line. */
    public static boolean endsInLineComment(String sql) {
        SqlLexer lexer = new SqlLexer();
        for (int i = 0; i < sql.length(); i++) {
            if (lexer.feed(sql.charAt(i))) {
                lexer.reset();
            }
        }
        return lexer.isInLineComment();
    }

    /** The white space and comments before the code of {@code text}. */
    public static String leadingComments(String text) {
        return text.substring(0, codeStart(text));
    }

    /** Removes leading white space and comments. */
    public static String stripLeadingComments(String text) {
        return text.substring(codeStart(text)).strip();
    }

    private static int codeStart(String text) {
        int i = 0;
        int n = text.length();
        while (i < n) {
            char ch = text.charAt(i);
            if (Character.isWhitespace(ch)) {
                i++;
            } else if (text.startsWith("--", i)) {
                while (i < n && text.charAt(i) != '\n' && text.charAt(i) != '\r') {
                    i++; // a -- comment ends at either line end, as in the server's lexer
                }
            } else if (text.startsWith("/*", i)) {
                int depth = 1;
                i += 2;
                while (i < n && depth > 0) {
                    if (text.startsWith("/*", i)) {
                        depth++;
                        i += 2;
                    } else if (text.startsWith("*/", i)) {
                        depth--;
                        i += 2;
                    } else {
                        i++;
                    }
                }
            } else {
                break;
            }
        }
        return i;
    }

    /** After a {@code ;}: spaces, an optional {@code --} comment, and the line end belong to this statement. */
    private void readTrailingLineComment() throws IOException {
        int p;
        while ((p = peek(0)) == ' ' || p == '\t') {
            stmt.append((char) read());
        }
        if (p == '-' && peek(1) == '-') {
            // the comment runs to the line end, \r or \n (and the \n of a \r\n belongs with it)
            while ((p = peek(0)) >= 0 && p != '\n' && p != '\r') {
                stmt.append((char) read());
            }
        }
        if (p == '\r' && peek(1) == '\n') {
            stmt.append((char) read());
            p = peek(0);
        }
        if (p == '\n') {
            stmt.append((char) read());
        }
    }

    private int read() throws IOException {
        if (pos >= limit && !fill(0)) {
            return -1;
        }
        charsRead++;
        return buf[pos++];
    }

    private int peek(int ahead) throws IOException {
        if (pos + ahead >= limit && !fill(ahead)) {
            return -1;
        }
        return pos + ahead < limit ? buf[pos + ahead] : -1;
    }

    /** Keeps unread characters, reads more; false when nothing more could be read. */
    private boolean fill(int ahead) throws IOException {
        int remaining = limit - pos;
        System.arraycopy(buf, pos, buf, 0, remaining);
        pos = 0;
        limit = remaining;
        while (limit <= ahead) {
            int n = in.read(buf, limit, buf.length - limit);
            if (n <= 0) {
                return limit > 0;
            }
            limit += n;
        }
        return true;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
