package io.pgscribe.restore;

import io.pgscribe.ExitCode;
import io.pgscribe.PgscribeException;
import io.pgscribe.pg.ConnectionSpec;
import io.pgscribe.pg.Pg;
import io.pgscribe.pg.PgTools;
import io.pgscribe.sql.DumpIdentifier;
import io.pgscribe.sql.SqlText;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Matcher;

/**
 * Loads a plain base script so that no role's code runs with the restoring superuser's rights.
 * pg_dump's COPY checks CHECK constraints and domains and computes generated columns as
 * whoever loads the rows, and its post-data part validates constraints; all of that may call
 * functions a role wrote. So:
 * <ol>
 *   <li>the schema (everything before the first COPY) loads first, in its own psql run: no row
 *       exists yet, and the domains come without their CHECKs (an aggregate's INITCOND or a
 *       partition bound would check one; see {@link DomainChecks}), so none of a role's code runs;</li>
 *   <li>every function of a role that is no superuser is then made SECURITY DEFINER for the
 *       load (so it runs with its owner's rights, where the server refuses SET ROLE), an event
 *       trigger refuses any DDL that does not come from the superuser's own script (a role's
 *       code cannot plant a trigger or a function for later), and the script's privileges
 *       (GRANT/REVOKE, pg_dump writes them last) are applied before any row;</li>
 *   <li>the rest loads in a second psql run, with the session's settings put back after every
 *       table's rows (a role's code may change them) and its COMMIT made as a role with no
 *       rights (a deferred trigger event runs with none);</li>
 *   <li>a CHECK constraint pg_dump adds apart from its table, in the post-data part, and the
 *       domains' CHECKs after the rows, are added without checking the rows again (see
 *       {@link PostDataCheck}); a superuser's matview over a role's view is not refreshed
 *       ({@link MatviewRefresh});</li>
 *   <li>the functions are made as they were, and the event trigger goes.</li>
 * </ol>
 */
final class BaseLoader {

    private final PgTools tools;
    private final ConnectionSpec target;
    private final Map<String, String> env;

    BaseLoader(PgTools tools, ConnectionSpec target, Map<String, String> env) {
        this.tools = tools;
        this.target = target;
        this.env = env;
    }

    /**
     * What a load did: how many tables' rows loaded inside their owner's function, and the
     * matviews it left unpopulated, with why ({@link MatviewRefresh}).
     */
    record Loaded(int asOwner, Map<RestoreScope.Name, String> unpopulated) {
    }

