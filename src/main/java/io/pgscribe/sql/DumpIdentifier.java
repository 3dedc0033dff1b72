package io.pgscribe.sql;

/**
 * An identifier as pg_dump writes it (its {@code fmtId}): lower-case letters, digits, {@code _}
 * and {@code $} bare, anything else in double quotes with {@code ""} for a quote. Reading one
 * back where pgscribe rewrites a statement of a base.
 */
public final class DumpIdentifier {

    private DumpIdentifier() {
    }

    /** The name at {@code at[0]} of {@code s}, and {@code at[0]} moved past it; null (not moved) if none is there. */
    public static String read(String s, int[] at) {
        int i = at[0];
        if (i >= s.length()) {
            return null;
        }
        if (s.charAt(i) == '"') {
            return readQuoted(s, at);
        }
        int j = i;
        while (j < s.length() && isBare(s.charAt(j))) {
            j++;
        }
        if (j == i || Character.isDigit(s.charAt(i)) || s.charAt(i) == '$') {
            return null;
        }
        at[0] = j;
        return s.substring(i, j);
    }

    /**
     * A double-quoted name at {@code at[0]} ({@code ""} for a quote inside), and {@code at[0]}
     * moved past its closing quote; null (not moved) if empty or not closed.
     */
    public static String readQuoted(String s, int[] at) {
        int i = at[0];
        if (i >= s.length() || s.charAt(i) != '"') {
            return null;
        }
        StringBuilder name = new StringBuilder();
        i++;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '"') {
                if (i + 1 < s.length() && s.charAt(i + 1) == '"') {
                    name.append('"');
                    i += 2;
                    continue;
                }
                if (name.isEmpty()) {
                    return null;
                }
                at[0] = i + 1;
                return name.toString();
            }
            name.append(c);
            i++;
        }
        return null;
    }

    /** A {@code schema.name} pair at {@code at[0]}: its text as written (quotes kept), or null. */
    public static String readQualified(String s, int[] at) {
        int start = at[0];
        int[] p = {start};
        if (read(s, p) == null || !s.startsWith(".", p[0])) {
            return null;
        }
        p[0]++;
        if (read(s, p) == null) {
            return null;
        }
        at[0] = p[0];
        return s.substring(start, p[0]);
    }

    private static boolean isBare(char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '$';
    }
}
