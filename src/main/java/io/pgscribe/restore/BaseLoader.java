package io.pgscribe.restore;

import io.pgscribe.ExitCode;
import io.pgscribe.PgscribeException;
import io.pgscribe.server.ConnectionSpec;
import io.pgscribe.server.Pg;
import io.pgscribe.server.PgTools;
import io.pgscribe.sql.SqlLexer;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Loads a plain base script into the restore target so that loading a table's rows runs no
 * other role's code with the restoring superuser's rights. COPY checks each row's CHECK
 * constraints, domains and generated columns as whoever runs it, so the script goes in two
 * runs of psql:
 * <ol>
 *   <li>everything before the first COPY (the schema: tables, types, functions);</li>
 *   <li>the rest, where the rows of a table whose loading would run code of a role that is no
 *       superuser ({@link ForeignCode}) are copied into a text-only staging table and inserted
 *       from there inside the owner's SECURITY DEFINER function of the {@link RoleSandbox},
 *       with the owner's rights; where a superuser owns such a table, the restore is refused.</li>
 * </ol>
 * Tables whose rows run only a superuser's code load as pg_dump wrote them.
 */
final class BaseLoader {

    private static final String STAGE = "pgscribe_stage";

    private final PgTools tools;
    private final ConnectionSpec target;
    private final Map<String, String> env;

    BaseLoader(PgTools tools, ConnectionSpec target, Map<String, String> env) {
        this.tools = tools;
        this.target = target;
        this.env = env;
    }

    /** What staging one table's rows needs: its owner, the statements before and after its rows. */
    record Staged(String copy, String before, String after) {
    }

