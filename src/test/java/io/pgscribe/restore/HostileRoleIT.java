package io.pgscribe.restore;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgscribe.PgscribeException;
import io.pgscribe.cluster.PgServer;
import io.pgscribe.init.ReplicaIdentityAudit;
import io.pgscribe.manifest.SegmentEntry;
import io.pgscribe.server.ConnectionSpec;
import io.pgscribe.server.Pg;
import io.pgscribe.server.PgTools;
import io.pgscribe.testing.PgClusterExtension;
import io.pgscribe.testing.Pipeline;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * An ordinary application role ("mallory": LOGIN, CREATE on its own schema mal, nothing else)
 * attacks a pgscribe backup of its database, one way per test: the ways of pgscribe issue 18,
 * each reproduced against the pgscribe before it. Then a superuser restores the backup, with
 * {@code pgscribe restore} and, where the attack is about text, by hand with psql.
 *
 * <p>Every attack calls {@code mal.payload()}, which does harm only when it runs as a superuser:
 * it records itself in public.pwned, makes mallory a superuser and runs an OS command through
 * COPY TO PROGRAM. After each restore: mallory is no superuser, nothing was recorded, no file was
 * made, mallory was granted nothing on the source database, the restored objects have the
 * source's owners and privileges, and the restore equals the source or refused, saying what.
 */
@ExtendWith(PgClusterExtension.class)
class HostileRoleIT {

    static final String PASSWORD = "mallory-pw";
    static final Path MARKER = Path.of("/tmp", "pgscribe-pwned-" + UUID.randomUUID());
    static PgServer server;

    @TempDir
    Path tmp;

    @BeforeAll
    static void mallory(PgServer cluster) throws Exception {
        server = cluster;
        try (Connection c = Pg.connect(cluster.connection("postgres"), "test")) {
            Pg.execute(c, "CREATE ROLE mallory LOGIN PASSWORD '" + PASSWORD + "'");
        }
    }

    /** A test that let mallory through failed already; the next one starts from a clean slate. */
    @BeforeEach
    void cleanSlate() throws Exception {
        try (Connection c = Pg.connect(server.connection("postgres"), "test")) {
            Pg.execute(c, "ALTER ROLE mallory NOSUPERUSER");
        }
        Files.deleteIfExists(MARKER);
    }

    @AfterAll
    static void noFile() throws Exception {
        assertThat(MARKER).doesNotExist();
    }

    /** One attacked database: mallory's schema, the payload, a table of the superuser's, the capture running. */
    private Pipeline prepare(String db) throws Exception {
        Pipeline p = Pipeline.create(server, db, tmp.resolve(db), Map.of("pgscribe.sequences.sample-interval-ms", "200"));
        try (Connection c = p.connect()) {
            Pg.execute(c, "REVOKE CREATE ON SCHEMA public FROM PUBLIC; CREATE SCHEMA mal AUTHORIZATION mallory; "
                    + "CREATE TABLE public.pwned (id serial PRIMARY KEY, who text, db text); GRANT INSERT ON public.pwned TO PUBLIC; GRANT USAGE ON SEQUENCE public.pwned_id_seq TO PUBLIC; "
                    + "CREATE TABLE public.secret (id int PRIMARY KEY, v text); INSERT INTO public.secret VALUES (1, 'x'); "
                    + "GRANT SELECT ON public.secret TO mallory; "
                    + "CREATE TABLE public.ledger (id int PRIMARY KEY, amount int); "
                    + "INSERT INTO public.ledger SELECT g, g FROM generate_series(1, 20) g");
        }
        try (Connection m = asMallory(p)) {
            Pg.execute(m, "CREATE FUNCTION mal.payload() RETURNS boolean LANGUAGE plpgsql AS $fn$ BEGIN "
                    + "IF (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user) THEN "
                    + "INSERT INTO public.pwned (who, db) VALUES (current_user, pg_catalog.current_database()); "
                    + "EXECUTE 'ALTER ROLE mallory SUPERUSER'; "
                    + "EXECUTE 'COPY (SELECT 1) TO PROGRAM ''touch " + MARKER + "'''; "
                    + "END IF; RETURN true; END $fn$");
        }
        p.init(ReplicaIdentityAudit.Mode.REFUSE);
        p.start();
        return p;
    }

