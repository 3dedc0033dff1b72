package io.pgscribe.restore;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgscribe.PgscribeException;
import io.pgscribe.manifest.SegmentEntry;
import io.pgscribe.pg.ConnectionSpec;
import io.pgscribe.pg.Pg;
import io.pgscribe.pg.PgServer;
import io.pgscribe.pg.PgTools;
import io.pgscribe.pg.ReplicaIdentityAudit;
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
        return prepare(db, null);
    }

    /** {@code beforeInit}: what mallory does before the first base is taken (it is then in the base). */
    private Pipeline prepare(String db, String beforeInit) throws Exception {
        return prepare(db, beforeInit, null);
    }

    /** {@code dbaBeforeInit}: what the superuser does after that, before the first base. */
    private Pipeline prepare(String db, String beforeInit, String dbaBeforeInit) throws Exception {
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
            if (beforeInit != null) {
                Pg.execute(m, beforeInit);
            }
        }
        if (dbaBeforeInit != null) {
            try (Connection c = p.connect()) {
                Pg.execute(c, dbaBeforeInit);
            }
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
        String superusersLargeObjects = "SELECT count(*)::text FROM pg_largeobject_metadata m JOIN pg_roles r "
                + "ON r.oid = m.lomowner WHERE r.rolsuper";
        if (exists(restored)) {
            // a built-in payload (query_to_xml running lo_from_bytea) leaves a large object of the superuser's
            try (Connection s = Pg.connect(server.connection(p.database), "test");
                 Connection c = Pg.connect(server.connection(restored), "test")) {
                assertThat(Pg.string(c, superusersLargeObjects)).as("large objects of a superuser")
                        .isEqualTo(Pg.string(s, superusersLargeObjects));
            }
        }
        for (String db : List.of(p.database, restored)) {
            if (exists(db)) {
                try (Connection c = Pg.connect(server.connection(db), "test")) {
                    // a subset restore may have left the table out
                    if (Pg.string(c, "SELECT (pg_catalog.to_regclass('public.pwned') IS NOT NULL)::text").equals("true")) {
                        assertThat(Pg.query(c, "SELECT who || ' in ' || db FROM public.pwned", rs -> rs.getString(1)))
                                .as("mallory's payload ran as a superuser").isEmpty();
                    }
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

    // 2. Found by the second hostile review (issue 18): code run by the restore's own session

    private Outcome restoreWith(Pipeline p, String target, java.util.function.UnaryOperator<Restorer.Options> options)
            throws Exception {
        p.fenceAndWait();
        p.stop();
        Outcome o;
        try {
            o = new Outcome(new Restorer(PgTools.locate(""), p.out, io.pgscribe.testing.TestKeys.reader()).run(options.apply(new Restorer.Options(p.backupDir,
                    p.source(), server.connection("postgres"), target))), null);
        } catch (PgscribeException e) {
            o = new Outcome(null, e);
        }
        assertNothingRanAsSuperuser(p, target);
        return o;
    }

    @Test
    void sequencesAreRaisedFromIntegerColumnsOfPlainTablesOnly() throws Exception {
        try (Pipeline p = prepare("h_seqsync")) {
            try (Connection m = asMallory(p)) {
                // a view column may own a sequence; a cast from a role's type may run its code
                Pg.execute(m, "CREATE VIEW mal.v AS SELECT 1::int AS id WHERE mal.payload(); "
                        + "CREATE SEQUENCE mal.s OWNED BY mal.v.id; "
                        + "CREATE TYPE mal.e AS ENUM ('a', 'b'); "
                        + "CREATE FUNCTION mal.e2i(mal.e) RETURNS int8 LANGUAGE plpgsql AS $fn$ BEGIN PERFORM mal.payload(); "
                        + "RETURN 1; END $fn$; CREATE CAST (mal.e AS int8) WITH FUNCTION mal.e2i(mal.e); "
                        + "CREATE TABLE mal.te (id int PRIMARY KEY, x mal.e); CREATE SEQUENCE mal.s2 OWNED BY mal.te.x; "
                        + "INSERT INTO mal.te VALUES (1, 'b'); "
                        + "CREATE TABLE mal.counted (id serial PRIMARY KEY); INSERT INTO mal.counted SELECT FROM generate_series(1, 5)");
            }
            Outcome o = restore(p, false);
            assertEqualToTheSource(p, o);
            try (Connection c = Pg.connect(server.connection("h_seqsync_restored"), "test")) {
                assertThat(Pg.string(c, "SELECT last_value::text FROM mal.counted_id_seq")).isEqualTo("5");
            }
        }
    }

    @Test
    void deferredTriggersOfARoleFireWithItsRightsOrNone() throws Exception {
        try (Pipeline p = prepare("h_deferred")) {
            try (Connection m = asMallory(p)) {
                Pg.execute(m, "CREATE TABLE mal.d (id int PRIMARY KEY, v int); CREATE TABLE mal.d2 (id int PRIMARY KEY); "
                        + "CREATE FUNCTION mal.dtrg() RETURNS trigger LANGUAGE plpgsql AS $fn$ BEGIN PERFORM mal.payload(); "
                        + "RETURN NULL; END $fn$; "
                        // the second one defers again what it queues: that fires at COMMIT
                        + "CREATE FUNCTION mal.redefer() RETURNS trigger LANGUAGE plpgsql AS $fn$ BEGIN "
                        + "IF current_setting('session_replication_role') = 'replica' THEN SET CONSTRAINTS ALL DEFERRED; "
                        + "INSERT INTO mal.d2 VALUES (NEW.id) ON CONFLICT DO NOTHING; END IF; RETURN NULL; END $fn$; "
                        + "CREATE CONSTRAINT TRIGGER dct AFTER INSERT OR UPDATE ON mal.d DEFERRABLE INITIALLY DEFERRED "
                        + "FOR EACH ROW EXECUTE FUNCTION mal.dtrg(); ALTER TABLE mal.d ENABLE ALWAYS TRIGGER dct; "
                        + "CREATE CONSTRAINT TRIGGER re AFTER INSERT ON mal.d DEFERRABLE INITIALLY DEFERRED "
                        + "FOR EACH ROW EXECUTE FUNCTION mal.redefer(); ALTER TABLE mal.d ENABLE ALWAYS TRIGGER re; "
                        + "CREATE CONSTRAINT TRIGGER d2t AFTER INSERT ON mal.d2 DEFERRABLE INITIALLY DEFERRED "
                        + "FOR EACH ROW EXECUTE FUNCTION mal.dtrg(); ALTER TABLE mal.d2 ENABLE ALWAYS TRIGGER d2t; "
                        + "INSERT INTO mal.d VALUES (1, 1)");
            }
            try (Connection c = p.connect()) {
                Pg.execute(c, "UPDATE public.ledger SET amount = 1 WHERE id = 1");
            }
            // ran as mallory or as the rightless role, or refused: never as the superuser (checked in restore)
            Outcome o = restore(p, false);
            try (Connection c = Pg.connect(server.connection("postgres"), "test")) {
                assertThat(Pg.query(c, "SELECT rolname FROM pg_roles WHERE rolname LIKE 'pgscribe\\_nobody\\_%'", rs -> 1))
                        .as("the restore's rightless role is gone with it").isEmpty();
            }
            assertThat(o.summary() != null || o.refused() != null).isTrue();
        }
    }

    @Test
    void ownersAreAskedAgainAfterTheBatchBeforeRan() throws Exception {
        try (Pipeline p = prepare("h_toctou")) {
            try (Connection c = p.connect()) {
                Pg.execute(c, "GRANT SELECT, INSERT ON public.ledger TO mallory");
            }
            try (Connection m = asMallory(p)) {
                Pg.execute(m, "CREATE TABLE mal.x (id int PRIMARY KEY); CREATE TABLE mal.a (id int PRIMARY KEY); "
                        + "CREATE TABLE mal.b (id int PRIMARY KEY); "
                        + "CREATE FUNCTION mal.xtrg() RETURNS trigger LANGUAGE plpgsql AS $fn$ BEGIN PERFORM mal.payload(); "
                        + "RETURN NEW; END $fn$; "
                        + "CREATE FUNCTION mal.atrg() RETURNS trigger LANGUAGE plpgsql AS $fn$ BEGIN "
                        + "IF current_setting('session_replication_role') = 'replica' THEN DROP TABLE mal.x; END IF; "
                        + "RETURN NEW; END $fn$; "
                        + "CREATE FUNCTION mal.btrg() RETURNS trigger LANGUAGE plpgsql AS $fn$ BEGIN "
                        + "IF current_setting('session_replication_role') = 'replica' THEN "
                        + "CREATE TABLE mal.x (id int PRIMARY KEY); "
                        + "CREATE TRIGGER x BEFORE INSERT ON mal.x FOR EACH ROW EXECUTE FUNCTION mal.xtrg(); "
                        + "ALTER TABLE mal.x ENABLE ALWAYS TRIGGER x; END IF; RETURN NEW; END $fn$; "
                        + "CREATE TRIGGER a BEFORE INSERT ON mal.a FOR EACH ROW EXECUTE FUNCTION mal.atrg(); "
                        + "ALTER TABLE mal.a ENABLE ALWAYS TRIGGER a; "
                        + "CREATE TRIGGER b BEFORE INSERT ON mal.b FOR EACH ROW EXECUTE FUNCTION mal.btrg(); "
                        + "ALTER TABLE mal.b ENABLE ALWAYS TRIGGER b");
            }
            psqlAsMallory(p, "INSERT INTO mal.a VALUES (1); INSERT INTO public.ledger VALUES (500, 5); "
                    + "INSERT INTO mal.b VALUES (1); INSERT INTO mal.x VALUES (1)");
            restore(p, false); // whatever it does, nothing ran as the superuser
        }
    }

    @Test
    void aTriggerOfAnotherRoleOnASuperusersTableIsRefused() throws Exception {
        try (Pipeline p = prepare("h_granted_trigger")) {
            try (Connection c = p.connect()) {
                Pg.execute(c, "GRANT TRIGGER, INSERT ON public.ledger TO mallory");
            }
            try (Connection m = asMallory(p)) {
                Pg.execute(m, "CREATE FUNCTION mal.ltrg() RETURNS trigger LANGUAGE plpgsql AS $fn$ BEGIN PERFORM mal.payload(); "
                        + "RETURN NEW; END $fn$; CREATE TRIGGER l BEFORE INSERT ON public.ledger FOR EACH ROW "
                        + "EXECUTE FUNCTION mal.ltrg()");
            }
            try (Connection c = p.connect()) {
                // only the table's owner can make it fire during a restore: a DBA who trusted the trigger
                Pg.execute(c, "ALTER TABLE public.ledger ENABLE ALWAYS TRIGGER l");
            }
            try (Connection m = asMallory(p)) {
                Pg.execute(m, "INSERT INTO public.ledger VALUES (600, 6)");
            }
            Outcome o = restore(p, false);
            assertThat(o.refused()).isNotNull();
            assertThat(o.refused().getMessage()).contains("public.ledger").contains("mal.ltrg()").contains("mallory");
        }
    }

    @Test
    void checksumsOfRowsUseNoCastARoleMade() throws Exception {
        // init computes the base's checksums on the live source, as every scheduled base does
        try (Pipeline p = prepare("h_checksum_cast", "CREATE TABLE mal.r (id int PRIMARY KEY, t text); "
                + "INSERT INTO mal.r VALUES (1, 'x'); CREATE FUNCTION mal.r2text(mal.r) RETURNS text LANGUAGE plpgsql AS "
                + "$fn$ BEGIN PERFORM mal.payload(); RETURN $1.id::text; END $fn$; "
                + "CREATE CAST (mal.r AS text) WITH FUNCTION mal.r2text(mal.r)")) {
            assertNothingRanAsSuperuser(p, "h_checksum_cast");
            // and verify, on both sides
            Map<String, io.pgscribe.verify.TableChecksum> sums = io.pgscribe.verify.Verifier.checksums(p.source());
            // the whole row, also where a column is named t
            assertThat(sums.get("mal.r").rows()).isEqualTo(1);
            try (Connection c = p.connect()) {
                Pg.execute(c, "UPDATE mal.r SET t = 'y'");
            }
            assertThat(io.pgscribe.verify.Verifier.checksums(p.source()).get("mal.r").checksum())
                    .isNotEqualTo(sums.get("mal.r").checksum());
            Outcome o = restore(p, false);
            assertEqualToTheSource(p, o);
        }
    }

    @Test
    void aGlobalsLiteralWithALineStartingWithABackslashStaysALiteral() throws Exception {
        try (Pipeline p = prepare("h_globals")) {
            try (Connection m = asMallory(p)) {
                Pg.execute(m, "ALTER ROLE mallory SET search_path TO E'\"x\\n\\\\\"'; ALTER ROLE mallory SET application_name "
                        + "TO 'p;COPY(SELECT)TO PROGRAM $$touch " + MARKER + "$$;--'");
            }
            try {
                // the globals dump is taken with the set: a new one after mallory's settings
                io.pgscribe.manifest.GlobalsEntry taken = io.pgscribe.base.GlobalsDump.take(PgTools.locate(""), p.source(),
                        tmp.resolve("later"), false, java.time.Clock.systemUTC(), Duration.ofMinutes(1));
                io.pgscribe.manifest.GlobalsEntry fresh = new io.pgscribe.manifest.GlobalsEntry("globals/later.sql",
                        taken.takenAt(), taken.bytes(), taken.sha256());
                Files.copy(tmp.resolve("later").resolve(taken.file()), p.backupDir.resolve(fresh.file()));
                p.store().update(m -> m.withGlobals(fresh));
                assertThat(Files.readString(p.backupDir.resolve(fresh.file()))).contains("\n\\\\\"';");
                Outcome o = restoreWith(p, "h_globals_restored", x -> x.withGlobals(true));
                assertThat(o.refused()).isNull();
            } finally {
                try (Connection c = Pg.connect(server.connection("postgres"), "test")) {
                    Pg.execute(c, "ALTER ROLE mallory RESET ALL");
                }
            }
        }
    }

    @Test
    void aSubsetRestoreTakesHeadersOnlyBetweenStatements() throws Exception {
        // in the base: a view whose text holds what looks like pg_dump's next entry
        try (Pipeline p = prepare("h_subset", "CREATE VIEW mal.v AS SELECT E'x\\n--\\n-- Name: y; Type: FUNCTION; "
                + "Schema: mal; Owner: mallory\\n--\\n\\nCOPY (SELECT 1) TO PROGRAM $$touch " + MARKER + "$$; "
                + "SELECT mal.payload(); CREATE VIEW \"mal\".\"v2\" AS SELECT 1 AS a; --'::text AS a")) {
            Outcome o = restoreWith(p, "h_subset_restored", x -> x.withScope(new RestoreScope(
                    java.util.Set.of(new RestoreScope.Name("public", "ledger")), java.util.Set.of())));
            // the GRANT on public.pwned's sequence, left out with its table, is left out too
            assertThat(o.refused()).as(o.refused() == null ? "" : o.refused().getMessage()).isNull();
            try (Connection c = Pg.connect(server.connection("h_subset_restored"), "test")) {
                assertThat(Pg.string(c, "SELECT count(*)::text FROM public.ledger")).isEqualTo("20");
            }
        }
    }

    @Test
    void psqlVariablesInReplayedDdlAreNeverInterpolatedByHand() throws Exception {
        try (Pipeline p = prepare("h_psqlvar")) {
            try (Connection m = asMallory(p)) {
                Pg.execute(m, "CREATE TABLE mal.t2 (last_error_message int); "
                        + "CREATE TABLE mal.c (id int, CONSTRAINT \"x\"\"; ROLLBACK; SELECT mal.payload(); BEGIN; --\" "
                        + "CHECK (pg_catalog.current_setting('session_replication_role') <> 'replica')); "
                        + "INSERT INTO mal.c VALUES (1)");
            }
            psqlAsMallory(p, "CREATE VIEW mal.v AS SELECT (ARRAY[1,2])[1:LAST_ERROR_MESSAGE] AS a FROM mal.t2");
            restore(p, true);
            assertThat(segments(p)).contains("[1: LAST_ERROR_MESSAGE]");
        }
    }

    @Test
    void anEndInABeginAtomicBodyIsReplayedFromTheCatalog() throws Exception {
        try (Pipeline p = prepare("h_atomic")) {
            psqlAsMallory(p, "CREATE FUNCTION mal.f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1 AS end; SELECT 2; END");
            Outcome o = restore(p, false);
            assertEqualToTheSource(p, o);
            try (Connection c = Pg.connect(server.connection("h_atomic_restored"), "test")) {
                assertThat(Pg.string(c, "SELECT mal.f()::text")).isEqualTo("2");
            }
        }
    }

    @Test
    void anExtensionsScriptIsNeverTakenForTheClientsDdl() throws Exception {
        try (Pipeline p = prepare("h_extension")) {
            try (Connection c = p.connect()) {
                Pg.execute(c, "GRANT CREATE ON DATABASE h_extension TO mallory");
            }
            psqlAsMallory(p, "CREATE EXTENSION tcn SCHEMA mal; "
                    + "CREATE FUNCTION mal.sudo(text) RETURNS void LANGUAGE plpgsql SECURITY DEFINER AS $fn$ BEGIN EXECUTE $1; END $fn$; "
                    + "CREATE FUNCTION mal.pad() RETURNS int LANGUAGE sql AS $fn$ SELECT 1 $fn$");
            try (Connection c = p.connect()) {
                Pg.execute(c, "REVOKE CREATE ON DATABASE h_extension FROM mallory");
            }
            restore(p, true);
            assertThat(segments(p)).contains("\"object\":\"mal.sudo(pg_catalog.text)\",\"role\":\"mallory\"")
                    .doesNotContain("\"role\":\"postgres\"");
            for (String db : List.of("h_extension_restored", "h_extension_byhand")) {
                if (exists(db)) {
                    try (Connection c = Pg.connect(server.connection(db), "test")) {
                        assertThat(Pg.query(c, "SELECT proowner::regrole::text FROM pg_proc WHERE proname = 'sudo'",
                                rs -> rs.getString(1))).allMatch("mallory"::equals);
                    }
                }
            }
        }
    }

    @Test
    void aSchemaNamedLikeTheSandboxIsLeftAsItIs() throws Exception {
        try (Pipeline p = prepare("h_squat")) {
            try (Connection c = p.connect()) {
                Pg.execute(c, "CREATE SCHEMA pgscribe_replay AUTHORIZATION mallory; COMMENT ON SCHEMA pgscribe_replay IS "
                        + "'pgscribe: the restore''s role sandbox, dropped when the restore ends'");
            }
            try (Connection m = asMallory(p)) {
                Pg.execute(m, "CREATE DOMAIN pgscribe_replay.money_t AS numeric(12,2); "
                        + "CREATE TABLE mal.inv (id int PRIMARY KEY, amount pgscribe_replay.money_t); "
                        + "INSERT INTO mal.inv VALUES (1, 9.5)");
            }
            Outcome o = restore(p, false);
            assertEqualToTheSource(p, o);
        }
    }

    @Test
    void rowsOfTheBaseAreLoadedWithTheirOwnersRights() throws Exception {
        // in the base: pg_dump's COPY checks each row's CHECK and domain and computes generated columns as whoever loads it
        try (Pipeline p = prepare("h_base_checks", "CREATE TABLE mal.chk (id int PRIMARY KEY, v int CHECK (mal.payload())); "
                + "INSERT INTO mal.chk VALUES (1, 1), (2, 2); "
                + "CREATE DOMAIN mal.d AS int CHECK (mal.payload()); "
                + "CREATE TABLE mal.dt (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, v mal.d, w mal.d[], \"odd \"\"name\" text); "
                + "INSERT INTO mal.dt (v, w, \"odd \"\"name\") VALUES (1, '{1,2}', 'a''b;\\.'), (NULL, NULL, E'line\\nbreak'); "
                + "CREATE FUNCTION mal.imm(int) RETURNS int IMMUTABLE LANGUAGE plpgsql AS $fn$ BEGIN PERFORM mal.payload(); "
                + "RETURN $1 * 2; END $fn$; "
                + "CREATE TABLE mal.g (id int PRIMARY KEY, g int GENERATED ALWAYS AS (mal.imm(id)) STORED); "
                + "INSERT INTO mal.g (id) VALUES (1), (2)")) {
            try (Connection m = asMallory(p)) {
                Pg.execute(m, "INSERT INTO mal.chk VALUES (3, 3); INSERT INTO mal.g (id) VALUES (3)");
            }
            Outcome o = restore(p, false);
            assertThat(o.refused()).isNull();
            // mal.dt's domain is checked by no row of the base (DomainChecks)
            assertThat(p.printed()).contains("Base: the rows of 2 table(s) with CHECK constraints or generated columns "
                    + "were loaded with their owner's rights");
            assertThat(p.verify(p.database + "_restored").differences()).isEmpty();
            // and a restore of one of them
            new Restorer(PgTools.locate(""), p.out, io.pgscribe.testing.TestKeys.reader()).run(new Restorer.Options(p.backupDir, p.source(),
                    server.connection("postgres"), "h_base_checks_one").withScope(new RestoreScope(
                    java.util.Set.of(new RestoreScope.Name("mal", "dt")), java.util.Set.of())));
            assertNothingRanAsSuperuser(p, "h_base_checks_one");
        }
    }

    @Test
    void aSuperusersTableWhoseRowsRunARolesCodeIsRefused() throws Exception {
        // the DBA's table uses mallory's domain; mallory makes the domain call its code
        try (Pipeline p = prepare("h_su_domain", "CREATE DOMAIN mal.amount AS int")) {
            try (Connection c = p.connect()) {
                Pg.execute(c, "CREATE TABLE public.booked (id int PRIMARY KEY, a mal.amount); "
                        + "GRANT INSERT, UPDATE ON public.booked TO mallory");
            }
            try (Connection m = asMallory(p)) {
                Pg.execute(m, "ALTER DOMAIN mal.amount ADD CONSTRAINT pay CHECK (mal.payload()); "
                        + "INSERT INTO public.booked VALUES (1, 10)");
            }
            Outcome o = restore(p, false);
            assertThat(o.refused()).isNotNull();
            assertThat(o.refused().getMessage()).contains("public.booked").contains("domain mal.amount of role mallory");
        }
        // in the base the domain's CHECK is added after the rows, without checking them (DomainChecks): it loads
        try (Pipeline p = prepare("h_su_base", "CREATE DOMAIN mal.amount AS int",
                "CREATE TABLE public.booked2 (id int PRIMARY KEY, a mal.amount); GRANT INSERT ON public.booked2 TO mallory; "
                        + "SET ROLE mallory; ALTER DOMAIN mal.amount ADD CONSTRAINT pay CHECK (mal.payload()); "
                        + "INSERT INTO public.booked2 VALUES (1, 1); RESET ROLE")) {
            Outcome o = restore(p, false);
            assertEqualToTheSource(p, o);
            try (Connection c = Pg.connect(server.connection("h_su_base_restored"), "test")) {
                assertThat(Pg.string(c, "SELECT convalidated::text FROM pg_constraint WHERE conname = 'pay'")).isEqualTo("true");
            }
        }
    }

    @Test
    void aTriggersWhenClauseCountsAsItsCode() throws Exception {
        try (Pipeline p = prepare("h_trigger_when")) {
            try (Connection c = p.connect()) {
                Pg.execute(c, "GRANT TRIGGER, UPDATE, SELECT ON public.ledger TO mallory");
            }
            try (Connection m = asMallory(p)) {
                Pg.execute(m, "CREATE TRIGGER l BEFORE UPDATE ON public.ledger FOR EACH ROW WHEN (mal.payload()) "
                        + "EXECUTE FUNCTION pg_catalog.suppress_redundant_updates_trigger()");
            }
            try (Connection c = p.connect()) {
                Pg.execute(c, "ALTER TABLE public.ledger ENABLE ALWAYS TRIGGER l");
            }
            try (Connection m = asMallory(p)) {
                Pg.execute(m, "UPDATE public.ledger SET amount = amount + 1 WHERE id = 1");
            }
            Outcome o = restore(p, false);
            assertThat(o.refused()).isNotNull();
            assertThat(o.refused().getMessage()).contains("public.ledger").contains("mal.payload()");
        }
    }

    @Test
    void objectsThatUsePgscribesTypesSurviveTheRestoresCleanup() throws Exception {
        try (Pipeline p = prepare("h_uses_pgscribe")) {
            try (Connection m = asMallory(p)) {
                Pg.execute(m, "CREATE TABLE mal.acct (id int PRIMARY KEY, extra pgscribe.settings); "
                        + "INSERT INTO mal.acct SELECT g, ROW('k' || g, 'v')::pgscribe.settings FROM generate_series(1, 3) g; "
                        + "GRANT SELECT ON mal.acct TO PUBLIC");
            }
            try (Connection c = p.connect()) {
                Pg.execute(c, "CREATE VIEW public.balances AS SELECT id, (extra).name FROM mal.acct");
            }
            Outcome o = restore(p, false);
            assertThat(o.refused()).isNull();
            assertThat(p.printed()).contains("WARNING: schema pgscribe is left in h_uses_pgscribe_restored");
            assertThat(p.verify("h_uses_pgscribe_restored").differences()).isEmpty();
            try (Connection c = Pg.connect(server.connection("h_uses_pgscribe_restored"), "test")) {
                assertThat(Pg.string(c, "SELECT count(*)::text FROM public.balances")).isEqualTo("3");
                assertThat(Pg.string(c, "SELECT count(*)::text FROM pg_event_trigger")).isEqualTo("0");
            }
            // and uninstall on the source drops nothing of them
            Pipeline.Cli u = p.cli("uninstall");
            assertThat(u.code()).isEqualTo(4);
            assertThat(u.err()).contains("mal.acct").contains("nothing was dropped");
            try (Connection c = p.connect()) {
                Pg.execute(c, "DROP VIEW public.balances; ALTER TABLE mal.acct DROP COLUMN extra");
            }
        }
    }

    @Test
    void nestedTypesOfARoleRunInNoLoadOfTheBaseAndAreRefusedOnASuperusersTable() throws Exception {
        try (Pipeline p = prepare("h_nested", "CREATE DOMAIN mal.dc AS int CHECK (mal.payload()); "
                + "CREATE TYPE mal.comp AS (f mal.dc); CREATE TABLE mal.t1 (id int PRIMARY KEY, c mal.comp); "
                + "INSERT INTO mal.t1 VALUES (1, ROW(5)); "
                + "CREATE TYPE mal.rng AS RANGE (subtype = mal.dc); CREATE TABLE mal.t2 (id int PRIMARY KEY, r mal.rng); "
                + "INSERT INTO mal.t2 VALUES (1, mal.rng(1, 5)); GRANT USAGE ON SCHEMA mal TO PUBLIC",
                "CREATE TABLE public.st (id int PRIMARY KEY, c mal.comp); GRANT INSERT ON public.st TO mallory")) {
            try (Connection m = asMallory(p)) {
                Pg.execute(m, "INSERT INTO public.st VALUES (1, ROW(7))");
            }
            Outcome o = restore(p, false);
            assertThat(o.refused()).isNotNull();
            // the base's rows check no domain (DomainChecks); the segment's row would, as the superuser
            assertThat(o.refused().getMessage()).contains("table public.st belongs to a superuser").contains("mal.dc of role mallory");
        }
    }

    @Test
    void aRolesCodeInTheBaseChangesNoSettingAndNoSchemaOfTheLoad() throws Exception {
        // settings: a later line of the base must read as pg_dump wrote it
        try (Pipeline p = prepare("h_base_settings", "CREATE FUNCTION mal.sets() RETURNS boolean LANGUAGE plpgsql AS $fn$ BEGIN "
                + "PERFORM pg_catalog.set_config('standard_conforming_strings', 'off', false); RETURN true; END $fn$; "
                + "CREATE TABLE mal.s (id int PRIMARY KEY, x int CHECK (mal.sets())); INSERT INTO mal.s VALUES (1, 1); "
                + "CREATE INDEX s_x ON mal.s (x); "
                + "COMMENT ON INDEX mal.s_x IS E'a\\\\''; SELECT mal.payload(); --'")) {
            Outcome o = restore(p, false);
            assertThat(o.refused()).isNull();
            assertThat(p.verify(p.database + "_restored").differences()).isEmpty();
        }
        // schema: a role's code that runs DDL while the rows load (a constraint for a table not loaded yet,
        // a trigger for the COMMIT) is refused
        try (Pipeline p = prepare("h_base_ddl", "CREATE TABLE mal.b (id int PRIMARY KEY); INSERT INTO mal.b VALUES (1); "
                + "CREATE FUNCTION mal.late() RETURNS boolean LANGUAGE plpgsql AS $fn$ BEGIN "
                + "IF current_user <> 'mallory' THEN BEGIN EXECUTE 'ALTER TABLE mal.b ADD CONSTRAINT late CHECK "
                + "(mal.payload()) NOT VALID'; EXCEPTION WHEN duplicate_object THEN NULL; END; END IF; RETURN true; END $fn$; "
                + "CREATE TABLE mal.a (id int PRIMARY KEY, v int CHECK (mal.late())); INSERT INTO mal.a VALUES (1, 1)")) {
            // on the source the function runs as mallory and does nothing; in the load it runs as mallory too
            Outcome o = restore(p, false);
            assertThat(o.refused()).isNull();
        }
        try (Pipeline p = prepare("h_base_ddl2", "CREATE TABLE mal.b (id int PRIMARY KEY); INSERT INTO mal.b VALUES (1); "
                + "CREATE FUNCTION mal.late() RETURNS boolean LANGUAGE plpgsql AS $fn$ BEGIN "
                + "IF pg_catalog.current_database() <> 'h_base_ddl2' THEN EXECUTE 'ALTER TABLE mal.b ADD CONSTRAINT late CHECK "
                + "(mal.payload()) NOT VALID'; END IF; RETURN true; END $fn$; "
                + "CREATE TABLE mal.a (id int PRIMARY KEY, v int CHECK (mal.late())); INSERT INTO mal.a VALUES (1, 1)")) {
            Outcome o = restore(p, false);
            assertThat(o.refused()).isNotNull();
            assertThat(o.refused().getMessage()).contains("pgscribe refuses: mallory ran ALTER TABLE while the base loaded");
        }
    }

    @Test
    void theBasesPrivilegesHoldBeforeAnyRowLoads() throws Exception {
        // a superuser's function for the DBA only: on the source mallory's call fails (and is caught)
        try (Pipeline p = prepare("h_base_acl", "CREATE TABLE mal.log (id serial PRIMARY KEY, ok boolean); "
                + "CREATE FUNCTION mal.try() RETURNS boolean LANGUAGE plpgsql AS $fn$ BEGIN "
                + "BEGIN PERFORM public.admin_exec('SELECT mal.payload()'); INSERT INTO mal.log (ok) VALUES (true); "
                + "EXCEPTION WHEN insufficient_privilege THEN NULL; END; RETURN true; END $fn$",
                "CREATE FUNCTION public.admin_exec(q text) RETURNS void LANGUAGE plpgsql SECURITY DEFINER AS $fn$ BEGIN "
                        + "EXECUTE q; END $fn$; REVOKE EXECUTE ON FUNCTION public.admin_exec(text) FROM PUBLIC; "
                        + "SET ROLE mallory; CREATE TABLE mal.c (id int PRIMARY KEY, v int CHECK (mal.try())); "
                        + "INSERT INTO mal.c VALUES (1, 1), (2, 2); RESET ROLE")) {
            Outcome o = restore(p, false);
            assertThat(o.refused()).isNull();
            assertThat(p.verify(p.database + "_restored").differences()).isEmpty();
        }
    }

    @Test
    void aSuperusersMatviewOverARolesFunctionIsRefreshedWithThatRolesRights() throws Exception {
        // harmless on the source (the DBA's refresh there ran it while it did nothing); mallory arms it for restores
        try (Pipeline p = prepare("h_su_matview", "CREATE FUNCTION mal.later() RETURNS int LANGUAGE plpgsql AS $fn$ BEGIN "
                + "IF pg_catalog.current_database() LIKE '%restored' THEN PERFORM mal.payload(); END IF; RETURN 1; END $fn$",
                "CREATE MATERIALIZED VIEW public.mv AS SELECT mal.later() AS one")) {
            Outcome o = restore(p, false);
            assertThat(o.refused()).isNull();
        }
    }

    @Test
    void aChecksBuiltInsThatRunSqlRunWithTheTableOwnersRights() throws Exception {
        // no function of mallory's: a built-in that runs SQL (query_to_xml) as whoever checks the row
        try (Pipeline p = prepare("h_base_builtin", "CREATE TABLE mal.q (id int PRIMARY KEY, v text CHECK (CASE WHEN "
                + "current_user = 'mallory' THEN true ELSE pg_catalog.query_to_xml($q$SELECT pg_catalog.lo_from_bytea("
                + "0, 'pwned')$q$, true, true, '') IS NOT NULL END)); INSERT INTO mal.q VALUES (1, 'a')")) {
            Outcome o = restore(p, false);
            assertThat(o.refused()).isNull();
            try (Connection c = Pg.connect(server.connection("h_base_builtin_restored"), "test")) {
                assertThat(Pg.string(c, "SELECT count(*)::text FROM pg_largeobject_metadata"))
                        .as("a large object the check made as the superuser").isEqualTo("0");
            }
            assertThat(p.verify(p.database + "_restored").differences()).isEmpty();
        }
    }
    @Test
    void aCheckPgDumpAddsAfterTheRowsIsNotCheckedAgainAsTheSuperuser() throws Exception {
        // a function of the table's row type puts the CHECK in the post-data part, where adding it checks every row
        String sql = "CASE WHEN current_user = 'mallory' THEN true ELSE pg_catalog.query_to_xml($q$SELECT pg_catalog.lo_from_bytea("
                + "0, 'pwned')$q$, true, true, '') IS NOT NULL END";
        try (Pipeline p = prepare("h_post_check", "CREATE TABLE mal.w (id int PRIMARY KEY, v text); "
                + "CREATE FUNCTION mal.okrow(mal.w) RETURNS boolean LANGUAGE sql AS 'SELECT true'; "
                + "ALTER TABLE mal.w ADD CONSTRAINT \"w'; --\" CHECK (mal.okrow(w.*) AND " + sql + "); "
                + "INSERT INTO mal.w VALUES (1, 'a'), (-1, 'b'); "
                + "ALTER TABLE mal.w ADD CONSTRAINT pos CHECK (mal.okrow(w.*) AND id > 0) NOT VALID; "
                + "CREATE DOMAIN mal.d2 AS int; CREATE TABLE mal.u (id int PRIMARY KEY, x mal.d2); INSERT INTO mal.u VALUES (1, 5); "
                + "CREATE FUNCTION mal.okd(mal.d2) RETURNS boolean LANGUAGE sql AS 'SELECT true'; "
                + "ALTER DOMAIN mal.d2 ADD CONSTRAINT dc CHECK (mal.okd(VALUE) AND " + sql + ")")) {
            Outcome o = restore(p, false);
            assertEqualToTheSource(p, o);
            try (Connection c = Pg.connect(server.connection("h_post_check_restored"), "test")) {
                assertThat(Pg.string(c, "SELECT count(*)::text FROM pg_largeobject_metadata"))
                        .as("a large object the check made as the superuser").isEqualTo("0");
                assertThat(Pg.query(c, "SELECT conname || ' ' || convalidated FROM pg_constraint WHERE connamespace = "
                        + "'mal'::regnamespace AND contype = 'c' ORDER BY 1", rs -> rs.getString(1)))
                        .containsExactly("dc true", "pos false", "w'; -- true");
            }
        }
    }

    /** A CHECK that makes a large object when anyone but mallory evaluates it (query_to_xml runs SQL as the caller). */
    private static final String LARGE_OBJECT_UNLESS_MALLORY = "CASE WHEN current_user = 'mallory' THEN true ELSE "
            + "pg_catalog.query_to_xml($q$SELECT pg_catalog.lo_from_bytea(0, 'pwned')$q$, true, true, '') IS NOT NULL END";

    private static void assertNoLargeObject(String db) throws Exception {
        try (Connection c = Pg.connect(server.connection(db), "test")) {
            assertThat(Pg.string(c, "SELECT count(*)::text FROM pg_largeobject_metadata"))
                    .as("a large object a role's code made as the superuser").isEqualTo("0");
        }
    }

    @Test
    void aDomainsCheckRunsForNoValueTheSchemaOrTheRowsOfTheBaseMake() throws Exception {
        // an aggregate's INITCOND and a partition bound make values of the domain while the schema loads;
        // a partition key cast to a domain checks every row COPY puts into a leaf
        try (Pipeline p = prepare("h_domain_schema", "CREATE DOMAIN mal.pd AS int CONSTRAINT \"pd'; --\" CHECK ("
                + LARGE_OBJECT_UNLESS_MALLORY + "); "
                + "CREATE FUNCTION mal.sf(mal.pd, int) RETURNS mal.pd LANGUAGE sql AS 'SELECT $1'; "
                + "CREATE AGGREGATE mal.agg(int) (SFUNC = mal.sf, STYPE = mal.pd, INITCOND = '5'); "
                + "CREATE TABLE mal.pt (k mal.pd PRIMARY KEY, v text) PARTITION BY RANGE (k); "
                + "CREATE TABLE mal.pt1 PARTITION OF mal.pt FOR VALUES FROM (1) TO (10); INSERT INTO mal.pt VALUES (5, 'a'); "
                + "CREATE DOMAIN mal.kd AS int CHECK (" + LARGE_OBJECT_UNLESS_MALLORY + "); "
                + "CREATE TABLE mal.lt (v int, w text) PARTITION BY LIST ((v::mal.kd)); "
                + "CREATE TABLE mal.lt1 PARTITION OF mal.lt FOR VALUES IN (1, 2); ALTER TABLE mal.lt1 REPLICA IDENTITY FULL; "
                + "INSERT INTO mal.lt VALUES (1, 'x'), (2, 'y')")) {
            Outcome o = restore(p, false);
            assertEqualToTheSource(p, o);
            assertNoLargeObject("h_domain_schema_restored");
            try (Connection c = Pg.connect(server.connection("h_domain_schema_restored"), "test")) {
                assertThat(Pg.query(c, "SELECT conname || ' ' || convalidated FROM pg_constraint WHERE connamespace = "
                        + "'mal'::regnamespace AND contype = 'c' ORDER BY 1", rs -> rs.getString(1)))
                        .containsExactly("kd_check true", "pd'; -- true");
                assertThat(Pg.string(c, "SELECT mal.agg(x)::text FROM generate_series(1, 3) x")).isEqualTo("5");
            }
        }
    }

    @Test
    void aSuperusersMatviewOverARolesViewIsLeftUnpopulatedWithAWarning() throws Exception {
        // the view's built-in runs as whoever refreshes; armed only in a restored database (the DBA's refresh ran it)
        String armed = "CASE WHEN pg_catalog.current_database() NOT LIKE '%restored' THEN 1 ELSE pg_catalog.length("
                + "pg_catalog.query_to_xml($q$SELECT pg_catalog.lo_from_bytea(0, 'pwned')$q$, true, true, '')::text) END";
        try (Pipeline p = prepare("h_su_matview_view", "CREATE VIEW mal.v AS SELECT " + armed + " AS n; "
                + "GRANT USAGE ON SCHEMA mal TO PUBLIC; GRANT SELECT ON mal.v TO PUBLIC",
                "CREATE VIEW public.over AS SELECT n FROM mal.v; CREATE MATERIALIZED VIEW public.mv AS SELECT n FROM public.over; "
                        + "CREATE MATERIALIZED VIEW public.mv2 AS SELECT n FROM public.mv; "
                        + "CREATE MATERIALIZED VIEW public.fine AS SELECT count(*) AS n FROM public.ledger; "
                        // the server's own SQL-language functions are no DBA's bodies
                        + "CREATE MATERIALIZED VIEW public.described AS SELECT pg_catalog.obj_description("
                        + "'public.ledger'::pg_catalog.regclass, 'pg_class') AS d")) {
            Outcome o = restore(p, false);
            assertThat(o.refused()).isNull();
            assertNoLargeObject("h_su_matview_view_restored");
            try (Connection c = Pg.connect(server.connection("h_su_matview_view_restored"), "test")) {
                assertThat(Pg.query(c, "SELECT matviewname || ' ' || ispopulated FROM pg_matviews ORDER BY 1", rs -> rs.getString(1)))
                        .containsExactly("described true", "fine true", "mv false", "mv2 false");
            }
            assertThat(p.output.toString(java.nio.charset.StandardCharsets.UTF_8))
                    .contains("WARNING: materialized view \"public\".\"mv\" is not refreshed by the restore: it reads view "
                            + "\"mal\".\"v\" of role mallory")
                    .contains("WARNING: materialized view \"public\".\"mv2\" is not refreshed by the restore: it reads "
                            + "materialized view \"public\".\"mv\", left unpopulated");
        }
    }

    @Test
    void aRolesDomainInTheKeyOfASuperusersPartitionedTableIsRefused() throws Exception {
        try (Pipeline p = prepare("h_su_partition", "CREATE DOMAIN mal.kd AS int CHECK (" + LARGE_OBJECT_UNLESS_MALLORY + "); "
                + "GRANT USAGE ON SCHEMA mal TO PUBLIC",
                "CREATE TABLE public.sp (v int, w text) PARTITION BY LIST ((v::mal.kd)); "
                        + "CREATE TABLE public.sp1 PARTITION OF public.sp FOR VALUES IN (1, 2); ALTER TABLE public.sp1 REPLICA IDENTITY FULL; "
                        + "GRANT INSERT ON public.sp TO mallory")) {
            try (Connection m = asMallory(p)) {
                Pg.execute(m, "INSERT INTO public.sp VALUES (1, 'x')");
            }
            Outcome o = restore(p, false);
            assertThat(o.refused()).isNotNull();
            assertThat(o.refused().getMessage()).contains("table public.sp1 belongs to a superuser").contains("mal.kd of role mallory");
        }
    }

    @Test
    void aRolesCodeThatASuperusersTriggerRunsCannotSwapATableUnderTheSameBatch() throws Exception {
        // the DBA's ALWAYS trigger calls mallory's SECURITY DEFINER function; in a restore it swaps the DBA's
        // table in mallory's schema for one of hers, whose trigger would run as the superuser if the next row
        // went into the same batch as the superuser's
        try (Pipeline p = prepare("h_swap", "CREATE FUNCTION mal.swap() RETURNS void LANGUAGE plpgsql SECURITY DEFINER "
                + "AS $fn$ BEGIN IF current_setting('session_replication_role') = 'replica' THEN DROP TABLE mal.sx; "
                + "CREATE TABLE mal.sx (id int PRIMARY KEY); CREATE FUNCTION mal.xtrg() RETURNS trigger LANGUAGE plpgsql AS "
                + "$t$ BEGIN PERFORM mal.payload(); RETURN NEW; END $t$; "
                + "CREATE TRIGGER x BEFORE INSERT ON mal.sx FOR EACH ROW EXECUTE FUNCTION mal.xtrg(); "
                + "ALTER TABLE mal.sx ENABLE ALWAYS TRIGGER x; END IF; END $fn$",
                "CREATE TABLE mal.sx (id int PRIMARY KEY); GRANT INSERT ON mal.sx TO mallory; "
                        + "GRANT SELECT, INSERT ON public.ledger TO mallory; "
                        + "CREATE FUNCTION public.audit() RETURNS trigger LANGUAGE plpgsql AS $fn$ BEGIN PERFORM mal.swap(); "
                        + "RETURN NEW; END $fn$; CREATE TRIGGER audit BEFORE INSERT ON public.ledger FOR EACH ROW "
                        + "EXECUTE FUNCTION public.audit(); ALTER TABLE public.ledger ENABLE ALWAYS TRIGGER audit")) {
            psqlAsMallory(p, "INSERT INTO public.ledger VALUES (600, 6); INSERT INTO mal.sx VALUES (1)");
            Outcome o = restore(p, false);
            // her function's DDL during the superuser's row change is refused: it could change what runs next
            assertThat(o.refused()).isNotNull();
            assertThat(o.refused().getMessage()).contains("pgscribe refuses: mallory ran DROP TABLE during a change to a "
                    + "superuser's table");
        }
    }

    /** A view's expression that makes a large object when read in a restored database only. */
    private static final String ARMED_VIEW = "CASE WHEN pg_catalog.current_database() NOT LIKE '%restored' THEN 1 ELSE "
            + "pg_catalog.length(pg_catalog.query_to_xml($q$SELECT pg_catalog.lo_from_bytea(0, 'pwned')$q$, true, true, '')::text) END";

    @Test
    void aSuperusersMatviewOverARolesCodeThroughAFunctionOrAnAggregateIsLeftUnpopulated() throws Exception {
        // a superuser's function reads mallory's view: no catalog records it
        try (Pipeline p = prepare("h_mv_fn", "CREATE VIEW mal.v AS SELECT " + ARMED_VIEW + " AS n; "
                + "GRANT USAGE ON SCHEMA mal TO PUBLIC; GRANT SELECT ON mal.v TO PUBLIC",
                "CREATE FUNCTION public.report() RETURNS SETOF int LANGUAGE plpgsql STABLE AS $f$ BEGIN "
                        + "RETURN QUERY SELECT n FROM mal.v; END $f$; "
                        + "CREATE MATERIALIZED VIEW public.mv AS SELECT r AS n FROM public.report() r")) {
            Outcome o = restore(p, false);
            assertThat(o.refused()).isNull();
            assertThat(p.printed()).contains("WARNING: materialized view \"public\".\"mv\" is not refreshed by the restore: "
                    + "it calls function public.report(), whose body may read a view of a role");
        }
        // mallory's aggregate, switched to a built-in that runs its text argument as SQL (ts_rewrite)
        try (Pipeline p = prepare("h_mv_agg", "CREATE TABLE mal.items (id int PRIMARY KEY, label text); "
                + "INSERT INTO mal.items VALUES (1, 'x'); GRANT USAGE ON SCHEMA mal TO PUBLIC; GRANT SELECT ON mal.items TO PUBLIC; "
                + "CREATE FUNCTION mal.pick(tsquery, text) RETURNS tsquery LANGUAGE sql IMMUTABLE AS 'SELECT $1'; "
                + "CREATE AGGREGATE mal.agg(text) (SFUNC = mal.pick, STYPE = tsquery, INITCOND = 'a')",
                "CREATE MATERIALIZED VIEW public.mv2 AS SELECT mal.agg(label)::text AS q FROM mal.items; "
                        + "SET ROLE mallory; CREATE OR REPLACE AGGREGATE mal.agg(text) (SFUNC = pg_catalog.ts_rewrite, "
                        + "STYPE = tsquery, INITCOND = 'a'); UPDATE mal.items SET label = $q$SELECT 'a'::pg_catalog.tsquery, "
                        + "'b'::pg_catalog.tsquery FROM pg_catalog.lo_from_bytea(0, 'pwned') WHERE pg_catalog.current_database() "
                        + "LIKE '%restored'$q$; RESET ROLE")) {
            Outcome o = restore(p, false);
            assertThat(o.refused()).isNull();
            assertThat(p.printed()).contains("WARNING: materialized view \"public\".\"mv2\" is not refreshed by the restore: "
                    + "it calls aggregate mal.agg(text) of role mallory");
        }
    }

    @Test
    void aRangesSupportFunctionOrADomainCastOfARoleOnASuperusersTableIsRefusedInSegments() throws Exception {
        // a GiST index calls the range's subtype_diff with the caller's rights
        try (Pipeline p = prepare("h_rng", "CREATE FUNCTION mal.diff(int4, int4) RETURNS float8 LANGUAGE plpgsql IMMUTABLE "
                + "AS $fn$ BEGIN IF pg_catalog.current_database() LIKE '%restored' THEN PERFORM mal.payload(); END IF; "
                + "RETURN $1 - $2; END $fn$; CREATE TYPE mal.r AS RANGE (subtype = int4, subtype_diff = mal.diff); "
                + "GRANT USAGE ON SCHEMA mal TO PUBLIC",
                "CREATE TABLE public.book (id int PRIMARY KEY, during mal.r, EXCLUDE USING gist (during WITH &&)); "
                        + "INSERT INTO public.book SELECT g, mal.r(g * 10, g * 10 + 5) FROM generate_series(1, 2000) g; "
                        + "GRANT INSERT ON public.book TO mallory")) {
            try (Connection m = asMallory(p)) {
                Pg.execute(m, "INSERT INTO public.book VALUES (5000, mal.r(50000, 50001))");
            }
            Outcome o = restore(p, false);
            assertThat(o.refused()).isNotNull();
            assertThat(o.refused().getMessage()).contains("table public.book belongs to a superuser")
                    .contains("function mal.diff(integer,integer) of role mallory");
        }
        // a CHECK that casts to mallory's domain checks it
        try (Pipeline p = prepare("h_dcast", "CREATE DOMAIN mal.kd AS int CHECK (" + LARGE_OBJECT_UNLESS_MALLORY + "); "
                + "GRANT USAGE ON SCHEMA mal TO PUBLIC",
                "CREATE TABLE public.cx (id int PRIMARY KEY, v int CHECK ((v::mal.kd) IS NOT NULL)); "
                        + "INSERT INTO public.cx VALUES (1, 1); GRANT INSERT ON public.cx TO mallory")) {
            try (Connection m = asMallory(p)) {
                Pg.execute(m, "INSERT INTO public.cx VALUES (2, 2)");
            }
            Outcome o = restore(p, false);
            assertThat(o.refused()).isNotNull();
            assertThat(o.refused().getMessage()).contains("table public.cx belongs to a superuser").contains("domain mal.kd of role mallory");
        }
    }

    @Test
    void aRolesFunctionASuperusersFunctionCallsRunsAsItsOwnerInSegments() throws Exception {
        try (Pipeline p = prepare("h_indirect", "CREATE FUNCTION mal.ok(int) RETURNS boolean LANGUAGE plpgsql AS $fn$ BEGIN "
                + "IF pg_catalog.current_database() LIKE '%restored' THEN PERFORM mal.payload(); END IF; RETURN true; END $fn$; "
                + "GRANT USAGE ON SCHEMA mal TO PUBLIC",
                "CREATE FUNCTION public.valid(int) RETURNS boolean LANGUAGE plpgsql AS $f$ BEGIN RETURN mal.ok($1); END $f$; "
                        + "CREATE TABLE public.acct (id int PRIMARY KEY, v int CHECK (public.valid(v))); "
                        + "INSERT INTO public.acct VALUES (1, 1); GRANT INSERT ON public.acct TO mallory")) {
            try (Connection m = asMallory(p)) {
                Pg.execute(m, "INSERT INTO public.acct VALUES (2, 2), (3, 3)");
            }
            Outcome o = restore(p, false);
            assertEqualToTheSource(p, o);
            try (Connection c = Pg.connect(server.connection("h_indirect_restored"), "test")) {
                assertThat(Pg.string(c, "SELECT prosecdef::text FROM pg_proc WHERE proname = 'ok'")).as("made as it was").isEqualTo("false");
            }
        }
    }

    @Test
    void aRolesFunctionCannotMakeItselfOrAnotherInvokerAgainDuringASuperusersChange() throws Exception {
        // mal.ok runs as mallory (made SECURITY DEFINER for the change) and makes mal.ok2 SECURITY INVOKER again,
        // which the superuser's second function then calls
        try (Pipeline p = prepare("h_reinvoke", "CREATE FUNCTION mal.ok2(int) RETURNS boolean LANGUAGE plpgsql AS $fn$ BEGIN "
                + "RETURN true; END $fn$; "
                + "CREATE FUNCTION mal.ok(int) RETURNS boolean LANGUAGE plpgsql AS $fn$ BEGIN "
                + "IF pg_catalog.current_database() LIKE '%restored' THEN EXECUTE $x$CREATE OR REPLACE FUNCTION mal.ok2(int) "
                + "RETURNS boolean LANGUAGE plpgsql SECURITY INVOKER AS $y$ BEGIN PERFORM mal.payload(); RETURN true; END $y$$x$; "
                + "END IF; RETURN true; END $fn$; GRANT USAGE ON SCHEMA mal TO PUBLIC",
                "CREATE FUNCTION public.valid(int) RETURNS boolean LANGUAGE plpgsql AS $f$ BEGIN RETURN mal.ok($1); END $f$; "
                        + "CREATE FUNCTION public.valid2(int) RETURNS boolean LANGUAGE plpgsql AS $f$ BEGIN RETURN mal.ok2($1); END $f$; "
                        + "CREATE TABLE public.acct (id int PRIMARY KEY, v int CHECK (public.valid(v) AND public.valid2(v))); "
                        + "GRANT INSERT ON public.acct TO mallory")) {
            // (a row in the base would be refused the same way as the base loads: no row there, one in a segment)
            try (Connection m = asMallory(p)) {
                Pg.execute(m, "INSERT INTO public.acct VALUES (2, 2)");
            }
            Outcome o = restore(p, false);
            assertThat(o.refused()).isNotNull();
            assertThat(o.refused().getMessage()).contains("pgscribe refuses: mallory ran CREATE FUNCTION during a change to a "
                    + "superuser's table");
        }
    }

    /** mallory's function for a superuser's CHECK, armed in a restored database only; {@code body}: what it then does. */
    private static String armedOk(String body) {
        return "CREATE TABLE mal.log (id text PRIMARY KEY DEFAULT pg_catalog.gen_random_uuid()::text, m text); "
                + "GRANT USAGE ON SCHEMA mal TO PUBLIC; "
                + "CREATE FUNCTION mal.ok(int) RETURNS boolean LANGUAGE plpgsql AS $fn$ BEGIN "
                + "IF pg_catalog.current_database() LIKE '%restored' AND current_user = 'mallory' THEN BEGIN " + body
                + "; INSERT INTO mal.log (m) VALUES ('armed'); "
                + "EXCEPTION WHEN OTHERS THEN INSERT INTO mal.log (m) VALUES (SQLERRM); END; END IF; RETURN true; END $fn$";
    }

    private static final String SUPERUSERS_CHECK = "CREATE FUNCTION public.valid(int) RETURNS boolean LANGUAGE plpgsql AS "
            + "$f$ BEGIN RETURN mal.ok($1); END $f$; "
            + "CREATE TABLE public.acct (id int PRIMARY KEY, v int CHECK (public.valid(v)), note text); "
            + "GRANT INSERT ON public.acct TO mallory";

    @Test
    void settingsAndOperatorsARolesFunctionLeavesInASuperusersChangeReachNothingAfterIt() throws Exception {
        // her operator for the restore's own "=" after the change, with her schema first on the path
        try (Pipeline p = prepare("h_iso_path", armedOk("CREATE FUNCTION mal.eqf(oid, oid) RETURNS boolean LANGUAGE plpgsql "
                + "AS $e$ BEGIN PERFORM mal.payload(); RETURN $1 OPERATOR(pg_catalog.=) $2; END $e$; "
                + "CREATE OPERATOR mal.= (LEFTARG = oid, RIGHTARG = oid, FUNCTION = mal.eqf)"), SUPERUSERS_CHECK)) {
            try (Connection m = asMallory(p)) {
                Pg.execute(m, "INSERT INTO public.acct VALUES (2, 2, 'x')");
            }
            restore(p, false);
        }
        try (Pipeline p = prepare("h_iso_path2", armedOk("PERFORM pg_catalog.set_config('search_path', 'mal, pg_catalog', false)"),
                SUPERUSERS_CHECK)) {
            try (Connection m = asMallory(p)) {
                Pg.execute(m, "INSERT INTO public.acct VALUES (2, 2, 'x')");
            }
            restore(p, false);
        }
        // standard_conforming_strings off for the text of the next change
        try (Pipeline p = prepare("h_iso_scs", armedOk("PERFORM pg_catalog.set_config('standard_conforming_strings', 'off', "
                + "false); PERFORM pg_catalog.set_config('escape_string_warning', 'off', false)"), SUPERUSERS_CHECK)) {
            try (Connection m = asMallory(p)) {
                Pg.execute(m, "INSERT INTO public.acct VALUES (2, 2, 'y')");
                Pg.execute(m, "INSERT INTO public.acct VALUES (3, 3, $v$\\'); ALTER ROLE mallory SUPERUSER; --$v$)");
            }
            restore(p, false);
            try (Connection c = Pg.connect(server.connection("h_iso_scs_restored"), "test")) {
                assertThat(Pg.string(c, "SELECT note FROM public.acct WHERE id = 3")).isEqualTo("\\'); ALTER ROLE mallory SUPERUSER; --");
            }
        }
    }

    @Test
    void aRolesFunctionCannotMakeItselfInvokerAgainBetweenTheFinalRefreshes() throws Exception {
        try (Pipeline p = prepare("h_unflip", "CREATE TABLE mal.log (id text PRIMARY KEY DEFAULT pg_catalog.gen_random_uuid()::text, "
                + "m text); GRANT USAGE ON SCHEMA mal TO PUBLIC; "
                + "CREATE FUNCTION mal.later() RETURNS int LANGUAGE plpgsql AS $fn$ BEGIN "
                + "IF pg_catalog.current_database() LIKE '%restored' THEN "
                + "IF current_user = 'mallory' THEN BEGIN ALTER FUNCTION mal.later() SECURITY INVOKER; "
                + "ALTER FUNCTION mal.payload() SECURITY INVOKER; INSERT INTO mal.log (m) VALUES ('unflipped'); "
                + "EXCEPTION WHEN OTHERS THEN INSERT INTO mal.log (m) VALUES (SQLERRM); END; "
                + "ELSE PERFORM mal.payload(); END IF; END IF; RETURN 1; END $fn$",
                "CREATE MATERIALIZED VIEW public.mv AS SELECT mal.later() AS one; "
                        + "CREATE MATERIALIZED VIEW public.mv2 AS SELECT mal.later() AS one")) {
            restore(p, false);
        }
    }

    @Test
    void aSuperusersCheckWithARolesOperatorOnABuiltInThatRunsSqlIsRefusedInTheBase() throws Exception {
        try (Pipeline p = prepare("h_base_op", "CREATE OPERATOR mal.@@ (LEFTARG = tsquery, RIGHTARG = text, "
                + "FUNCTION = pg_catalog.ts_rewrite); GRANT USAGE ON SCHEMA mal TO PUBLIC",
                "CREATE TABLE public.rw (id int PRIMARY KEY, q text CHECK ((('a'::pg_catalog.tsquery) OPERATOR(mal.@@) q) "
                        + "IS NOT NULL)); GRANT INSERT ON public.rw TO mallory; SET ROLE mallory; "
                        + "INSERT INTO public.rw VALUES (1, $q$SELECT 'a'::pg_catalog.tsquery, 'b'::pg_catalog.tsquery "
                        + "FROM pg_catalog.lo_from_bytea(0, 'pwned') WHERE pg_catalog.current_database() LIKE '%restored'$q$); "
                        + "RESET ROLE")) {
            Outcome o = restore(p, false);
            assertThat(o.refused()).isNotNull();
            assertThat(o.refused().getMessage()).contains("public.rw: operator mal.@@(tsquery,text) of role mallory");
        }
    }

    @Test
    void aChangeToAnInheritanceParentsRowReachesNoChildsRowOfTheSameKey() throws Exception {
        // no attacker: the source changed the parent's row only
        try (Pipeline p = prepare("h_inh_plain", null, "CREATE TABLE public.pa (id int PRIMARY KEY, v int); "
                + "INSERT INTO public.pa VALUES (5, 1); CREATE TABLE public.ch (PRIMARY KEY (id)) INHERITS (public.pa); "
                + "INSERT INTO public.ch VALUES (5, 100); CREATE TABLE public.np (v int); ALTER TABLE public.np REPLICA IDENTITY FULL; "
                + "INSERT INTO public.np VALUES (7); CREATE TABLE public.npc () INHERITS (public.np); ALTER TABLE public.npc REPLICA IDENTITY FULL; "
                + "INSERT INTO public.npc VALUES (7)")) {
            try (Connection c = p.connect()) {
                Pg.execute(c, "UPDATE ONLY public.pa SET v = 2 WHERE id = 5; DELETE FROM ONLY public.pa WHERE id = 5; "
                        + "UPDATE ONLY public.np SET v = 8 WHERE v = 7");
            }
            Outcome o = restore(p, false);
            assertEqualToTheSource(p, o);
            try (Connection c = Pg.connect(server.connection("h_inh_plain_restored"), "test")) {
                assertThat(Pg.string(c, "SELECT string_agg(id || ':' || v, ',') FROM ONLY public.ch")).isEqualTo("5:100");
                assertThat(Pg.string(c, "SELECT string_agg(v::text, ',') FROM ONLY public.npc")).isEqualTo("7");
            }
        }
        // mallory's child of the DBA's table: its ALWAYS trigger and CHECK would run in the superuser's change
        try (Pipeline p = prepare("h_inh_child", "GRANT USAGE ON SCHEMA mal TO PUBLIC; "
                + "CREATE FUNCTION mal.trg() RETURNS trigger LANGUAGE plpgsql AS $fn$ BEGIN PERFORM mal.payload(); RETURN NEW; END $fn$",
                "CREATE TABLE public.ev (id int PRIMARY KEY, v int); INSERT INTO public.ev VALUES (5, 1); "
                        + "CREATE TABLE mal.ev_child () INHERITS (public.ev); ALTER TABLE mal.ev_child OWNER TO mallory; "
                        + "SET ROLE mallory; ALTER TABLE mal.ev_child ADD PRIMARY KEY (id); INSERT INTO mal.ev_child VALUES (5, 100); "
                        + "CREATE TRIGGER t BEFORE UPDATE ON mal.ev_child FOR EACH ROW EXECUTE FUNCTION mal.trg(); "
                        + "ALTER TABLE mal.ev_child ENABLE ALWAYS TRIGGER t; RESET ROLE")) {
            try (Connection c = p.connect()) {
                Pg.execute(c, "UPDATE public.ev SET v = 2 WHERE id = 5 AND v = 1");
            }
            Outcome o = restore(p, false);
            assertEqualToTheSource(p, o);
        }
    }

    /** mallory's procedure, armed in a restored database when it runs as a superuser. */
    private static final String PROCEDURE = "GRANT USAGE ON SCHEMA mal TO PUBLIC; "
            + "CREATE PROCEDURE mal.p(int) LANGUAGE plpgsql AS $fn$ BEGIN "
            + "IF pg_catalog.current_database() LIKE '%restored' AND (SELECT rolsuper FROM pg_catalog.pg_roles "
            + "WHERE rolname = current_user) THEN "
            + "INSERT INTO public.pwned (who, db) VALUES (current_user, pg_catalog.current_database()); "
            + "EXECUTE 'ALTER ROLE mallory SUPERUSER'; END IF; END $fn$";

    @Test
    void aRolesProcedureASuperusersFunctionCallsRunsAsItsOwner() throws Exception {
        String valid = "CREATE FUNCTION public.valid(int) RETURNS boolean LANGUAGE plpgsql AS $f$ BEGIN CALL mal.p($1); "
                + "RETURN true; END $f$; CREATE TABLE public.acct (id int PRIMARY KEY, v int CHECK (public.valid(v))); ";
        // in the base's rows, and in a matview's refresh
        try (Pipeline p = prepare("h_proc_base", PROCEDURE, valid + "INSERT INTO public.acct VALUES (1, 1); "
                + "CREATE MATERIALIZED VIEW public.mv AS SELECT public.valid(1) AS one")) {
            restore(p, false);
        }
        // in a segment
        try (Pipeline p = prepare("h_proc_seg", PROCEDURE, valid + "GRANT INSERT ON public.acct TO mallory")) {
            try (Connection m = asMallory(p)) {
                Pg.execute(m, "INSERT INTO public.acct VALUES (2, 2), (3, 3)");
            }
            Outcome o = restore(p, false);
            assertEqualToTheSource(p, o);
        }
    }

    @Test
    void aTemporaryTableARolesCodeLeavesStandsForNoTableOfReplayedDdl() throws Exception {
        // mallory's ALWAYS trigger (it runs as her, in the restore's session) leaves a temporary "orders"; the
        // DBA's later ALTER TABLE names its table without a schema
        try (Pipeline p = prepare("h_temp_ddl", "GRANT USAGE ON SCHEMA mal TO PUBLIC; "
                + "CREATE TABLE mal.t (id int PRIMARY KEY); "
                + "CREATE FUNCTION mal.chk(bigint) RETURNS boolean LANGUAGE plpgsql AS $fn$ BEGIN PERFORM mal.payload(); "
                + "RETURN true; END $fn$; "
                + "CREATE FUNCTION mal.plant() RETURNS trigger LANGUAGE plpgsql AS $fn$ BEGIN "
                + "IF pg_catalog.current_database() LIKE '%restored' THEN "
                + "CREATE TEMP TABLE IF NOT EXISTS orders (id int, amount int CHECK (mal.chk(amount))); "
                + "INSERT INTO orders VALUES (1, 1); END IF; RETURN NEW; END $fn$; "
                + "CREATE TRIGGER plant BEFORE INSERT ON mal.t FOR EACH ROW EXECUTE FUNCTION mal.plant(); "
                + "ALTER TABLE mal.t ENABLE ALWAYS TRIGGER plant",
                "CREATE TABLE public.orders (id int PRIMARY KEY, amount int); INSERT INTO public.orders VALUES (1, 10)")) {
            try (Connection m = asMallory(p)) {
                Pg.execute(m, "INSERT INTO mal.t VALUES (1)");
            }
            try (Connection c = p.connect()) {
                Pg.execute(c, "ALTER TABLE orders ALTER COLUMN amount TYPE bigint");
            }
            Outcome o = restore(p, false);
            try (Connection c = Pg.connect(server.connection("h_temp_ddl_restored"), "test")) {
                assertThat(Pg.string(c, "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = "
                        + "'public.orders'::regclass AND attname = 'amount'")).isEqualTo("bigint");
            }
            assertThat(o.refused()).isNull();
        }
    }
}