    /** Loads the script {@code base} opens (twice: once for its privileges). */
    Loaded load(Supplier<InputStream> base, String what) throws SQLException {
        int asOwner = 0;
        String acl = privileges(base);
        try (BufferedReader in = reader(base.get())) {
            BaseScript s = new BaseScript(in);
            StringBuilder preamble = new StringBuilder();
            StringBuilder schema = new StringBuilder();
            String firstCopy = s.untilFirstCopy(preamble, schema);
            psql(new ByteArrayInputStream((preamble.toString() + schema).getBytes(StandardCharsets.UTF_8)), what);
            String domainChecks = String.join("", s.domainChecks);
            if (firstCopy == null && !s.more()) {
                if (!domainChecks.isEmpty()) {
                    psql(new ByteArrayInputStream((preamble + domainChecks).getBytes(StandardCharsets.UTF_8)), what);
                }
                return new Loaded(0, Map.of());
            }
            // the base's privileges before any row (pg_dump writes them last): a role's code sees what it may do
            if (!acl.isEmpty()) {
                psql(new ByteArrayInputStream((preamble + acl).getBytes(StandardCharsets.UTF_8)), what);
            }
            try (Connection c = Pg.connect(target, "pgscribe-restore");
                 Connection admin = Pg.connect(target, "pgscribe-restore-roles")) {
                Pg.execute(c, "SET session_replication_role = replica; SET search_path = pg_catalog, pg_temp");
                RoleSandbox sandbox = new RoleSandbox(c, admin);
                sandbox.install();
                List<Long> flipped = List.of();
                Map<RestoreScope.Name, String> unpopulated;
                try {
                    unpopulated = MatviewRefresh.leftUnpopulated(c);
                    flipped = FunctionsAsOwners.apply(c);
                    Map<String, Staged> staged = stagedTables(c, sandbox);
                    refuseForeignChecks(c);
                    sandbox.installGuard(c, "while the base loaded", "A function of that role ran DDL as the base's "
                            + "rows were loaded; restore from a base taken before it, or change that function on the source.");
                    Pg.execute(c, sandbox.guardOn());
                    String settings = settingsOf(preamble.toString());
                    String tail = domainChecks + "SET LOCAL ROLE " + SqlText.identifier(sandbox.nobody()) + ";\n";
                    psql(new Rest(s, preamble.toString(), firstCopy, "RESET ALL;\n" + settings, tail, staged,
                            unpopulated.keySet()), what);
                    asOwner = staged.size();
                } finally {
                    sandbox.uninstallGuard(c);
                    FunctionsAsOwners.restore(c, flipped);
                    sandbox.uninstall();
                }
                return new Loaded(asOwner, unpopulated);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the base " + what + ": " + e.getMessage(), e);
        }
    }

    /** Staging one table's rows: its COPY statement as pg_dump writes it, the statements before and after its rows. */
    record Staged(String copy, String before, String after) {
    }

    /**
     * The tables whose rows must load with their owner's rights: of a role that is no superuser,
     * with a CHECK constraint or a generated column, whose expressions run at COPY as whoever
     * loads (also built-in functions that run SQL, such as query_to_xml). Domains' CHECKs are not
     * there yet ({@link DomainChecks}); a superuser's table's own expressions are a superuser's code.
     */
    private static Map<String, Staged> stagedTables(Connection c, RoleSandbox sandbox) throws SQLException {
        record Table(long oid, String schema, String name, String owner) {
        }
        List<Table> tables = Pg.query(c, "SELECT c.oid, n.nspname, c.relname, r.rolname "
                + "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
                + "JOIN pg_catalog.pg_roles r ON r.oid = c.relowner WHERE c.relkind = 'r' AND NOT r.rolsuper "
                + "AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
                + "AND (EXISTS (SELECT 1 FROM pg_catalog.pg_constraint k WHERE k.conrelid = c.oid AND k.contype = 'c') "
                + "OR EXISTS (SELECT 1 FROM pg_catalog.pg_attribute a WHERE a.attrelid = c.oid AND a.attgenerated <> '')) "
                + "ORDER BY 1", rs -> new Table(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4)));
        Map<String, Staged> out = new java.util.HashMap<>();
        for (Table t : tables) {
            String qualified = SqlText.qualified(t.schema(), t.name());
            List<String> cols = new ArrayList<>();
            List<String> casts = new ArrayList<>();
            List<String> schemas = Pg.query(c, "SELECT DISTINCT n.nspname FROM pg_catalog.pg_namespace n WHERE (n.oid = "
                    + "(SELECT relnamespace FROM pg_catalog.pg_class WHERE oid = ?::pg_catalog.oid) OR n.oid IN (SELECT "
                    + "ty.typnamespace FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_type ty ON ty.oid = a.atttypid "
                    + "WHERE a.attrelid = ?::pg_catalog.oid AND a.attnum > 0)) AND NOT pg_catalog.has_schema_privilege(?, n.oid, "
                    + "'USAGE') ORDER BY 1", rs -> rs.getString(1), t.oid(), t.oid(), t.owner());
            boolean[] always = {false};
            Pg.query(c, "SELECT a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), a.attidentity FROM "
                    + "pg_catalog.pg_attribute a WHERE a.attrelid = ?::pg_catalog.oid AND a.attnum > 0 AND NOT a.attisdropped "
                    + "AND a.attgenerated = '' ORDER BY a.attnum", rs -> {
                        cols.add(SqlText.identifier(rs.getString(1)));
                        casts.add(SqlText.identifier(rs.getString(1)) + "::" + rs.getString(2));
                        always[0] |= "a".equals(rs.getString(3));
                        return null;
                    }, t.oid());
            if (cols.isEmpty()) {
                continue;
            }
            String list = String.join(", ", cols);
            String stage = "pg_temp." + SqlText.identifier(STAGE);
            StringBuilder before = new StringBuilder();
            before.append("CREATE TEMPORARY TABLE ").append(SqlText.identifier(STAGE)).append(" (")
                    .append(String.join(", ", cols.stream().map(x -> x + " pg_catalog.text").toList())).append(");\n");
            before.append("GRANT SELECT ON ").append(stage).append(" TO ").append(SqlText.identifier(t.owner())).append(";\n");
            for (String n : schemas) {
                before.append("GRANT USAGE ON SCHEMA ").append(SqlText.identifier(n)).append(" TO ")
                        .append(SqlText.identifier(t.owner())).append(";\n");
            }
            before.append("COPY ").append(stage).append(" (").append(list).append(") FROM stdin;\n");
            String insert = "INSERT INTO " + qualified + " (" + list + ")" + (always[0] ? " OVERRIDING SYSTEM VALUE" : "")
                    + " SELECT " + String.join(", ", casts) + " FROM " + stage;
            StringBuilder after = new StringBuilder();
            after.append("SELECT ").append(sandbox.functionFor(t.owner())).append("('pg_catalog, pg_temp', ")
                    .append(SqlText.literal(insert)).append(");\n");
            for (String n : schemas) {
                after.append("REVOKE USAGE ON SCHEMA ").append(SqlText.identifier(n)).append(" FROM ")
                        .append(SqlText.identifier(t.owner())).append(";\n");
            }
            after.append("DROP TABLE ").append(stage).append(";\n");
            out.put("COPY " + qualified + " (" + list + ") FROM stdin;", new Staged(qualified, before.toString(), after.toString()));
        }
        return out;
    }