    private static Connection asMallory(Pipeline p) {
        ConnectionSpec s = p.source();
        return Pg.connect(new ConnectionSpec(s.host(), s.port(), s.database(), "mallory", PASSWORD, null, "disable"), "mallory");
    }

    /** Query strings each sent as one, as psql -c sends them (current_query() is all of one), in one session. */
    private static void psqlAsMallory(Pipeline p, String... queries) {
        ConnectionSpec s = p.source();
        ConnectionSpec m = new ConnectionSpec(s.host(), s.port(), s.database(), "mallory", PASSWORD, null, "disable");
        List<String> cmd = new java.util.ArrayList<>(List.of(PgTools.locate("").path("psql"), "-X", "-v", "ON_ERROR_STOP=1",
                "-d", m.conninfo("mallory")));
        for (String q : queries) {
            cmd.add("-c");
            cmd.add(q);
        }
        PgTools.Result r = PgTools.run(cmd, m.toolEnvironment(), Duration.ofMinutes(1));
        assertThat(r.ok()).as(r.stderr()).isTrue();
    }

    /** What became of a restore. */
    private record Outcome(Restorer.Summary summary, PgscribeException refused) {
    }

    /**
     * Stops the capture, restores with pgscribe (and by hand with psql where {@code byHand}), and
     * checks that nothing ran as a superuser. Returns how pgscribe's restore went.
     */
    private Outcome restore(Pipeline p, boolean byHand) throws Exception {
        p.fenceAndWait();
        p.stop();
        String target = p.database + "_restored";
        Outcome o;
        try {
            o = new Outcome(p.restore(target), null);
        } catch (PgscribeException e) {
            o = new Outcome(null, e);
        }
        assertNothingRanAsSuperuser(p, target);
        if (byHand) {
            byHand(p, p.database + "_byhand");
            assertNothingRanAsSuperuser(p, p.database + "_byhand");
        }
        if (o.summary() != null) {
            assertOwnersAndPrivilegesAsInTheSource(p, target);
        }
        return o;
    }

    private void assertNothingRanAsSuperuser(Pipeline p, String restored) throws Exception {
        try (Connection c = Pg.connect(server.connection("postgres"), "test")) {
            assertThat(Pg.string(c, "SELECT rolsuper::text FROM pg_roles WHERE rolname = 'mallory'")).isEqualTo("false");
            assertThat(Pg.string(c, "SELECT has_database_privilege('mallory', '" + p.database + "', 'CREATE')::text"))
                    .as("a grant on the source database").isEqualTo("false");
        }
        for (String db : List.of(p.database, restored)) {
            if (exists(db)) {
                try (Connection c = Pg.connect(server.connection(db), "test")) {
                    assertThat(Pg.query(c, "SELECT who || ' in ' || db FROM public.pwned", rs -> rs.getString(1)))
                            .as("mallory's payload ran as a superuser").isEmpty();
                }
            }
        }
        assertThat(MARKER).as("an OS command ran through COPY TO PROGRAM").doesNotExist();
    }

    private static boolean exists(String db) throws Exception {
        try (Connection c = Pg.connect(server.connection("postgres"), "test")) {
            return !Pg.query(c, "SELECT 1 FROM pg_database WHERE datname = ?", rs -> 1, db).isEmpty();
        }
    }

    /** Owners and ACLs of every relation and function of the database's own schemas, as text. */
    private static List<String> ownership(ConnectionSpec db) throws Exception {
        try (Connection c = Pg.connect(db, "test")) {
            return Pg.query(c, """
                    SELECT n.nspname || '.' || c.relname || ' ' || c.relkind::text || ' ' || c.relowner::regrole || ' '
                           || coalesce(c.relacl::text, '-')
                      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                     WHERE n.nspname IN ('public', 'mal')
                    UNION ALL
                    SELECT n.nspname || '.' || p.proname || ' f ' || p.proowner::regrole || ' ' || coalesce(p.proacl::text, '-')
                      FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname IN ('public', 'mal')
                    ORDER BY 1""", rs -> rs.getString(1));
        }
    }

