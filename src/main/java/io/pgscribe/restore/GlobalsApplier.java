package io.pgscribe.restore;

import io.pgscribe.server.Pg;
import io.pgscribe.sql.SqlScanner;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Applies a {@code pg_dumpall --globals-only} file to the target server, statement by
 * statement. A role that already exists there is left exactly as it is (its CREATE and
 * ALTER are skipped and reported): restoring into a shared server must not change the
 * roles others use. Other failures (a tablespace directory that is not there) are
 * reported and the rest goes on.
 */
final class GlobalsApplier {

    /** What happened: created, left as they were, failed. */
    record Result(int applied, List<String> existingRoles, List<String> failures) {
    }

    private GlobalsApplier() {
    }

    static Result apply(Connection c, Path file, PrintStream out) throws SQLException {
        StringBuilder sql = new StringBuilder();
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (!line.startsWith("\\")) { // psql meta-commands (\restrict, \connect) are not SQL
                    sql.append(line).append('\n');
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        Set<String> existing = new HashSet<>(Pg.query(c, "SELECT rolname FROM pg_roles", rs -> rs.getString(1)));
        Set<String> leftAlone = new java.util.TreeSet<>();
        List<String> failures = new java.util.ArrayList<>();
        int applied = 0;
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(true);
        try (SqlScanner scanner = new SqlScanner(new StringReader(sql.toString()))) {
            SqlScanner.Statement st;
            while ((st = scanner.next()) != null) {
                if (!st.hasCode()) {
                    continue;
                }
                String code = st.code();
                String role = roleOf(code);
                if (role != null && existing.contains(role)) {
                    leftAlone.add(role);
                    continue;
                }
                try {
                    Pg.execute(c, code);
                    applied++;
                } catch (SQLException e) {
                    String first = code.lines().findFirst().orElse(code);
                    failures.add(first + " -- " + e.getMessage());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            c.setAutoCommit(auto);
        }
        if (!leftAlone.isEmpty()) {
            out.println("Globals: " + leftAlone.size() + " role(s) already exist on the target server and were left as they are: "
                    + String.join(", ", leftAlone));
        }
        failures.forEach(f -> out.println("Globals: not applied: " + f));
        return new Result(applied, List.copyOf(leftAlone), failures);
    }

    /** The role a CREATE ROLE / ALTER ROLE / COMMENT ON ROLE statement is about, else null. */
    static String roleOf(String code) {
        String upper = code.toUpperCase(Locale.ROOT);
        int at;
        if (upper.startsWith("CREATE ROLE ")) {
            at = 12;
        } else if (upper.startsWith("ALTER ROLE ")) {
            at = 11;
        } else if (upper.startsWith("COMMENT ON ROLE ")) {
            at = 16;
        } else {
            return null;
        }
        String rest = code.substring(at).strip();
        if (rest.startsWith("\"")) {
            StringBuilder name = new StringBuilder();
            for (int i = 1; i < rest.length(); i++) {
                char ch = rest.charAt(i);
                if (ch == '"') {
                    if (i + 1 < rest.length() && rest.charAt(i + 1) == '"') {
                        name.append('"');
                        i++;
                        continue;
                    }
                    return name.toString();
                }
                name.append(ch);
            }
            return null;
        }
        int end = 0;
        while (end < rest.length() && (Character.isLetterOrDigit(rest.charAt(end)) || rest.charAt(end) == '_')) {
            end++;
        }
        return rest.substring(0, end).toLowerCase(Locale.ROOT);
    }
}
