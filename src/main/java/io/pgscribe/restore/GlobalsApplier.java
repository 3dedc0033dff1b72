package io.pgscribe.restore;

import io.pgscribe.pg.Pg;
import io.pgscribe.sql.SqlScanner;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
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

    /**
     * The statements a globals dump holds, and the only ones applied (as the restoring superuser):
     * anything else in the file was not written by pg_dumpall and is reported, never run.
     */
    private static final List<String> ALLOWED = List.of("CREATE ROLE ", "ALTER ROLE ", "COMMENT ON ROLE ", "GRANT ",
            "CREATE TABLESPACE ", "ALTER TABLESPACE ", "COMMENT ON TABLESPACE ", "SECURITY LABEL FOR ");
    /** The session settings pg_dumpall opens with. */
    private static final Set<String> SETTINGS = Set.of("default_transaction_read_only", "client_encoding",
            "standard_conforming_strings");

    /**
     * The SQL of a globals dump without psql's meta-command lines ({@code \restrict}): a line that
     * starts with a backslash is one only between statements; inside a literal it is text.
     */
    static String withoutMetaCommands(String dump) {
        StringBuilder sql = new StringBuilder();
        io.pgscribe.sql.SqlLexer lexer = new io.pgscribe.sql.SqlLexer();
        for (String line : dump.split("\n", -1)) {
            boolean between = !lexer.hasCode() && !lexer.isInsideLiteralOrComment();
            if (line.startsWith("\\")) {
                if (between) {
                    continue;
                }
                if (!lexer.isInsideLiteralOrComment()) {
                    throw new io.pgscribe.PgscribeException("the globals dump has a psql meta-command inside a statement ("
                            + line.strip() + "): pg_dumpall does not write that", "Restore without --with-globals, or "
                            + "create the roles on the target server yourself.", io.pgscribe.ExitCode.DAMAGED, null);
                }
            }
            String text = line + "\n";
            for (int i = 0; i < text.length(); i++) {
                if (lexer.feed(text.charAt(i))) {
                    lexer.reset();
                }
            }
            sql.append(text);
        }
        return sql.toString();
    }

    /** Whether pg_dumpall writes statements like {@code code}; null when it does, else why not. */
    static String refusal(String code) {
        String upper = code.toUpperCase(Locale.ROOT);
        if (upper.startsWith("SET ")) {
            String name = upper.substring(4).strip().split("[\\s=]+", 2)[0].toLowerCase(Locale.ROOT);
            if (!SETTINGS.contains(name)) {
                return "a setting pg_dumpall does not write";
            }
            if (name.equals("standard_conforming_strings") && !upper.matches("(?s)SET STANDARD_CONFORMING_STRINGS\\s*=\\s*ON\\s*;")) {
                return "strings read otherwise than the file was split";
            }
            return null;
        }
        for (String a : ALLOWED) {
            if (upper.startsWith(a)) {
                return null;
            }
        }
        return "not a statement of a globals dump";
    }

    /** {@code dump}: the globals dump's content (closed here). */
    static Result apply(Connection c, java.io.InputStream dump, PrintStream out) throws SQLException {
        String sql;
        try (dump) {
            sql = withoutMetaCommands(new String(dump.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the globals dump: " + e.getMessage(), e);
        }
        Set<String> existing = new HashSet<>(Pg.query(c, "SELECT rolname FROM pg_roles", rs -> rs.getString(1)));
        Set<String> leftAlone = new java.util.TreeSet<>();
        List<String> failures = new java.util.ArrayList<>();
        int applied = 0;
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(true);
        try (SqlScanner scanner = new SqlScanner(new StringReader(sql))) {
            SqlScanner.Statement st;
            while ((st = scanner.next()) != null) {
                if (!st.hasCode()) {
                    continue;
                }
                String code = st.code();
                String refused = refusal(code);
                if (refused != null) {
                    failures.add(code.lines().findFirst().orElse(code) + " -- refused: " + refused);
                    continue;
                }
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
