package io.pgscribe.ddl;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgscribe.manifest.SegmentEntry;
import io.pgscribe.pg.ConnectionSpec;
import io.pgscribe.pg.Pg;
import io.pgscribe.pg.PgServer;
import io.pgscribe.pg.PgTools;
import io.pgscribe.pg.ReplicaIdentityAudit;
import io.pgscribe.restore.Restorer;
import io.pgscribe.testing.PgClusterExtension;
import io.pgscribe.testing.Pipeline;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Schema changes, sequences and the unusual statements come back exactly, in place. */
@ExtendWith(PgClusterExtension.class)
class DdlReplayIT {

    @TempDir
    Path tmp;

    // the log kept on the source: the test compares it with the segments
    static final Map<String, String> FAST = Map.of("pgscribe.sequences.sample-interval-ms", "300",
            "pgscribe.heartbeat.interval-ms", "500", "pgscribe.capture.prune-source-logs", "false");

    /** One query string holding several statements, as psql -c sends it. */
    static void psql(Pipeline p, String sql) {
        ConnectionSpec c = p.source();
        PgTools.Result r = PgTools.run(List.of(PgTools.locate("").path("psql"), "-X", "-v", "ON_ERROR_STOP=1", "-d",
                c.conninfo("test"), "-c", sql), c.toolEnvironment(), Duration.ofMinutes(1));
        assertThat(r.ok()).as(r.stderr()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"wal2json", "pgoutput"})
    void everyKindOfDdlReplaysInPlaceAndTheSchemaComesBackTheSame(String decoder, PgServer cluster) throws Exception {
        String db = "ddl_" + decoder;
        try (Pipeline p = Pipeline.create(cluster, db, tmp.resolve("backup"), Pipeline.withDecoder(FAST, decoder))) {
            try (Connection c = p.connect()) {
                Pg.execute(c, "CREATE TABLE items (id serial PRIMARY KEY, name text, price numeric); "
                        + "INSERT INTO items (name, price) VALUES ('base row', 1)");
                Pg.execute(c, "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'reader') THEN "
                        + "CREATE ROLE reader; END IF; END $$");
                // an application role that owns what it creates (not a superuser)
                Pg.execute(c, "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'app owner') THEN "
                        + "CREATE ROLE \"app owner\"; END IF; END $$; GRANT CREATE ON SCHEMA public TO \"app owner\"");
            }
            p.init(ReplicaIdentityAudit.Mode.REFUSE);
            p.start();

            // several statements in one query string, DDL and DML mixed, one transaction
            psql(p, "CREATE TABLE a (id int PRIMARY KEY, v text); INSERT INTO a VALUES (1, 'one'); "
                    + "ALTER TABLE a ADD COLUMN w int DEFAULT 7; INSERT INTO a (id, v) VALUES (2, 'two'); CREATE TABLE b (x int)");
            psql(p, "CREATE TABLE c1 (); CREATE TABLE c2 ()");
            try (Connection c = p.connect()) {
                // DDL and DML interleaved in one explicit transaction
                c.setAutoCommit(false);
                Pg.execute(c, "INSERT INTO items (name, price) VALUES ('before qty', 2)");
                Pg.execute(c, "ALTER TABLE items ADD COLUMN qty int");
                Pg.execute(c, "INSERT INTO items (name, price, qty) VALUES ('with qty', 3, 5)");
                Pg.execute(c, "ALTER TABLE items RENAME COLUMN name TO title");
                Pg.execute(c, "UPDATE items SET title = title || '!' WHERE qty IS NULL");
                Pg.execute(c, "ALTER TABLE items ALTER COLUMN price TYPE numeric(12,2)");
                Pg.execute(c, "ALTER TABLE items ADD CONSTRAINT price_positive CHECK (price >= 0)");
                Pg.execute(c, "ALTER TABLE items ALTER COLUMN qty SET DEFAULT 1");
                Pg.execute(c, "INSERT INTO items (title, price) VALUES ('default qty', 4)");
                c.commit();
                c.setAutoCommit(true);
                Pg.execute(c, "ALTER TABLE items DROP COLUMN qty");
                Pg.execute(c, "INSERT INTO items (title, price) VALUES ('after drop', 5)");
                // DDL from a DO block and from a function: their DML is in the stream already
                Pg.execute(c, "DO $$ BEGIN CREATE TABLE d1 (id int PRIMARY KEY, note text); INSERT INTO d1 VALUES (1, 'from do'); "
                        + "EXECUTE 'CREATE INDEX d1_note ON d1 (note)'; INSERT INTO items (title, price) VALUES ('from do', 1); END $$");
                Pg.execute(c, "CREATE FUNCTION mk_table(n text) RETURNS void LANGUAGE plpgsql AS $$ BEGIN "
                        + "EXECUTE format('CREATE TABLE %I (id int PRIMARY KEY)', n); EXECUTE format('INSERT INTO %I VALUES (1)', n); END $$");
                Pg.execute(c, "SELECT mk_table('made_by_function')");
                // CREATE TABLE AS / SELECT INTO: rows arrive before the table
                Pg.execute(c, "CREATE TABLE items_copy AS SELECT id, title, price FROM items");
                Pg.execute(c, "SELECT id, title INTO items_cheap FROM items WHERE price < 3");
                Pg.execute(c, "CREATE TABLE items_empty AS SELECT * FROM items WITH NO DATA");
                // temporary objects are not replayed
                Pg.execute(c, "CREATE TEMP TABLE tmp AS SELECT * FROM items; CREATE INDEX ON tmp (id); DROP TABLE tmp");
                // materialized views, also refreshed concurrently (temporary tables inside)
                Pg.execute(c, "CREATE MATERIALIZED VIEW mv AS SELECT id, title FROM items; CREATE UNIQUE INDEX mv_id ON mv (id)");
                Pg.execute(c, "INSERT INTO items (title, price) VALUES ('after mv', 6)");
                Pg.execute(c, "REFRESH MATERIALIZED VIEW CONCURRENTLY mv");
                // indexes, also concurrently
                Pg.execute(c, "CREATE INDEX CONCURRENTLY items_price ON items (price)");
                Pg.execute(c, "DROP INDEX CONCURRENTLY items_price");
                Pg.execute(c, "CREATE UNIQUE INDEX CONCURRENTLY items_title ON items (title)");
                // schemas, types, enums, views, functions, privileges, comments, cascade
                Pg.execute(c, "CREATE SCHEMA shop; CREATE TYPE shop.status AS ENUM ('new', 'paid')");
                Pg.execute(c, "ALTER TYPE shop.status ADD VALUE 'shipped'");
                Pg.execute(c, "CREATE TABLE shop.orders (id int PRIMARY KEY, status shop.status, item_id int REFERENCES items(id))");
                Pg.execute(c, "INSERT INTO shop.orders VALUES (1, 'shipped', 1), (2, 'new', 2)");
                Pg.execute(c, "CREATE VIEW shop.open_orders AS SELECT * FROM shop.orders WHERE status <> 'shipped'");
                Pg.execute(c, "CREATE FUNCTION shop.order_count() RETURNS bigint LANGUAGE sql AS 'SELECT count(*) FROM shop.orders'");
                Pg.execute(c, "GRANT USAGE ON SCHEMA shop TO reader; GRANT SELECT ON shop.orders TO reader");
                Pg.execute(c, "REVOKE SELECT ON shop.orders FROM reader; GRANT SELECT ON shop.open_orders TO reader");
                Pg.execute(c, "COMMENT ON TABLE shop.orders IS 'orders; with a ''quote'''");
                Pg.execute(c, "ALTER DEFAULT PRIVILEGES IN SCHEMA shop GRANT SELECT ON TABLES TO reader");
                Pg.execute(c, "CREATE TABLE shop.gone (id int PRIMARY KEY); CREATE VIEW shop.gone_view AS SELECT * FROM shop.gone");
                Pg.execute(c, "DROP TABLE shop.gone CASCADE");
                Pg.execute(c, "SET search_path = shop, public; CREATE TABLE in_shop (id int PRIMARY KEY); INSERT INTO in_shop VALUES (1); "
                        + "RESET search_path");
                // TRUNCATE ... RESTART IDENTITY: same rows and sequence values
                Pg.execute(c, "CREATE TABLE counters (id serial PRIMARY KEY, v text)");
                Pg.execute(c, "INSERT INTO counters (v) SELECT 'x' || g FROM generate_series(1, 5) g");
                Pg.execute(c, "TRUNCATE counters RESTART IDENTITY");
                Pg.execute(c, "INSERT INTO counters (v) VALUES ('after restart'), ('again')");
                // a table created without a primary key after init: FULL identity from the trigger
                Pg.execute(c, "CREATE TABLE nokey (a int, b text); INSERT INTO nokey VALUES (1, 'x'), (1, 'x'), (2, 'y')");
                Pg.execute(c, "UPDATE nokey SET b = 'z' WHERE a = 2; DELETE FROM nokey WHERE ctid = (SELECT min(ctid) FROM nokey WHERE a = 1)");
                // partitioned tables: leaf names, a cross-partition UPDATE, truncate of the parent
                Pg.execute(c, "CREATE TABLE events (id int, region text, v int, PRIMARY KEY (id, region)) PARTITION BY LIST (region); "
                        + "CREATE TABLE events_eu PARTITION OF events FOR VALUES IN ('eu'); "
                        + "CREATE TABLE events_us PARTITION OF events FOR VALUES IN ('us')");
                Pg.execute(c, "INSERT INTO events VALUES (1, 'eu', 10), (2, 'eu', 20), (3, 'us', 30)");
                Pg.execute(c, "UPDATE events SET region = 'us' WHERE id = 1");
                Pg.execute(c, "CREATE TABLE events_asia PARTITION OF events FOR VALUES IN ('asia'); INSERT INTO events VALUES (4, 'asia', 40)");
                Pg.execute(c, "TRUNCATE events_eu");
                Pg.execute(c, "INSERT INTO events VALUES (5, 'eu', 50), (6, 'us', 60)");
                Pg.execute(c, "TRUNCATE events"); // the parent: every leaf, in one statement
                Pg.execute(c, "INSERT INTO events VALUES (7, 'asia', 70)");
                // DDL by the application role: replayed as that role, so the restored objects are its own
                Pg.execute(c, "SET ROLE \"app owner\"; CREATE TABLE app_table (id int PRIMARY KEY, v text); "
                        + "INSERT INTO app_table VALUES (1, 'mine'); CREATE FUNCTION app_fn() RETURNS int LANGUAGE sql "
                        + "SECURITY DEFINER AS 'SELECT 1'; GRANT SELECT ON app_table TO reader; RESET ROLE");
                // sequence values used without rows
                Pg.execute(c, "SELECT nextval('items_id_seq'), nextval('items_id_seq'), nextval('items_id_seq')");
                // DDL inside an SQL-language function: no statement text, rebuilt from the catalog
                Pg.execute(c, "CREATE FUNCTION mk_sql() RETURNS void LANGUAGE sql AS $$ "
                        + "CREATE TABLE from_sql_function (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, "
                        + "v text NOT NULL DEFAULT 'x', w numeric(5,2) CHECK (w > 0), d int GENERATED ALWAYS AS (id * 2) STORED); "
                        + "CREATE INDEX from_sql_function_v ON from_sql_function (v); "
                        + "CREATE VIEW from_sql_view AS SELECT id, v FROM from_sql_function; "
                        + "ALTER TABLE from_sql_function SET (fillfactor = 90) $$");
                Pg.execute(c, "SELECT mk_sql()");
                Pg.execute(c, "INSERT INTO from_sql_function (v, w) VALUES ('row', 1.5)");
            }
            // a sample after the last sequence change, then the end of the workload
            long samples = p.runtime().camelContext().getRegistry().lookupByNameAndType("sequenceSampler",
                    io.pgscribe.capture.SequenceSampler.class).samplesLogged();
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> p.runtime().camelContext().getRegistry()
                    .lookupByNameAndType("sequenceSampler", io.pgscribe.capture.SequenceSampler.class).samplesLogged() > samples);
            p.fenceAndWait();
            p.stop();

            String segments = segments(p);
            assertThat(segments).contains("-- note: \"not replayed as written: it ran inside SQL function \\\"mk_sql\\\" statement 1, "
                    + "and PostgreSQL reports no statement text there; replayed from its definition in the catalog\"");
            // ALTER TABLE has no definition to rebuild: said loudly in the segment and in the log
            assertThat(segments).contains("NOT REPLAYED: \"it ran inside SQL function \\\"mk_sql\\\" statement 4");
            assertThat(segments).doesNotContain("DO $$").doesNotContain("CONCURRENTLY items_price");
            assertThat(segments).contains("CREATE INDEX items_price ON items (price);");
            assertThat(p.runtimeLog()).contains("is not replayed: it ran inside SQL function \"mk_sql\"");
            assertEveryDdlIsTracedToItsLogRow(p, segments);
            try (Connection c = p.connect()) {
                // the one change that could not come back; everything else must be equal
                Pg.execute(c, "ALTER TABLE from_sql_function RESET (fillfactor)");
            }

            Restorer.Summary first = new Restorer(PgTools.locate(""), p.out, io.pgscribe.testing.TestKeys.reader()).run(new Restorer.Options(p.backupDir,
                    p.source(), cluster.connection("postgres"), db + "_restored", true, false));
            assertThat(first.transactionsApplied()).isGreaterThan(40);
            assertThat(p.verify(db + "_restored").differences()).isEmpty();
            String restoredSchema = schema(p, db + "_restored");
            String sourceSchema = schema(p, db);
            Files.writeString(Path.of("target", "DdlReplayIT-schema-source.sql"), sourceSchema);
            Files.writeString(Path.of("target", "DdlReplayIT-schema-restored.sql"), restoredSchema);
            assertThat(restoredSchema).isEqualTo(sourceSchema);
            // the owners are the source's: the application role's objects are not the restoring superuser's
            assertThat(restoredSchema).contains("ALTER TABLE public.app_table OWNER TO \"app owner\";")
                    .contains("ALTER FUNCTION public.app_fn() OWNER TO \"app owner\";");
            assertThat(sequences(cluster.connection(db + "_restored"))).isEqualTo(sequences(p.source()));

            // the same segments applied again to the restored database apply nothing twice
            Restorer.Summary again = new Restorer(PgTools.locate(""), p.out, io.pgscribe.testing.TestKeys.reader()).run(new Restorer.Options(p.backupDir,
                    p.source(), cluster.connection("postgres"), db + "_restored", false, true));
            assertThat(again.transactionsApplied()).isZero();
            assertThat(again.transactionsSkipped()).isEqualTo(first.transactionsApplied() + first.transactionsSkipped());
            assertThat(p.verify(db + "_restored").differences()).isEmpty();
        }
    }

    private static String segments(Pipeline p) throws Exception {
        StringBuilder sb = new StringBuilder();
        for (SegmentEntry s : p.manifest().segments()) {
            sb.append(Files.readString(p.backupDir.resolve(s.file())));
        }
        return sb.toString();
    }

    /** Every replayed or reported DDL names its log row; every replayable log row is in the segments. */
    private static void assertEveryDdlIsTracedToItsLogRow(Pipeline p, String segments) throws Exception {
        ObjectMapper json = new ObjectMapper();
        Set<Long> traced = new HashSet<>();
        Matcher m = Pattern.compile("^-- DDL (\\{.*})$", Pattern.MULTILINE).matcher(segments);
        while (m.find()) {
            JsonNode trace = json.readTree(m.group(1));
            assertThat(trace.path("tag").asText()).isNotEmpty();
            traced.add(trace.path("ddl_log").asLong());
        }
        try (Connection c = p.connect()) {
            List<Long> logged = Pg.query(c, "SELECT id FROM pgscribe.ddl_log WHERE event = 'ddl_command_end' AND NOT skip "
                    + "AND NOT EXISTS (SELECT 1 FROM pgscribe.ddl_log d WHERE d.event = 'sql_drop' AND d.skip AND d.id = ddl_log.id - 1)"
                    + " ORDER BY id", rs -> rs.getLong(1));
            assertThat(traced).containsAll(logged);
            assertThat(logged).hasSizeGreaterThan(40);
        }
    }

    /** pg_dump --schema-only with owners and privileges, without pgscribe's own objects (its publication among them). */
    private static String schema(Pipeline p, String db) {
        ConnectionSpec c = p.cluster.connection(db);
        PgTools.Result r = PgTools.run(List.of(PgTools.locate("").path("pg_dump"), "--schema-only", "--no-publications",
                "--exclude-schema=pgscribe", "--exclude-schema=pgscribe_restore", "-d", c.conninfo("test")),
                c.toolEnvironment(), Duration.ofMinutes(1));
        assertThat(r.ok()).as(r.stderr()).isTrue();
        // the source also holds pgscribe's event triggers (not in a schema); the separators around them go too
        List<String> kept = new ArrayList<>();
        boolean inEventTrigger = false;
        for (String line : r.stdout().split("\n")) {
            if (line.startsWith("-- ")) {
                inEventTrigger = line.startsWith("-- Name: pgscribe_") && line.contains("Type: EVENT TRIGGER");
            }
            boolean separator = line.isBlank() || line.equals("--");
            if (!inEventTrigger && !separator && !line.startsWith("-- Dumped") && !line.startsWith("\\restrict")
                    && !line.startsWith("\\unrestrict")) {
                kept.add(line);
            }
        }
        return String.join("\n", kept);
    }

    private static List<String> sequences(ConnectionSpec db) throws Exception {
        try (Connection c = Pg.connect(db, "test")) {
            return Pg.query(c, "SELECT schemaname || '.' || sequencename || '=' || coalesce(last_value::text, 'not called') "
                    + "FROM pg_sequences WHERE schemaname NOT LIKE 'pgscribe%' ORDER BY 1", rs -> rs.getString(1));
        }
    }
}
