package io.pgscribe.init;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgscribe.PgscribeException;
import io.pgscribe.pg.Pg;
import io.pgscribe.pg.PgServer;
import io.pgscribe.pg.ReplicaIdentityAudit;
import io.pgscribe.testing.PgClusterExtension;
import io.pgscribe.testing.Pipeline;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The publication of a pgoutput backup set: made by init, never breaking the application's writes, dropped by uninstall. */
@ExtendWith(PgClusterExtension.class)
class PublicationIT {

    @TempDir
    Path tmp;

    private static String one(Pipeline p, String sql) throws Exception {
        try (Connection c = p.connect()) {
            return Pg.string(c, sql);
        }
    }

    @Test
    void initMakesItBeforeTheSlotAndUninstallDropsOnlyIt(PgServer cluster) throws Exception {
        try (Pipeline p = Pipeline.create(cluster, "pub_life", tmp.resolve("backup"), Map.of("pgscribe.decoder", "pgoutput"))) {
            try (Connection c = p.connect()) {
                Pg.execute(c, "CREATE TABLE keyed (id int PRIMARY KEY, v text); CREATE TABLE loose (v text); "
                        + "INSERT INTO loose VALUES ('a')");
            }
            // ignoring a table without replica identity would make the server refuse the application's UPDATE on it
            assertThatThrownBy(() -> p.init(ReplicaIdentityAudit.Mode.IGNORE)).isInstanceOf(PgscribeException.class)
                    .hasMessageContaining("--replica-identity=ignore with the pgoutput decoder")
                    .hasMessageContaining("\"public\".\"loose\"");
            assertThat(one(p, "SELECT count(*)::text FROM pg_publication")).isEqualTo("0");
            assertThat(one(p, "SELECT count(*)::text FROM pg_replication_slots")).isEqualTo("0");

            p.init(ReplicaIdentityAudit.Mode.FULL);
            assertThat(p.printed()).contains("Publication pgscribe_pub_life created FOR ALL TABLES")
                    .contains("Preflight: ok (wal_level=logical, slots and WAL senders free, pgoutput present");
            assertThat(one(p, "SELECT puballtables::text || pubupdate::text || pubdelete::text || pubtruncate::text "
                    + "|| pubviaroot::text FROM pg_publication WHERE pubname = 'pgscribe_pub_life'")).isEqualTo("truetruetruetruefalse");
            assertThat(p.manifest().decoderOptions()).containsExactly("proto_version=1", "messages=true",
                    "publication_names=pgscribe_pub_life");
            // the application goes on updating: the old table is FULL, a new one without a key is made FULL
            try (Connection c = p.connect()) {
                Pg.execute(c, "UPDATE loose SET v = 'b'; CREATE TABLE later (v text); INSERT INTO later VALUES ('x'); "
                        + "UPDATE later SET v = 'y'; DELETE FROM later");
            }

            // a DBA's own publication is not pgscribe's to drop
            try (Connection c = p.connect()) {
                Pg.execute(c, "CREATE PUBLICATION theirs FOR TABLE keyed");
            }
            Pipeline.Cli u = p.cli("uninstall");
            assertThat(u.code()).as(u.out() + u.err()).isZero();
            assertThat(u.out()).contains("Dropped publication pgscribe_pub_life").contains("Dropped replication slot");
            assertThat(one(p, "SELECT string_agg(pubname, ',') FROM pg_publication")).isEqualTo("theirs");
        }
    }

    @Test
    void aPublicationOfThatNameSomebodyElseMadeIsRefused(PgServer cluster) throws Exception {
        try (Pipeline p = Pipeline.create(cluster, "pub_taken", tmp.resolve("backup"), Map.of("pgscribe.decoder", "pgoutput"))) {
            try (Connection c = p.connect()) {
                Pg.execute(c, "CREATE TABLE keyed (id int PRIMARY KEY); CREATE PUBLICATION pgscribe_pub_taken FOR TABLE keyed");
            }
            assertThatThrownBy(() -> p.init(ReplicaIdentityAudit.Mode.REFUSE)).isInstanceOf(PgscribeException.class)
                    .hasMessageContaining("a publication named \"pgscribe_pub_taken\" already exists")
                    .extracting(e -> ((PgscribeException) e).hint()).asString().contains("choose another pgscribe.slot.name");
            assertThat(one(p, "SELECT count(*)::text FROM pg_replication_slots")).isEqualTo("0");
            assertThat(one(p, "SELECT count(*)::text FROM pg_publication")).isEqualTo("1");
        }
    }

