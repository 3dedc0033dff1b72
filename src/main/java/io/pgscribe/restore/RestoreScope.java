package io.pgscribe.restore;

import io.pgscribe.ddl.DdlBlock;
import io.pgscribe.sql.SqlText;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * What a restore brings back: everything, or some tables ({@code --only-table}) and the
 * tables of some schemas ({@code --only-schema}).
 */
public record RestoreScope(Set<Name> tables, Set<String> schemas) {

    /** A schema-qualified name, exact (unquoted, case as stored). */
    public record Name(String schema, String name) {
        @Override
        public String toString() {
            return schema + "." + name;
        }
    }

    public static final RestoreScope ALL = new RestoreScope(Set.of(), Set.of());

    public boolean all() {
        return tables.isEmpty() && schemas.isEmpty();
    }

    public boolean includes(String schema, String table) {
        return all() || schemas.contains(schema) || tables.contains(new Name(schema, table));
    }

    /** Whether a subset restore applies a row change: one of its tables is restored (a sequence sample always is). */
    boolean covers(RenderedStatement.Recognised r) {
        if (all() || r.kind() == RenderedStatement.Kind.SETVAL) {
            return true; // harmless without its table
        }
        for (Name t : r.tables()) {
            if (includes(t.schema(), t.name())) {
                return true;
            }
        }
        return false;
    }

    /** A TRUNCATE of several tables, of the restored ones only. */
    String truncateOf(RenderedStatement.Recognised r) {
        List<Name> names = r.tables().stream().filter(n -> includes(n.schema(), n.name())).toList();
        return "TRUNCATE " + String.join(", ", names.stream().map(n -> "ONLY " + SqlText.qualified(n.schema(), n.name()))
                .toList()) + ";";
    }

    /** A subset restore replays the DDL about its tables and leaves out the rest. */
    boolean isAbout(DdlBlock.Block block) {
        if (all()) {
            return true;
        }
        String object = block.trace().object();
        if (object != null) {
            for (String identity : object.split(", ")) {
                if (identity.indexOf('.') > 0) {
                    try {
                        List<String> parts = splitIdentifiers(identity);
                        if (parts.size() >= 2 && includes(parts.get(0), parts.get(1))) {
                            return true;
                        }
                    } catch (IllegalArgumentException e) {
                        // not a schema-qualified name
                    }
                }
            }
        }
        // e.g. CREATE INDEX, whose object is the index: about a restored table if it names one
        String code = block.statement();
        for (Name n : quotedQualifiedNames(code)) {
            if (includes(n.schema(), n.name())) {
                return true;
            }
        }
        String upper = code.toUpperCase(java.util.Locale.ROOT);
        for (Name n : tables) {
            String name = n.name().toUpperCase(java.util.Locale.ROOT);
            if (upper.contains(" " + name + " ") || upper.contains(" " + name + "(")) {
                return true;
            }
        }
        return false;
    }

    /**
     * {@code --only-table} values: {@code schema.table} or {@code table} (public), each part
     * as written in SQL ({@code "Mixed Case"."Odd Table"} keeps its case, unquoted folds to lower).
     */
    public static Name parseTable(String text) {
        List<String> parts = splitIdentifiers(text.strip());
        if (parts.size() == 1) {
            return new Name("public", parts.get(0));
        }
        if (parts.size() == 2) {
            return new Name(parts.get(0), parts.get(1));
        }
        throw new IllegalArgumentException("not a table name: " + text);
    }

    public static String parseSchema(String text) {
        List<String> parts = splitIdentifiers(text.strip());
        if (parts.size() != 1) {
            throw new IllegalArgumentException("not a schema name: " + text);
        }
        return parts.get(0);
    }

    /** Identifiers separated by dots: quoted ones exact, unquoted ones folded to lower case. */
    static List<String> splitIdentifiers(String text) {
        List<String> out = new ArrayList<>();
        int i = 0;
        while (i < text.length()) {
            StringBuilder part = new StringBuilder();
            if (text.charAt(i) == '"') {
                int[] at = {i};
                String quoted = io.pgscribe.sql.DumpIdentifier.readQuoted(text, at);
                if (quoted == null) {
                    throw new IllegalArgumentException("an empty or unclosed quoted name: " + text);
                }
                part.append(quoted);
                i = at[0];
            } else {
                while (i < text.length() && text.charAt(i) != '.') {
                    part.append(Character.toLowerCase(text.charAt(i)));
                    i++;
                }
            }
            out.add(part.toString());
            if (i < text.length() && text.charAt(i) == '.') {
                i++;
            } else if (i < text.length()) {
                throw new IllegalArgumentException("unexpected text after a name: " + text);
            }
        }
        return out;
    }

    /** Every {@code "schema"."name"} in a statement outside string literals, in order. */
    public static List<Name> quotedQualifiedNames(String sql) {
        List<Name> out = new ArrayList<>();
        int i = 0;
        int n = sql.length();
        while (i < n) {
            char ch = sql.charAt(i);
            if (ch == '\'') {
                i = skipLiteral(sql, i);
            } else if (ch == '"') {
                int[] at = {i};
                String first = io.pgscribe.sql.DumpIdentifier.readQuoted(sql, at);
                if (first == null) {
                    if (!sql.startsWith("\"\"", i)) {
                        break; // not closed: no name follows
                    }
                    i += 2;
                    continue;
                }
                i = at[0];
                if (i + 1 < n && sql.charAt(i) == '.' && sql.charAt(i + 1) == '"') {
                    at[0] = i + 1;
                    String second = io.pgscribe.sql.DumpIdentifier.readQuoted(sql, at);
                    if (second != null) {
                        out.add(new Name(first, second));
                        i = at[0];
                    }
                }
            } else {
                i++;
            }
        }
        return out;
    }

    private static int skipLiteral(String sql, int start) {
        int i = start + 1;
        while (i < sql.length()) {
            if (sql.charAt(i) == '\'') {
                if (i + 1 < sql.length() && sql.charAt(i + 1) == '\'') {
                    i += 2;
                    continue;
                }
                return i + 1;
            }
            i++;
        }
        return i;
    }
}
