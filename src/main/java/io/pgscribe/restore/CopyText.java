package io.pgscribe.restore;

/**
 * Turns the rows of a multi-row VALUES list, as the renderer writes them, into COPY text
 * format: {@code NULL} becomes {@code \N}, a quoted string its content (quotes undoubled,
 * then backslash, tab, newline and carriage return escaped), a bare number or boolean
 * stays as it is. COPY hands each field to the column's input function, exactly as the
 * INSERT coerced the untyped literal. Anything else (a cast, an expression) is no row of
 * ours: the answer is null and the INSERT is used as it is.
 */
final class CopyText {

    private CopyText() {
    }

    static String fromRows(String rows) {
        StringBuilder out = new StringBuilder(rows.length());
        int p = 0;
        int n = rows.length();
        while (p < n) {
            if (rows.charAt(p) != '(') {
                return null;
            }
            p++;
            while (true) {
                p = field(rows, p, out);
                if (p < 0) {
                    return null;
                }
                if (rows.startsWith(", ", p)) {
                    out.append('\t');
                    p += 2;
                } else if (p < n && rows.charAt(p) == ')') {
                    out.append('\n');
                    p++;
                    break;
                } else {
                    return null;
                }
            }
            if (p < n) {
                if (!rows.startsWith(", ", p)) {
                    return null;
                }
                p += 2;
            }
        }
        return out.toString();
    }

    /** Appends one field's COPY text; the position after it, or -1. */
    private static int field(String s, int p, StringBuilder out) {
        if (p >= s.length()) {
            return -1;
        }
        char c = s.charAt(p);
        if (c == '\'') {
            int end = StatementCoalescer.string(s, p);
            if (end < 0) {
                return -1;
            }
            for (int i = p + 1; i < end - 1; i++) {
                char ch = s.charAt(i);
                switch (ch) {
                    case '\'' -> {
                        out.append('\'');
                        i++; // the second of a doubled quote
                    }
                    case '\\' -> out.append("\\\\");
                    case '\t' -> out.append("\\t");
                    case '\n' -> out.append("\\n");
                    case '\r' -> out.append("\\r");
                    default -> out.append(ch);
                }
            }
            return end;
        }
        if (s.startsWith("NULL", p)) {
            out.append("\\N");
            return p + 4;
        }
        if (s.startsWith("true", p) || s.startsWith("false", p)) {
            int len = c == 't' ? 4 : 5;
            out.append(s, p, p + len);
            return p + len;
        }
        int i = p;
        while (i < s.length() && "0123456789.-+eE".indexOf(s.charAt(i)) >= 0) {
            i++;
        }
        if (i == p || !Character.isDigit(s.charAt(i - 1))) {
            return -1;
        }
        out.append(s, p, i);
        return i;
    }
}
