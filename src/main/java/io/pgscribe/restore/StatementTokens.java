package io.pgscribe.restore;

import java.util.Locale;

/**
 * The tokens of one statement as {@link RenderedStatement} reads them: words, quoted names,
 * string literals (with their E'' escapes), numbers and punctuation; a comment, a dollar quote
 * or anything else ends the reading (not recognised). Positions are kept so that a statement
 * can be rewritten by its own spans.
 */
abstract class StatementTokens {

    enum T { WORD, QIDENT, STRING, NUMBER, PUNCT, END }

    /** Thrown where the text is not one of the forms read: the statement is not recognised. */
    static final class NotRecognised extends Exception {
        NotRecognised() {
            super(null, null, false, false);
        }
    }

    final String sql;
    int pos;
    T type;
    String text; // WORD: upper case; QIDENT: the name; PUNCT: the character(s)
    String raw; // WORD: as written
    int tokenStart;
    int lastEnd; // where the token next() last moved past ends

    StatementTokens(String sql) {
        this.sql = sql;
    }

    String identifier() throws NotRecognised {
        String n;
        if (type == T.QIDENT) {
            n = text;
        } else if (type == T.WORD) {
            n = raw.toLowerCase(Locale.ROOT);
        } else {
            throw new NotRecognised();
        }
        next();
        return n;
    }

    /** The next character after the current token and any spaces is a dot (a column named pg_catalog is not). */
    boolean followedByDot() {
        int p = pos;
        while (p < sql.length() && isSpace(sql.charAt(p))) {
            p++;
        }
        return p < sql.length() && sql.charAt(p) == '.';
    }

    boolean comma() throws NotRecognised {
        if (isPunct(",")) {
            next();
            return true;
        }
        return false;
    }

    boolean and() throws NotRecognised {
        if (isWord("AND")) {
            next();
            return true;
        }
        return false;
    }

    void word(String w) throws NotRecognised {
        if (!isWord(w)) {
            throw new NotRecognised();
        }
        next();
    }

    void punct(String p) throws NotRecognised {
        if (!isPunct(p)) {
            throw new NotRecognised();
        }
        next();
    }

    boolean isWord(String w) {
        return type == T.WORD && text.equals(w);
    }

    boolean isPunct(String p) {
        return type == T.PUNCT && text.equals(p);
    }

    /** Reads the next token; comments, dollar quotes and anything unexpected are not recognised. */
    void next() throws NotRecognised {
        lastEnd = pos;
        int n = sql.length();
        while (pos < n && isSpace(sql.charAt(pos))) {
            pos++;
        }
        if (pos >= n) {
            type = T.END;
            text = null;
            return;
        }
        char ch = sql.charAt(pos);
        int start = pos;
        tokenStart = pos;
        if (ch == '\'' || ((ch == 'E' || ch == 'e' || ch == 'B' || ch == 'b' || ch == 'X' || ch == 'x')
                && pos + 1 < n && sql.charAt(pos + 1) == '\'')) {
            boolean escapes = ch == 'E' || ch == 'e';
            pos = ch == '\'' ? pos + 1 : pos + 2;
            while (true) {
                if (pos >= n) {
                    throw new NotRecognised();
                }
                char c = sql.charAt(pos++);
                if (escapes && c == '\\') {
                    pos++;
                } else if (c == '\'') {
                    if (pos < n && sql.charAt(pos) == '\'') {
                        pos++;
                    } else {
                        break;
                    }
                }
            }
            type = T.STRING;
            text = null;
            return;
        }
        if (ch == '"') {
            StringBuilder sb = new StringBuilder();
            pos++;
            while (true) {
                if (pos >= n) {
                    throw new NotRecognised();
                }
                char c = sql.charAt(pos++);
                if (c == '"') {
                    if (pos < n && sql.charAt(pos) == '"') {
                        sb.append('"');
                        pos++;
                    } else {
                        break;
                    }
                } else {
                    sb.append(c);
                }
            }
            type = T.QIDENT;
            text = sb.toString();
            return;
        }
        if (isWordStart(ch)) {
            while (pos < n && isWordPart(sql.charAt(pos))) {
                pos++;
            }
            type = T.WORD;
            raw = sql.substring(start, pos);
            text = raw.toUpperCase(Locale.ROOT);
            return;
        }
        if (ch >= '0' && ch <= '9' || (ch == '.' && pos + 1 < n && Character.isDigit(sql.charAt(pos + 1)))) {
            while (pos < n && (Character.isDigit(sql.charAt(pos)) || sql.charAt(pos) == '.')) {
                pos++;
            }
            if (pos < n && (sql.charAt(pos) == 'e' || sql.charAt(pos) == 'E')) {
                pos++;
                if (pos < n && (sql.charAt(pos) == '+' || sql.charAt(pos) == '-')) {
                    pos++;
                }
                while (pos < n && Character.isDigit(sql.charAt(pos))) {
                    pos++;
                }
            }
            if (pos < n && isWordPart(sql.charAt(pos))) {
                throw new NotRecognised();
            }
            type = T.NUMBER;
            text = sql.substring(start, pos);
            return;
        }
        if (ch == ':' && pos + 1 < n && sql.charAt(pos + 1) == ':') {
            pos += 2;
            type = T.PUNCT;
            text = "::";
            return;
        }
        if ("(),.;".indexOf(ch) >= 0) {
            pos++;
            type = T.PUNCT;
            text = String.valueOf(ch);
            return;
        }
        if ("~!@#^&|`?+-*/%<>=".indexOf(ch) >= 0) {
            // an operator: the longest run of operator characters, with no comment inside
            while (pos < n && "~!@#^&|`?+-*/%<>=".indexOf(sql.charAt(pos)) >= 0) {
                if (sql.startsWith("--", pos) || sql.startsWith("/*", pos)) {
                    throw new NotRecognised();
                }
                pos++;
            }
            type = T.PUNCT;
            text = sql.substring(start, pos);
            return;
        }
        throw new NotRecognised();
    }

    static boolean isSpace(char ch) {
        return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f';
    }

    static boolean isWordStart(char ch) {
        return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_' || ch >= 0x80;
    }

    static boolean isWordPart(char ch) {
        return isWordStart(ch) || (ch >= '0' && ch <= '9') || ch == '$';
    }
}