    /**
     * A superuser's table whose CHECK runs another role's code even now (its functions run as
     * their owners, its domains have no CHECK yet): an operator or aggregate of that role, whose
     * built-in may run SQL (ts_rewrite does) with the caller's rights. COPY would check every row
     * as the superuser; refused before any row loads.
     */
    private static void refuseForeignChecks(Connection c) throws SQLException {
        List<String> found = Pg.query(c, "SELECT pg_catalog.format('%I.%I', n.nspname, t.relname) || ': ' || f.x "
                + "FROM pg_catalog.pg_class t JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace "
                + "JOIN pg_catalog.pg_roles r ON r.oid = t.relowner AND r.rolsuper CROSS JOIN LATERAL ("
                + ForeignCode.query("t.oid", c) + ") f(x, runs) WHERE t.relkind IN ('r', 'p') AND f.x LIKE 'operator %' "
                + "AND EXISTS (SELECT 1 FROM pg_catalog.pg_constraint k WHERE k.conrelid = t.oid AND k.contype = 'c') "
                + "ORDER BY 1", rs -> rs.getString(1));
        if (!found.isEmpty()) {
            throw new PgscribeException("the base's rows of a superuser's table are checked by another role's code, which "
                    + "would run with the restoring superuser's rights: " + String.join("; ", found),
                    "On the source, give the table to a role that is no superuser (ALTER TABLE ... OWNER TO), or drop that "
                            + "CHECK; restore from a base taken after that.", ExitCode.REFUSED, null);
        }
    }

    private static final String STAGE = "pgscribe_stage";

    private static BufferedReader reader(InputStream in) {
        return new BufferedReader(new java.io.InputStreamReader(in, StandardCharsets.UTF_8.newDecoder()), 1 << 16);
    }

    private static final Set<String> PRIVILEGES = Set.of("ACL", "DEFAULT ACL");

