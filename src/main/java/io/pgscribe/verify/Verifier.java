package io.pgscribe.verify;

import io.pgscribe.pg.ConnectionSpec;
import io.pgscribe.pg.Pg;
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
        return compare(checksums(a), checksums(b));
    }

    public static Map<String, TableChecksum> checksums(ConnectionSpec db) throws SQLException {
        try (Connection c = Pg.connect(db, "pgscribe-verify")) {
            return TableChecksum.of(c);
        }
    }

    /** Writes per-table checksums to compare a restore with later ({@code verify --checksums}). */
    public static void save(Map<String, TableChecksum> sums, java.nio.file.Path file) {
        try {
            io.pgscribe.storage.DurableFiles.writeAtomically(file, JSON.writeValueAsBytes(new ArrayList<>(sums.values())));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot write " + file, e);
        }
    }

    public static Map<String, TableChecksum> load(java.nio.file.Path file) {
        try {
            List<TableChecksum> list = JSON.readValue(file.toFile(),
                    JSON.getTypeFactory().constructCollectionType(List.class, TableChecksum.class));
            Map<String, TableChecksum> map = new java.util.LinkedHashMap<>();
            list.forEach(t -> map.put(t.table(), t));
            return map;
        } catch (java.io.IOException e) {
            throw new io.pgscribe.PgscribeException("cannot read checksum file " + file + ": " + e.getMessage(),
                    "Pass a file written by `pgscribe verify --save-checksums`.", io.pgscribe.ExitCode.USAGE, e);
        }
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper()
            .enable(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT);

    public static Report compare(Map<String, TableChecksum> sa, Map<String, TableChecksum> sb) {
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