    private void assertOwnersAndPrivilegesAsInTheSource(Pipeline p, String restored) throws Exception {
        assertThat(ownership(server.connection(restored))).isEqualTo(ownership(p.source()));
    }

    /** The documented by-hand path: the base with psql, then every segment with psql -f. */
    private void byHand(Pipeline p, String db) throws Exception {
        try (Connection c = Pg.connect(server.connection("postgres"), "test")) {
            Pg.execute(c, "CREATE DATABASE " + db);
        }
        ConnectionSpec target = server.connection(db);
        String psql = PgTools.locate("").path("psql");
        List<Path> files = new java.util.ArrayList<>();
        files.add(p.backupDir.resolve(p.manifest().bases().get(0).file()));
        for (SegmentEntry s : p.manifest().segments()) {
            files.add(p.backupDir.resolve(s.file()));
        }
        for (Path f : files) {
            // no ON_ERROR_STOP: whatever psql reads runs, as it would for someone applying the files by hand
            PgTools.run(List.of(psql, "-X", "-q", "-d", target.conninfo("by-hand"), "-f", f.toString()),
                    target.toolEnvironment(), Duration.ofMinutes(2));
        }
    }

    private static String segments(Pipeline p) throws Exception {
        StringBuilder sb = new StringBuilder();
        for (SegmentEntry s : p.manifest().segments()) {
            sb.append(Files.readString(p.backupDir.resolve(s.file())));
        }
        return sb.toString();
    }

    /** Where the first quote of a line is (its length if none): a -- before it starts a comment. */
    private static int quoteStart(String line) {
        int q = line.indexOf('"');
        int a = line.indexOf('\'');
        return Math.min(q < 0 ? line.length() : q, a < 0 ? line.length() : a);
    }

    private static void assertEqualToTheSource(Pipeline p, Outcome o) throws Exception {
        assertThat(o.refused()).as("the restore refused").isNull();
        assertThat(o.summary().ddlNotReplayed()).isZero();
        assertThat(p.verify(p.database + "_restored").differences()).isEmpty();
    }

    // 1. Unescaped text in the segment

    @Test
    void aSearchPathHoldingStatementsIsQuotedNotRun() throws Exception {
        try (Pipeline p = prepare("h_path")) {
            psqlAsMallory(p, "SELECT pg_catalog.set_config('search_path', 'mal;SELECT/**/mal.payload();--', false); "
                    + "CREATE TABLE mal.t (id int PRIMARY KEY); INSERT INTO mal.t VALUES (1)");
            Outcome o = restore(p, true);
            assertThat(segments(p)).contains("SET LOCAL search_path = \"mal;select/**/mal.payload();--\";");
            assertEqualToTheSource(p, o);
        }
    }