    /** The script's GRANT/REVOKE entries (pg_dump writes them at its end), read between statements only. */
    private static String privileges(Supplier<InputStream> base) {
        StringBuilder out = new StringBuilder();
        try (BufferedReader in = reader(base.get())) {
            BaseScript sc = new BaseScript(in);
            boolean inAcl = false;
            String line;
            while ((line = sc.line()) != null) {
                if (sc.between() && line.startsWith("COPY ")) {
                    sc.copyStatement(line);
                    String row;
                    while ((row = sc.line()) != null && !row.equals("\\.")) {
                        // rows are data, whatever they look like
                    }
                    continue;
                }
                Matcher h = sc.between() ? BaseFilter.HEADER.matcher(line) : null;
                if (h != null && h.matches()) {
                    inAcl = PRIVILEGES.contains(h.group(2));
                }
                boolean meta = sc.between() && line.startsWith("\\");
                sc.feed(line);
                if (inAcl && !meta) {
                    out.append(line).append('\n');
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the base: " + e.getMessage(), e);
        }
        return out.toString();
    }

    /** The preamble's own settings (whole one-line SET / set_config statements), to put back after a role's code ran. */
    static String settingsOf(String preamble) {
        StringBuilder out = new StringBuilder();
        try (io.pgscribe.sql.SqlScanner sc = io.pgscribe.sql.SqlScanner.of(preamble)) {
            io.pgscribe.sql.SqlScanner.Statement st;
            while ((st = sc.next()) != null) {
                String code = st.hasCode() ? st.code() : "";
                if ((code.startsWith("SET ") || code.startsWith("SELECT pg_catalog.set_config(")) && code.indexOf('\n') < 0) {
                    out.append(code).append('\n');
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    private void psql(InputStream script, String what) {
        PgTools.Result r = PgTools.run(List.of(tools.path("psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1",
                "--single-transaction", "--no-password", "-d", target.conninfo("pgscribe-restore"), "-f", "-"),
                env, Duration.ofHours(24), script);
        if (!r.ok()) {
            if (r.stderr().contains(RoleSandbox.REFUSED_MARK)) {
                throw new PgscribeException("loading the base " + what + " was refused: " + r.stderr().strip(),
                        "See the message above.", ExitCode.REFUSED, null);
            }
            throw new PgscribeException("loading the base " + what + " failed: " + r.stderr().strip(),
                    "Fix the cause above (e.g. roles the base refers to: restore with --with-globals, or create them) "
                            + "and run restore again.", ExitCode.FAILED, null);
        }
    }

    /** The second run: the preamble and privileges, then the rest, settings put back after every table's rows. */
    private static final class Rest extends InputStream {
        private final BaseScript s;
        private final String afterRows;
        private final String tail;
        private byte[] buf;
        private int pos;
        private String pendingCopy;
        private boolean inCopy;
        private boolean ended;
        private boolean done;
        private final Map<String, Staged> staged;
        private Staged current;
        private String entryType;
        private final Set<RestoreScope.Name> unpopulated;

        Rest(BaseScript s, String head, String firstCopy, String afterRows, String tail, Map<String, Staged> staged,
                Set<RestoreScope.Name> unpopulated) {
            this.s = s;
            this.unpopulated = unpopulated;
            this.staged = staged;
            this.afterRows = afterRows;
            this.tail = tail;
            this.buf = head.getBytes(StandardCharsets.UTF_8);
            this.pendingCopy = firstCopy;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            while (buf == null || pos >= buf.length) {
                if (done) {
                    return -1;
                }
                buf = next().getBytes(StandardCharsets.UTF_8);
                pos = 0;
            }
            int n = Math.min(len, buf.length - pos);
            System.arraycopy(buf, pos, b, off, n);
            pos += n;
            return n;
        }

        private String next() throws IOException {
            if (pendingCopy != null) {
                String copy = pendingCopy;
                pendingCopy = null;
                return startCopy(copy);
            }
            String line = s.line();
            if (line == null) {
                if (!ended) {
                    ended = true;
                    return afterRows + tail; // before psql's COMMIT
                }
                done = true;
                return "";
            }
            if (inCopy) {
                if (line.equals("\\.")) {
                    inCopy = false;
                    Staged was = current;
                    current = null;
                    return line + "\n" + (was == null ? "" : was.after()) + afterRows;
                }
                return line + "\n";
            }
            if (s.between() && line.startsWith("COPY ")) {
                return startCopy(s.copyStatement(line));
            }
            if (s.between()) {
                Matcher h = BaseFilter.HEADER.matcher(line);
                if (h.matches()) {
                    entryType = h.group(2);
                } else if ("CHECK CONSTRAINT".equals(entryType) && line.startsWith("ALTER ")) {
                    return PostDataCheck.withoutValidation(s.statement(line));
                } else if ("MATERIALIZED VIEW DATA".equals(entryType) && line.startsWith("REFRESH MATERIALIZED VIEW ")) {
                    String refresh = s.statement(line);
                    RestoreScope.Name m = refreshed(refresh);
                    return unpopulated.contains(m) ? "-- left unpopulated: " + SqlText.commentText(m.toString()) + "\n"
                            : refresh + "\n";
                }
            }
            if (s.between() && line.startsWith("\\unrestrict")) {
                // psql's restricted mode ends the script: what pgscribe adds comes before it
                ended = true;
                s.feed(line);
                return afterRows + tail + line + "\n";
            }
            s.feed(line);
            return line + "\n";
        }

        /** The matview pg_dump's {@code REFRESH MATERIALIZED VIEW schema.name;} refreshes. */
        private static RestoreScope.Name refreshed(String refresh) {
            int[] at = {"REFRESH MATERIALIZED VIEW ".length()};
            String schema = DumpIdentifier.read(refresh, at);
            String name = null;
            if (schema != null && refresh.startsWith(".", at[0])) {
                at[0]++;
                name = DumpIdentifier.read(refresh, at);
            }
            if (name == null || !refresh.substring(at[0]).equals(";")) {
                throw new PgscribeException("the base refreshes a materialized view in a form pgscribe does not know: "
                        + SqlText.commentText(refresh.length() > 300 ? refresh.substring(0, 300) : refresh),
                        "Restore from a base pg_dump wrote, or report the form.", ExitCode.REFUSED, null);
            }
            return new RestoreScope.Name(schema, name);
        }

        private String startCopy(String copy) {
            inCopy = true;
            current = staged.get(copy);
            if (current != null) {
                return current.before();
            }
            for (Staged x : staged.values()) {
                // a staged table's COPY must be the statement pgscribe expects, or its rows would load as the superuser
                if (copy.startsWith("COPY " + x.copy() + " ")) {
                    throw new PgscribeException("the base's COPY of " + x.copy() + " is not the statement pgscribe expects "
                            + "for that table: " + SqlText.commentText(copy), "Restore from another base.",
                            ExitCode.DAMAGED, null);
                }
            }
            return copy + "\n";
        }
    }
}