    @Test
    void aPublicationNarrowedByHandHaltsTheCaptureInsteadOfLosingChanges(PgServer cluster) throws Exception {
        try (Pipeline p = Pipeline.create(cluster, "pub_narrow", tmp.resolve("backup"), Map.of("pgscribe.decoder", "pgoutput"))) {
            try (Connection c = p.connect()) {
                Pg.execute(c, "CREATE TABLE t (id int PRIMARY KEY, v text)");
            }
            p.init(ReplicaIdentityAudit.Mode.REFUSE);
            p.start();
            try (Connection c = p.connect()) {
                Pg.execute(c, "INSERT INTO t VALUES (1, 'a')");
            }
            p.fenceAndWait();
            try (Connection c = p.connect()) {
                Pg.execute(c, "ALTER PUBLICATION pgscribe_pub_narrow SET (publish = 'insert')");
            }
            // the next start of pg_recvlogical (here after it was killed) finds it
            p.runtime().recvlogical().process().orElseThrow().destroyForcibly();
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
                    .until(() -> p.runtime().pipelines().get(0).recvlogical().supervisor().halted().isPresent());
            assertThat(p.runtime().pipelines().get(0).recvlogical().supervisor().halted().orElseThrow())
                    .contains("the publication pgscribe_pub_narrow of this pgoutput backup set was changed");
            assertThat(p.runtimeLog()).contains("ALTER PUBLICATION \"pgscribe_pub_narrow\" SET (publish = "
                    + "'insert, update, delete, truncate', publish_via_partition_root = false)");
            p.stop();
            // set back as the hint says: the capture goes on, and neither ALTER is replayed (the copy has no publication)
            try (Connection c = p.connect()) {
                Pg.execute(c, "ALTER PUBLICATION pgscribe_pub_narrow SET (publish = 'insert, update, delete, truncate', "
                        + "publish_via_partition_root = false)");
            }
            p.start();
            try (Connection c = p.connect()) {
                Pg.execute(c, "UPDATE t SET v = 'after' WHERE id = 1");
            }
            p.fenceAndWait();
            p.stop();
            // once the capture read the ALTER, it said so
            assertThat(p.runtimeLog()).contains("changed this backup set's own publication pgscribe_pub_narrow by hand "
                    + "(ALTER PUBLICATION)");
            p.restore("pub_narrow_restored");
            assertThat(p.verify("pub_narrow_restored").differences()).isEmpty();
        }
    }

    /** Found by a hostile review: any role could stop the capture for everyone with such a DELETE. */
    @Test
    void aRowWithNoColumnSentIsDeletedAndTheCaptureGoesOn(PgServer cluster) throws Exception {
        try (Pipeline p = Pipeline.create(cluster, "pub_empty", tmp.resolve("backup"), Map.of("pgscribe.decoder", "pgoutput"))) {
            try (Connection c = p.connect()) {
                Pg.execute(c, "CREATE TABLE t (id int PRIMARY KEY)");
            }
            p.init(ReplicaIdentityAudit.Mode.REFUSE);
            p.start();
            try (Connection c = p.connect()) {
                // created after init without a key: FULL identity, and no column pgoutput sends
                Pg.execute(c, "CREATE TABLE nothing_sent (); CREATE TABLE only_generated (x int GENERATED ALWAYS AS (1) STORED)");
                Pg.execute(c, "INSERT INTO nothing_sent DEFAULT VALUES; INSERT INTO nothing_sent DEFAULT VALUES; "
                        + "INSERT INTO nothing_sent DEFAULT VALUES; INSERT INTO only_generated DEFAULT VALUES; "
                        + "INSERT INTO only_generated DEFAULT VALUES");
                Pg.execute(c, "DELETE FROM nothing_sent WHERE ctid = (SELECT min(ctid) FROM nothing_sent)");
                Pg.execute(c, "UPDATE only_generated SET x = DEFAULT; DELETE FROM only_generated WHERE ctid = "
                        + "(SELECT min(ctid) FROM only_generated)");
                Pg.execute(c, "INSERT INTO t VALUES (1)"); // the capture goes on past them
            }
            p.fenceAndWait();
            p.stop();
            p.restore("pub_empty_restored");
            assertThat(p.verify("pub_empty_restored").differences()).isEmpty();
            try (Connection r = Pg.connect(cluster.connection("pub_empty_restored"), "t")) {
                assertThat(Pg.string(r, "SELECT (SELECT count(*) FROM nothing_sent) || ',' || (SELECT count(*) FROM "
                        + "only_generated) || ',' || (SELECT count(*) FROM t)")).isEqualTo("2,1,1");
            }
        }
    }
}