    @Test
    void aCarriageReturnInTextThatGoesIntoACommentEndsNoComment() throws Exception {
        try (Pipeline p = prepare("h_cr")) {
            try (Connection m = asMallory(p)) {
                Pg.execute(m, "CREATE TABLE mal.t (id int PRIMARY KEY); CREATE FUNCTION mal.mk() RETURNS void LANGUAGE sql "
                        + "AS 'ALTER TABLE mal.t ADD COLUMN c int'");
            }
            // the ALTER runs inside an SQL function: not replayable, so its query goes into a NOT REPLAYED comment
            psqlAsMallory(p, "SELECT mal.mk(); --\rSELECT mal.payload();\n");
            // an index made inside an SQL function with a line end in its name: the name goes into a note
            psqlAsMallory(p, "CREATE FUNCTION mal.\"mk2\rSELECT mal.payload();--\"() RETURNS void LANGUAGE sql "
                    + "AS 'CREATE INDEX t_id ON mal.t (id)'; SELECT mal.\"mk2\rSELECT mal.payload();--\"()");
            Outcome o = restore(p, true);
            // a \r stays only where it is data (here: inside the quoted name of the function as created), never in a comment
            assertThat(segments(p).split("\n")).filteredOn(l -> l.contains("--") && l.indexOf("--") < quoteStart(l))
                    .noneMatch(l -> l.contains("\r"));
            // the restore tells what it could not replay, and exits 6 (RestoreCommand)
            assertThat(o.summary().ddlNotReplayed()).isEqualTo(1);
            // and the capture said so already: the rule fires from the manifest, until a base covers it
            Pipeline.Cli status = p.cli("status", "--json");
            assertThat(status.code()).isEqualTo(2);
            assertThat(status.out()).contains("\"rule\" : \"ddl-not-replayed\"").contains("1 DDL statement(s) captured since "
                    + "the newest base could not be replayed");
        }
    }

    // 2. DDL replayed as the superuser, and owned by it

    @Test
    void aSecurityDefinerFunctionAndAMatviewStayTheirAuthorsAndRunAsTheirAuthor() throws Exception {
        try (Pipeline p = prepare("h_owner")) {
            try (Connection m = asMallory(p)) {
                Pg.execute(m, "CREATE FUNCTION mal.sd() RETURNS boolean LANGUAGE sql SECURITY DEFINER AS 'SELECT mal.payload()'");
                Pg.execute(m, "CREATE MATERIALIZED VIEW mal.mv AS SELECT mal.payload() AS p");
                Pg.execute(m, "REFRESH MATERIALIZED VIEW mal.mv");
            }
            Outcome o = restore(p, true);
            assertEqualToTheSource(p, o);
            try (Connection c = Pg.connect(server.connection("h_owner_restored"), "test")) {
                assertThat(Pg.string(c, "SELECT proowner::regrole::text FROM pg_proc WHERE proname = 'sd'")).isEqualTo("mallory");
                Pg.execute(c, "SELECT mal.sd()"); // called by a superuser, runs as mallory
            }
            assertNothingRanAsSuperuser(p, "h_owner_restored");
        }
    }

    @Test
    void aGrantThatGrantedNothingGrantsNothing() throws Exception {
        try (Pipeline p = prepare("h_grant")) {
            // mallory may read the table but grant nothing on it: WARNING, no privileges were granted
            psqlAsMallory(p, "GRANT ALL ON public.secret TO mallory; GRANT ALL ON public.secret TO PUBLIC");
            Outcome o = restore(p, true);
            assertEqualToTheSource(p, o);
            for (String db : List.of("h_grant_restored", "h_grant_byhand")) {
                try (Connection c = Pg.connect(server.connection(db), "test")) {
                    assertThat(Pg.string(c, "SELECT has_table_privilege('mallory', 'public.secret', 'INSERT')::text"))
                            .as(db).isEqualTo("false");
                }
            }
        }
    }

    // 3. DML applied as the superuser

    @Test
    void rowsOfARoleTableRunItsTriggersConstraintsDefaultsAndIndexesAsItsOwner() throws Exception {
        try (Pipeline p = prepare("h_rows")) {
            try (Connection m = asMallory(p)) {
                Pg.execute(m, "CREATE FUNCTION mal.ok(int) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'SELECT mal.payload()'; "
                        + "CREATE TABLE mal.t (id int PRIMARY KEY, v int CHECK (mal.payload()), d boolean DEFAULT mal.payload()); "
                        + "CREATE INDEX t_ok ON mal.t ((mal.ok(v))); "
                        + "CREATE FUNCTION mal.trg() RETURNS trigger LANGUAGE plpgsql AS $fn$ BEGIN PERFORM mal.payload(); "
                        + "RETURN NEW; END $fn$; "
                        + "CREATE TRIGGER t_always BEFORE INSERT OR UPDATE ON mal.t FOR EACH ROW EXECUTE FUNCTION mal.trg(); "
                        + "ALTER TABLE mal.t ENABLE ALWAYS TRIGGER t_always");
                Pg.execute(m, "INSERT INTO mal.t (id, v) SELECT g, g FROM generate_series(1, 120) g");
                Pg.execute(m, "UPDATE mal.t SET v = v + 1 WHERE id < 10; DELETE FROM mal.t WHERE id = 50");
            }
            try (Connection c = p.connect()) {
                Pg.execute(c, "UPDATE public.ledger SET amount = amount + 1 WHERE id < 5"); // the superuser's own rows too
            }
            // by hand, psql applies rows as whoever runs it: that is the sandbox pgscribe restore adds
            Outcome o = restore(p, false);
            assertEqualToTheSource(p, o);
        }
    }

