package io.pgscribe.restore;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Makes decoder_raw's row statements run as they ran in the source. decoder_raw writes every
 * column of a row, which the restored table refuses for its generated columns and its ALWAYS
 * identity columns, and it writes an old row's NULL as {@code col = null}, which matches nothing:
 * <ul>
 *   <li>INSERT: generated columns are left out, and OVERRIDING SYSTEM VALUE is added when an
 *       ALWAYS identity column is written (its value is the source's);</li>
 *   <li>UPDATE: generated columns are left out of SET, and so is an ALWAYS identity column set to
 *       the value the WHERE finds it by (unchanged; a changed one is left for the server to refuse,
 *       loudly);</li>
 *   <li>WHERE: {@code col = null} becomes {@code col IS NULL}.</li>
 * </ul>
 * Only the statement's own spans are moved or dropped: no text is added but keywords.
 */
final class RawStatementRepair {

    /** What the restored table says of its columns, at this point of the stream. */
    record TableShape(Set<String> generated, Set<String> alwaysIdentity) {
        static final TableShape PLAIN = new TableShape(Set.of(), Set.of());
    }

    private RawStatementRepair() {
    }

    /**
     * The statement repaired; the same text when nothing needs it; empty when an UPDATE had
     * nothing left to set (only generated columns and an unchanged identity: the row is as the
     * restored table computes it already).
     */
    static String repair(String sql, RenderedStatement.Recognised r, TableShape shape) {
        RenderedStatement.Parts p = r.parts();
        List<int[]> edits = new ArrayList<>(); // start, end, index of the replacement
        List<String> texts = new ArrayList<>();
        if (p != null && r.kind() == RenderedStatement.Kind.INSERT && !p.assigned().isEmpty()) {
            List<RenderedStatement.Item> kept = new ArrayList<>();
            boolean identity = false;
            for (RenderedStatement.Item i : p.assigned()) {
                if (shape.generated().contains(i.column())) {
                    continue;
                }
                identity |= shape.alwaysIdentity().contains(i.column());
                kept.add(i);
            }
            if (kept.size() == p.assigned().size() && !(identity && p.overridingAt() >= 0)) {
                return nullComparisons(sql, p);
            }
            if (kept.isEmpty()) {
                // "INSERT INTO t (" ... ")": every column computed by the table
                return sql.substring(0, sql.lastIndexOf('(', p.listStart())).stripTrailing() + " DEFAULT VALUES"
                        + sql.substring(p.valuesEnd() + 1);
            }
            StringBuilder out = new StringBuilder(sql.length() + 24);
            out.append(sql, 0, p.listStart());
            join(out, sql, kept, false);
            if (p.overridingAt() >= 0) {
                out.append(sql, p.listEnd(), p.overridingAt()); // ")"
                if (identity) {
                    out.append(" OVERRIDING SYSTEM VALUE");
                }
                out.append(sql, p.overridingAt(), p.valuesStart()); // " VALUES ("
            } else {
                out.append(sql, p.listEnd(), p.valuesStart()); // ") OVERRIDING SYSTEM VALUE VALUES ("
            }
            join(out, sql, kept, true);
            out.append(sql, p.valuesEnd(), sql.length());
            return out.toString();
        }
        if (p != null && r.kind() == RenderedStatement.Kind.UPDATE) {
            List<RenderedStatement.Item> kept = new ArrayList<>();
            for (RenderedStatement.Item i : p.assigned()) {
                if (shape.generated().contains(i.column())
                        || (shape.alwaysIdentity().contains(i.column()) && unchanged(sql, i, p.compared()))) {
                    continue;
                }
                kept.add(i);
            }
            if (kept.isEmpty()) {
                return "";
            }
            String where = nullComparisons(sql, p);
            if (kept.size() == p.assigned().size()) {
                return where;
            }
            // the SET items come before the WHERE: the comparisons' repair above left their spans where they were
            StringBuilder out = new StringBuilder(where.length());
            out.append(where, 0, p.listStart());
            for (int k = 0; k < kept.size(); k++) {
                out.append(k == 0 ? "" : ", ").append(sql, kept.get(k).start(), kept.get(k).end());
            }
            out.append(where, p.listEnd(), where.length());
            return out.toString();
        }
        return p == null ? sql : nullComparisons(sql, p);
    }

    /** Each {@code col = null} of the WHERE as {@code col IS NULL}: the old row's NULL. */
    private static String nullComparisons(String sql, RenderedStatement.Parts p) {
        StringBuilder out = null;
        for (int k = p.compared().size() - 1; k >= 0; k--) {
            RenderedStatement.Item i = p.compared().get(k);
            if (i.isNull()) {
                out = out == null ? new StringBuilder(sql) : out;
                out.replace(i.start(), i.end(), "IS NULL");
            }
        }
        return out == null ? sql : out.toString();
    }

    /** The value an UPDATE sets is the one its WHERE finds the row by, as written. */
    private static boolean unchanged(String sql, RenderedStatement.Item set, List<RenderedStatement.Item> compared) {
        for (RenderedStatement.Item c : compared) {
            if (c.column().equals(set.column())) {
                return !set.isNull() && c.value(sql).equals(set.value(sql));
            }
        }
        return false;
    }

    private static void join(StringBuilder out, String sql, List<RenderedStatement.Item> kept, boolean values) {
        for (int k = 0; k < kept.size(); k++) {
            RenderedStatement.Item i = kept.get(k);
            out.append(k == 0 ? "" : ", ");
            if (values) {
                out.append(sql, i.valueStart(), i.valueEnd());
            } else {
                out.append(sql, i.start(), i.end());
            }
        }
    }
}