    /** Loads {@code script}; returns how many tables were loaded with their owner's rights. */
    int load(InputStream script, String what) throws SQLException {
        try (BufferedReader in = new BufferedReader(new java.io.InputStreamReader(script,
                StandardCharsets.UTF_8.newDecoder()), 1 << 16)) {
            Script s = new Script(in);
            StringBuilder preamble = new StringBuilder();
            StringBuilder schema = new StringBuilder();
            String firstCopy = s.untilFirstCopy(preamble, schema);
            psql(new ByteArrayInputStream((preamble.toString() + schema).getBytes(StandardCharsets.UTF_8)), what);
            if (firstCopy == null) {
                return 0;
            }
            try (Connection c = Pg.connect(target, "pgscribe-restore");
                 Connection admin = Pg.connect(target, "pgscribe-restore-roles")) {
                Pg.execute(c, "SET session_replication_role = replica; SET search_path = pg_catalog, pg_temp");
                RoleSandbox sandbox = new RoleSandbox(c, admin);
                sandbox.install();
                try {
                    Map<String, Staged> staged = stagedTables(c, sandbox);
                    psql(new Rest(s, preamble.toString(), firstCopy, staged), what);
                    return staged.size();
                } finally {
                    sandbox.uninstall();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the base " + what + ": " + e.getMessage(), e);
        }
    }

    private void psql(InputStream script, String what) {
        PgTools.Result r = PgTools.run(List.of(tools.path("psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1",
                "--single-transaction", "--no-password", "-d", target.conninfo("pgscribe-restore"), "-f", "-"),
                env, Duration.ofHours(24), script);
        if (!r.ok()) {
            if (r.stderr().contains(REFUSED_MARK)) {
                throw new PgscribeException("loading the base " + what + " was refused: " + r.stderr().strip(),
                        "See the message above.", ExitCode.REFUSED, null);
            }
            throw new PgscribeException("loading the base " + what + " failed: " + r.stderr().strip(),
                    "Fix the cause above (e.g. roles the base refers to: restore with --with-globals, or create them) "
                            + "and run restore again.", ExitCode.FAILED, null);
        }
    }

    private static final String REFUSED_MARK = "pgscribe refuses";

    /** The tables whose rows load with their owner's rights, by the COPY statement pg_dump writes for them. */
    private static Map<String, Staged> stagedTables(Connection c, RoleSandbox sandbox) throws SQLException {
        record Table(long oid, String schema, String name, String owner, boolean superuser, String foreign) {
        }
        List<Table> tables = new ArrayList<>();
        try (java.sql.PreparedStatement q = c.prepareStatement("SELECT c.oid, n.nspname, c.relname, r.rolname, r.rolsuper, ("
                + ForeignCode.query("?::pg_catalog.oid") + ") FROM pg_catalog.pg_class c "
                + "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace JOIN pg_catalog.pg_roles r ON r.oid = c.relowner "
                + "WHERE c.oid = ?::pg_catalog.oid");
             java.sql.PreparedStatement all = c.prepareStatement("SELECT c.oid FROM pg_catalog.pg_class c "
                     + "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p') "
                     + "AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%' "
                     + "ORDER BY 1")) {
            List<Long> oids = new ArrayList<>();
            try (java.sql.ResultSet rs = all.executeQuery()) {
                while (rs.next()) {
                    oids.add(rs.getLong(1));
                }
            }
            for (long oid : oids) {
                q.setLong(1, oid);
                q.setLong(2, oid);
                try (java.sql.ResultSet rs = q.executeQuery()) {
                    if (rs.next() && rs.getString(6) != null) {
                        tables.add(new Table(oid, rs.getString(2), rs.getString(3), rs.getString(4), rs.getBoolean(5),
                                rs.getString(6)));
                    }
                }
            }
        }
        Map<String, Staged> out = new HashMap<>();
        for (Table t : tables) {
            String qualified = SqlText.qualified(t.schema(), t.name());
            if (t.superuser()) {
                throw new PgscribeException("the base's table " + qualified + " belongs to superuser " + t.owner()
                        + ", and loading its rows runs " + t.foreign() + " (through a CHECK, a domain or a generated "
                        + "column): it would run with the restoring superuser's rights",
                        "On the source, give the table to a role that is no superuser (ALTER TABLE ... OWNER TO) or make that "
                                + "function SECURITY DEFINER, and let the next scheduled base start a chain without it; or restore from a "
                                + "base taken before the table used that code.", ExitCode.REFUSED, null);
            }
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

    /** The script's lines, with pg_dump's COPY statements found between statements only. */
    private static final class Script {
        private final BufferedReader in;
        private final SqlLexer lexer = new SqlLexer();

        Script(BufferedReader in) {
            this.in = in;
        }

        /** The preamble (before the first entry) and the schema part; returns the first COPY statement, or null. */
        String untilFirstCopy(StringBuilder preamble, StringBuilder schema) throws IOException {
            boolean inPreamble = true;
            String line;
            while ((line = in.readLine()) != null) {
                boolean between = !lexer.hasCode() && !lexer.isInsideLiteralOrComment();
                if (between && line.startsWith("COPY ")) {
                    return copyStatement(line);
                }
                if (between && BaseFilter.HEADER.matcher(line).matches()) {
                    inPreamble = false;
                }
                BaseFilter.feed(lexer, line);
                (inPreamble ? preamble : schema).append(line).append('\n');
            }
            return null;
        }

        /** A whole COPY statement that starts with {@code first} (a quoted name may hold a line break). */
        String copyStatement(String first) throws IOException {
            StringBuilder st = new StringBuilder(first);
            BaseFilter.feed(lexer, first);
            while (lexer.hasCode() || lexer.isInsideLiteralOrComment()) {
                String next = in.readLine();
                if (next == null) {
                    break;
                }
                st.append('\n').append(next);
                BaseFilter.feed(lexer, next);
            }
            String s = st.toString();
            if (!s.endsWith(" FROM stdin;")) {
                throw new PgscribeException("the base holds a COPY statement pg_dump does not write: "
                        + SqlText.commentText(s.length() > 200 ? s.substring(0, 200) : s),
                        "The file matches its checksum, so it was written like this; restore from another base.",
                        ExitCode.DAMAGED, null);
            }
            return s;
        }

        String line() throws IOException {
            return in.readLine();
        }

        boolean between() {
            return !lexer.hasCode() && !lexer.isInsideLiteralOrComment();
        }

        void feed(String line) {
            BaseFilter.feed(lexer, line);
        }
    }

    /** The second run: the preamble again, then the rest of the script with staged tables rewritten. */
    private static final class Rest extends InputStream {
        private final Script s;
        private final Map<String, Staged> staged;
        private byte[] buf;
        private int pos;
        private String pendingCopy;
        private boolean inCopy;
        private Staged current;
        private boolean done;

        Rest(Script s, String preamble, String firstCopy, Map<String, Staged> staged) {
            this.s = s;
            this.staged = staged;
            this.buf = preamble.getBytes(StandardCharsets.UTF_8);
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
                done = true;
                return "";
            }
            if (inCopy) {
                if (line.equals("\\.")) {
                    inCopy = false;
                    Staged was = current;
                    current = null;
                    return line + "\n" + (was == null ? "" : was.after());
                }
                return line + "\n";
            }
            if (s.between() && line.startsWith("COPY ")) {
                return startCopy(s.copyStatement(line));
            }
            s.feed(line);
            return line + "\n";
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