    // 4. The statement that gets replayed is not the statement that ran

    @Test
    void statementsThatFireNothingOrFireUncountedCannotShiftTheMatch() throws Exception {
        try (Pipeline p = prepare("h_shift")) {
            psqlAsMallory(p, "CREATE TABLE mal.a (); GRANT CREATE ON DATABASE h_shift TO mallory; CREATE TABLE mal.b ()");
            psqlAsMallory(p, "CREATE TABLE mal.c (); WITH x AS (SELECT 1 AS a) SELECT * INTO mal.d FROM x; "
                    + "SELECT mal.payload(); CREATE TABLE mal.e ()");
            psqlAsMallory(p, "BEGIN; CREATE TABLE mal.never (); ROLLBACK; CREATE TABLE mal.f (); SELECT mal.payload()");
            Outcome o = restore(p, true);
            assertThat(o.refused()).isNull();
            String s = segments(p);
            assertThat(s).doesNotContain("ON DATABASE h_shift TO mallory;\nRESET ROLE").doesNotContain("mal.never ();\n");
            try (Connection c = Pg.connect(server.connection("h_shift_restored"), "test")) {
                assertThat(Pg.query(c, "SELECT relname FROM pg_class WHERE relnamespace = 'mal'::regnamespace AND relkind = 'r' "
                        + "ORDER BY 1", rs -> rs.getString(1))).containsExactly("a", "b", "c", "d", "e", "f");
            }
            assertEqualToTheSource(p, o);
        }
    }

    @Test
    void standardConformingStringsOffCannotHideAStatementInALiteral() throws Exception {
        try (Pipeline p = prepare("h_scs")) {
            try (Connection m = asMallory(p)) {
                Pg.execute(m, "CREATE TABLE mal.t (id int)");
            }
            // read with the setting off (set by the query before: a query string is parsed before it runs)
            psqlAsMallory(p, "SET standard_conforming_strings = off; SET escape_string_warning = off",
                    "COMMENT ON TABLE mal.t IS 'x\\'; SELECT mal.payload(); --';");
            Outcome o = restore(p, true);
            assertThat(o.summary().ddlNotReplayed()).isEqualTo(1);
            assertThat(segments(p)).contains("NOT REPLAYED: \"it was written with standard_conforming_strings = off");
        }
    }

    @Test
    void aFunctionNamedBeginDoesNotSwallowTheNextStatement() throws Exception {
        try (Pipeline p = prepare("h_begin")) {
            psqlAsMallory(p, "CREATE FUNCTION mal.begin() RETURNS int LANGUAGE sql RETURN 1; SELECT mal.payload();");
            Outcome o = restore(p, true);
            assertEqualToTheSource(p, o);
        }
    }

    @Test
    void anExecuteOfSeveralStatementsReplaysOnlyItsDdl() throws Exception {
        try (Pipeline p = prepare("h_exec")) {
            try (Connection m = asMallory(p)) {
                Pg.execute(m, "DO $$ BEGIN EXECUTE 'CREATE TABLE mal.e (id int); SELECT mal.payload()'; END $$");
            }
            Outcome o = restore(p, true);
            assertThat(segments(p)).doesNotContain("mal.payload()");
            assertEqualToTheSource(p, o);
        }
    }

