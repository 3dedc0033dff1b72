package io.pgscribe.render;

import io.pgscribe.decode.Change;
import io.pgscribe.decode.Column;
import io.pgscribe.manifest.TableShape;
import io.pgscribe.sql.SqlText;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Renders row changes as SQL statements, one per line group, each ending in {@code ;\n}.
 *
 * <ul>
 *   <li>Values are written as literals the column's input function reads back exactly:
 *       strings quoted (no casts: the column type coerces them), integers and decimals bare,
 *       floats quoted (keeps {@code -0} and exponents), bytea with its {@code \x}.</li>
 *   <li>UPDATE/DELETE find the row by its primary key when it has one; otherwise (FULL
 *       identity) by every column, limited to one row through its ctid, because identical
 *       rows may exist and the source changed only one of them.</li>
 *   <li>Types whose {@code =} is not equality (json, xml, geometric types compare by area or
 *       not at all, composites) are compared as text; a FULL identity row is matched by both
 *       {@code =} and its text (byte by byte) in every column but a boolean: {@code =} is looser
 *       than the text for numeric, floats, intervals, jsonb, ranges, arrays, an extension's
 *       operator and a nondeterministic collation.</li>
 *   <li>Every operator is named with its schema ({@code OPERATOR(pg_catalog.=)}, or the one a
 *       column's type from outside pg_catalog has, from its table shape): none resolves through
 *       a search_path, so no role can put its own operator in the way of a restore.</li>
 *   <li>Generated columns are never written; unchanged columns are left out of SET.</li>
 * </ul>
 */
public final class SqlRenderer {

    private final TableShapes shapes;

    public SqlRenderer(TableShapes shapes) {
        this.shapes = shapes;
    }

    public void insert(Change.Insert c, StringBuilder out) {
        TableShape shape = shapes.get(c.schema(), c.table());
        List<Column> cols = writable(c.columns(), shape);
        out.append("INSERT INTO ");
        out.append(SqlText.qualified(c.schema(), c.table()));
        if (cols.isEmpty()) {
            out.append(" DEFAULT VALUES;\n");
            return;
        }
        out.append(" (");
        for (int i = 0; i < cols.size(); i++) {
            if (i > 0) {
                out.append(", ");
            }
            SqlText.appendIdentifier(out, cols.get(i).name());
        }
        out.append(')');
        if (shape != null && !shape.alwaysIdentity().isEmpty()) {
            out.append(" OVERRIDING SYSTEM VALUE");
        }
        out.append(" VALUES (");
        for (int i = 0; i < cols.size(); i++) {
            if (i > 0) {
                out.append(", ");
            }
            appendValue(out, cols.get(i));
        }
        out.append(");\n");
    }

    /** Appends nothing when the update changed no column (e.g. a FULL identity row rewritten as it was). */
    public void update(Change.Update c, StringBuilder out) {
        TableShape shape = shapes.get(c.schema(), c.table());
        List<Column> set = new ArrayList<>(c.columns().size());
        for (Column col : writable(c.columns(), shape)) {
            Column old = find(c.identity(), col.name());
            if (old == null || !old.sameValue(col)) {
                set.add(col);
            }
        }
        if (set.isEmpty()) {
            return; // also a row without a column a decoder sends (only generated ones): nothing to find it by, nothing to set
        }
        requireIdentity(c.identity(), "UPDATE", c.schema(), c.table());
        String table = SqlText.qualified(c.schema(), c.table());
        // ONLY: the decoder names the table that held the row; a child of an inheritance parent is never meant
        out.append("UPDATE ONLY ").append(table).append(" SET ");
        for (int i = 0; i < set.size(); i++) {
            if (i > 0) {
                out.append(", ");
            }
            SqlText.appendIdentifier(out, set.get(i).name());
            out.append(" = ");
            appendValue(out, set.get(i));
        }
        appendWhere(out, table, c.identity(), c.primaryKey(), shape);
        out.append(";\n");
    }

    public void delete(Change.Delete c, StringBuilder out) {
        String table = SqlText.qualified(c.schema(), c.table());
        if (c.identity().isEmpty() && c.wholeRow()) {
            // a FULL identity row with no column sent: every such row is the same, so any one is the row
            out.append("DELETE FROM ONLY ").append(table).append(" WHERE ctid ").append(EQUALS)
                    .append(" (SELECT ctid FROM ONLY ").append(table).append(" LIMIT 1);\n");
            return;
        }
        requireIdentity(c.identity(), "DELETE", c.schema(), c.table());
        out.append("DELETE FROM ONLY ").append(table);
        appendWhere(out, table, c.identity(), c.primaryKey(), shapes.get(c.schema(), c.table()));
        out.append(";\n");
    }

    /**
     * One TRUNCATE for the tables one source statement truncated: together they pass the
     * foreign key check, as they did on the source. ONLY before each, because the decoder
     * lists every table that lost rows, children included; a partitioned parent is left out
     * (ONLY cannot name it, and its partitions are listed).
     */
    public void truncate(List<Change.Truncate> tables, StringBuilder out) {
        List<Change.Truncate> withRows = tables.stream().filter(t -> !shapes.isPartitioned(t.schema(), t.table())).toList();
        if (withRows.isEmpty()) {
            return;
        }
        out.append("TRUNCATE ");
        for (int i = 0; i < withRows.size(); i++) {
            if (i > 0) {
                out.append(", ");
            }
            out.append("ONLY ").append(SqlText.qualified(withRows.get(i).schema(), withRows.get(i).table()));
        }
        out.append(";\n");
    }

    private void appendWhere(StringBuilder out, String table, List<Column> identity, List<String> primaryKey,
                             TableShape shape) {
        List<Column> key = keyColumns(identity, primaryKey);
        if (key != null) {
            out.append(" WHERE ");
            appendConditions(out, key, shape, false);
        } else {
            out.append(" WHERE ctid ").append(EQUALS).append(" (SELECT ctid FROM ONLY ").append(table).append(" WHERE ");
            appendConditions(out, identity, shape, true);
            out.append(" LIMIT 1)");
        }
    }

    /** pg_catalog's equality, named so that no search_path is consulted. */
    public static final String EQUALS = "OPERATOR(pg_catalog.=)";
    private static final java.util.regex.Pattern OPERATOR_NAME = java.util.regex.Pattern.compile("[~!@#^&|`?+\\-*/%<>=]+");

    /** The primary key columns out of the identity, or null when the table has no primary key. */
    private static List<Column> keyColumns(List<Column> identity, List<String> primaryKey) {
        if (primaryKey.isEmpty()) {
            return null;
        }
        List<Column> key = new ArrayList<>(primaryKey.size());
        for (String name : primaryKey) {
            Column c = find(identity, name);
            if (c == null) {
                return identity; // identity is a unique index of its own (REPLICA IDENTITY USING INDEX)
            }
            key.add(c);
        }
        return key;
    }

    /**
     * {@code wholeRow}: the conditions find one of possibly several rows by every column (FULL
     * identity), so the text must match too wherever {@code =} may be looser than it (numeric
     * {@code 1.0 = 1.00}, float {@code -0 = 0}, ranges, an extension's operator, a
     * nondeterministic collation), or the restore changes another of the rows than the source did.
     */
    private static void appendConditions(StringBuilder out, List<Column> cols, TableShape shape, boolean wholeRow) {
        for (int i = 0; i < cols.size(); i++) {
            if (i > 0) {
                out.append(" AND ");
            }
            Column c = cols.get(i);
            List<String> own = shape == null ? null : shape.equality().get(c.name());
            if (c.isNull()) {
                SqlText.appendIdentifier(out, c.name());
                out.append(" IS NULL");
                continue;
            }
            if (comparesAsText(c.type()) || (own != null && own.size() == 2 && own.get(0).isEmpty())) {
                appendTextComparison(out, c);
                continue;
            }
            SqlText.appendIdentifier(out, c.name());
            if (own != null && own.size() == 2 && OPERATOR_NAME.matcher(own.get(1)).matches()) {
                out.append(" OPERATOR(");
                SqlText.appendIdentifier(out, own.get(0));
                out.append('.').append(own.get(1)).append(") ");
                appendValue(out, c);
            } else {
                out.append(' ').append(EQUALS).append(' ');
                appendValue(out, c);
            }
            // = is looser than the text for more types than anyone can list (numeric, floats, intervals, jsonb, ranges
            // and arrays of them, an extension's operator, a nondeterministic collation): only a boolean's is exact
            if (wholeRow && c.kind() != Column.Kind.BOOLEAN) {
                out.append(" AND ");
                appendTextComparison(out, c);
            }
        }
    }

    /**
     * The column's text output, as the decoder sent it, compared as text: format's {@code %s}
     * calls the type's output function, never a cast, so no role's {@code CREATE CAST} of its own
     * composite type to text can run in the restore.
     */
    private static void appendTextComparison(StringBuilder out, Column c) {
        out.append(TEXT_OF);
        SqlText.appendIdentifier(out, c.name());
        out.append(") ").append(EQUALS).append(' ');
        // wal2json drops the \x of bytea (as appendValue); compared byte by byte, whatever the column's collation
        SqlText.appendLiteral(out, "bytea".equals(c.type()) ? "\\x" + c.text() : c.text());
        out.append(BYTEWISE);
    }

    /** The collation of a text comparison: byte by byte (a nondeterministic collation's = is looser). */
    public static final String BYTEWISE = " COLLATE pg_catalog.\"C\"";

    /** How a value's text output is written in a comparison: {@code pg_catalog.format('%s', "c")}. */
    public static final String TEXT_OF = "pg_catalog.format('%s', ";

    static void appendValue(StringBuilder out, Column c) {
        switch (c.kind()) {
            case NULL -> out.append("NULL");
            case BOOLEAN -> out.append(c.text());
            case NUMBER -> {
                if (isFloat(c.type()) || !isPlainDecimal(c.text())) {
                    SqlText.appendLiteral(out, c.text());
                } else {
                    out.append(c.text());
                }
            }
            case STRING -> {
                if ("bytea".equals(c.type())) {
                    // wal2json drops the \x of bytea (not of domains or arrays over it)
                    SqlText.appendLiteral(out, "\\x" + c.text());
                } else {
                    SqlText.appendLiteral(out, c.text());
                }
            }
        }
    }

    private static final Set<String> TEXT_COMPARED = Set.of(
            "json", "xml", "point", "line", "lseg", "box", "path", "polygon", "circle", "txid_snapshot", "pg_snapshot",
            "jsonpath");

    static boolean comparesAsText(String type) {
        if (type == null) {
            return false;
        }
        String base = type;
        int cut = base.indexOf('(');
        if (cut >= 0) {
            base = base.substring(0, cut);
        }
        cut = base.indexOf('[');
        if (cut >= 0) {
            base = base.substring(0, cut);
        }
        return TEXT_COMPARED.contains(base.strip());
    }

    private static boolean isFloat(String type) {
        return "real".equals(type) || "double precision".equals(type);
    }

    private static boolean isPlainDecimal(String s) {
        int i = s.startsWith("-") ? 1 : 0;
        if (i >= s.length()) {
            return false;
        }
        boolean dot = false;
        boolean digit = false;
        for (; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch >= '0' && ch <= '9') {
                digit = true;
            } else if (ch == '.' && !dot) {
                dot = true;
            } else {
                return false;
            }
        }
        return digit;
    }

    private static List<Column> writable(List<Column> cols, TableShape shape) {
        if (shape == null || shape.generated().isEmpty()) {
            return cols;
        }
        List<Column> out = new ArrayList<>(cols.size());
        for (Column c : cols) {
            if (!shape.generated().contains(c.name())) {
                out.add(c);
            }
        }
        return out;
    }

    private static Column find(List<Column> cols, String name) {
        for (Column c : cols) {
            if (c.name().equals(name)) {
                return c;
            }
        }
        return null;
    }

    private static void requireIdentity(List<Column> identity, String what, String schema, String table) {
        if (identity.isEmpty()) {
            throw new RenderException(what + " on " + SqlText.qualified(schema, table)
                    + " arrived without replica identity: the row it changed cannot be found");
        }
    }
}
