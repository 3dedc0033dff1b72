package io.pgscribe.verify;

import io.pgscribe.server.ConnectionSpec;
import io.pgscribe.server.Pg;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/** {@code pgscribe verify}: two databases compared table by table. */
public final class Verifier {

    /** One table's comparison. */
    public record Row(String table, Long rowsA, Long rowsB, boolean same) {
    }

    /** The comparison of every table found in either database. */
    public record Report(List<Row> rows) {
        public boolean same() {
            return rows.stream().allMatch(Row::same);
        }

        public List<Row> differences() {
            return rows.stream().filter(r -> !r.same()).toList();
        }
    }

    public static Report compare(ConnectionSpec a, ConnectionSpec b) throws SQLException {
        Map<String, TableChecksum> sa;
        Map<String, TableChecksum> sb;
        try (Connection ca = Pg.connect(a, "pgscribe-verify"); Connection cb = Pg.connect(b, "pgscribe-verify")) {
            sa = TableChecksum.of(ca);
            sb = TableChecksum.of(cb);
        }
        List<Row> rows = new ArrayList<>();
        for (String t : new TreeSet<>(union(sa.keySet(), sb.keySet()))) {
            TableChecksum x = sa.get(t);
            TableChecksum y = sb.get(t);
            boolean same = x != null && y != null && x.rows() == y.rows() && x.checksum().equals(y.checksum());
            rows.add(new Row(t, x == null ? null : x.rows(), y == null ? null : y.rows(), same));
        }
        return new Report(rows);
    }

    public static void print(Report report, String nameA, String nameB, PrintStream out) {
        int w = Math.max(5, report.rows().stream().mapToInt(r -> r.table().length()).max().orElse(5));
        String fmt = "%-" + w + "s  %12s  %12s  %s%n";
        out.printf(fmt, "table", "rows " + abbreviate(nameA), "rows " + abbreviate(nameB), "result");
        for (Row r : report.rows()) {
            String result = r.same() ? "same" : r.rowsA() == null ? "MISSING in " + nameA
                    : r.rowsB() == null ? "MISSING in " + nameB : "DIFFERENT";
            out.printf(fmt, r.table(), r.rowsA() == null ? "-" : r.rowsA(), r.rowsB() == null ? "-" : r.rowsB(), result);
        }
        out.println(report.same() ? report.rows().size() + " table(s) compared: all the same"
                : report.differences().size() + " of " + report.rows().size() + " table(s) differ");
    }

    private static String abbreviate(String s) {
        return s.length() <= 10 ? s : s.substring(0, 9) + "…";
    }

    private static java.util.Set<String> union(java.util.Set<String> a, java.util.Set<String> b) {
        java.util.Set<String> u = new java.util.HashSet<>(a);
        u.addAll(b);
        return u;
    }
}