    @Test
    void aCallContextWithAFrameInsideALiteralIsNotTrusted() throws Exception {
        try (Pipeline p = prepare("h_frame")) {
            try (Connection m = asMallory(p)) {
                Pg.execute(m, "DO $$ BEGIN EXECUTE 'CREATE TABLE mal.q (v text DEFAULT ''x\"' || chr(10) "
                        + "|| 'PL/pgSQL function f() line 1 at EXECUTE' || chr(10) || 'y'')'; END $$");
                Pg.execute(m, "INSERT INTO mal.q VALUES ('''); SELECT mal.payload(); --')");
            }
            Outcome o = restore(p, true);
            assertThat(segments(p)).contains("replayed from its definition in the catalog");
            assertEqualToTheSource(p, o);
        }
    }

    // 5. The restore's own SQL

    @Test
    void theRestoresOwnStatementsAndRowsCannotBeShadowedThroughASearchPath() throws Exception {
        try (Pipeline p = prepare("h_shadow")) {
            try (Connection m = asMallory(p)) {
                Pg.execute(m, "CREATE FUNCTION mal.setval(text, bigint, boolean) RETURNS bigint LANGUAGE plpgsql AS "
                        + "$fn$ BEGIN PERFORM mal.payload(); RETURN 0; END $fn$; "
                        + "CREATE FUNCTION mal.eq(int, int) RETURNS boolean LANGUAGE plpgsql AS "
                        + "$fn$ BEGIN PERFORM mal.payload(); RETURN $1 OPERATOR(pg_catalog.=) $2; END $fn$; "
                        + "CREATE OPERATOR mal.= (leftarg = int, rightarg = int, function = mal.eq)");
            }
            // the last DDL leaves mal before pg_catalog on the search_path
            psqlAsMallory(p, "SET search_path = mal, pg_catalog; CREATE TABLE mal.s (id serial PRIMARY KEY); "
                    + "INSERT INTO mal.s DEFAULT VALUES");
            try (Connection c = p.connect()) {
                Pg.execute(c, "UPDATE public.ledger SET amount = 0 WHERE id = 7; DELETE FROM public.ledger WHERE id = 8");
            }
            Outcome o = restore(p, true);
            assertEqualToTheSource(p, o);
        }
    }

    @Test
    void aTableWhoseOwnerIsSubjectToItsOwnPoliciesStopsTheRestoreWithTheWayThrough() throws Exception {
        try (Pipeline p = prepare("h_rls")) {
            try (Connection m = asMallory(p)) {
                Pg.execute(m, "CREATE TABLE mal.r (id int PRIMARY KEY, tenant text); ALTER TABLE mal.r ENABLE ROW LEVEL SECURITY; "
                        + "ALTER TABLE mal.r FORCE ROW LEVEL SECURITY; CREATE POLICY own ON mal.r USING (tenant = 'a') "
                        + "WITH CHECK (tenant = 'a'); INSERT INTO mal.r VALUES (1, 'a'), (2, 'a')");
            }
            Outcome o = restore(p, false);
            // applied as its owner, who may not see every row: an error, never a row silently missing
            assertThat(o.refused()).isNotNull();
            assertThat(o.refused().getMessage()).contains("row-level security");
            assertThat(o.refused().hint()).contains("BYPASSRLS");
            try (Connection c = Pg.connect(server.connection("postgres"), "test")) {
                Pg.execute(c, "ALTER ROLE mallory BYPASSRLS");
                try {
                    Restorer.Summary s = p.restore("h_rls_bypass");
                    assertThat(s.transactionsApplied()).isPositive();
                    assertThat(p.verify("h_rls_bypass").differences()).isEmpty();
                } finally {
                    Pg.execute(c, "ALTER ROLE mallory NOBYPASSRLS");
                }
            }
            assertNothingRanAsSuperuser(p, "h_rls_bypass");
        }
    }
}
