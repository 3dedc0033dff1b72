package io.pgscribe.decode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the column values out of one {@code INSERT INTO t (a, b) VALUES (1, 'x');} as
 * decoder_raw writes it: literals are quoted strings, numbers, {@code null}, booleans.
 * Used to see the DDL log rows in decoder_raw output.
 */
public final class RawInsertParser {

    private RawInsertParser() {
    }

    /** {@code sql} changes a table of {@code schema}, named unquoted, as decoder_raw writes a plain name. */
    public static boolean touchesSchema(String sql, String schema) {
        String s = sql.stripLeading();
        for (String verb : new String[] {"INSERT INTO ", "UPDATE ", "DELETE FROM ", "TRUNCATE "}) {
            String prefix = verb + schema + ".";
            if (s.regionMatches(true, 0, prefix, 0, prefix.length())) {
                return true;
            }
        }
        return false;
    }

    /** The target table as written ({@code schema.table}), or null if not an INSERT. */
    public static String target(String sql) {
        String s = sql.stripLeading();
        if (!s.regionMatches(true, 0, "INSERT INTO ", 0, 12)) {
            return null;
        }
        int open = s.indexOf(" (", 12);
        return open < 0 ? null : s.substring(12, open).strip();
    }

    /** Column name to value text (null for SQL NULL). */
    public static Map<String, String> values(String sql) {
        String s = sql.strip();
        int colsOpen = s.indexOf('(');
        int colsClose = s.indexOf(')', colsOpen);
        if (colsOpen < 0 || colsClose < 0) {
            throw new DecodeException("not an INSERT with a column list: " + Wal2JsonDecoder.abbreviate(s));
        }
        List<String> names = new ArrayList<>();
        for (String n : s.substring(colsOpen + 1, colsClose).split(",")) {
            String name = n.strip();
            if (name.startsWith("\"") && name.endsWith("\"")) {
                name = name.substring(1, name.length() - 1).replace("\"\"", "\"");
            }
            names.add(name);
        }
        int valuesAt = s.toUpperCase(java.util.Locale.ROOT).indexOf("VALUES", colsClose);
        int i = s.indexOf('(', valuesAt) + 1;
        if (valuesAt < 0 || i <= 0) {
            throw new DecodeException("INSERT without VALUES: " + Wal2JsonDecoder.abbreviate(s));
        }
        List<String> vals = new ArrayList<>();
        while (i < s.length()) {
            char ch = s.charAt(i);
            if (ch == ' ' || ch == ',') {
                i++;
            } else if (ch == ')') {
                break;
            } else if (ch == '\'') {
                StringBuilder v = new StringBuilder();
                i++;
                while (i < s.length()) {
                    char c = s.charAt(i);
                    if (c == '\'') {
                        if (i + 1 < s.length() && s.charAt(i + 1) == '\'') {
                            v.append('\'');
                            i += 2;
                            continue;
                        }
                        i++;
                        break;
                    }
                    v.append(c);
                    i++;
                }
                vals.add(v.toString());
            } else {
                int j = i;
                while (j < s.length() && s.charAt(j) != ',' && s.charAt(j) != ')') {
                    j++;
                }
                String word = s.substring(i, j).strip();
                vals.add(word.equalsIgnoreCase("null") ? null : word);
                i = j;
            }
        }
        if (vals.size() != names.size()) {
            throw new DecodeException("INSERT has " + names.size() + " columns but " + vals.size() + " values");
        }
        Map<String, String> map = new LinkedHashMap<>();
        for (int k = 0; k < names.size(); k++) {
            map.put(names.get(k), vals.get(k));
        }
        return map;
    }
}
