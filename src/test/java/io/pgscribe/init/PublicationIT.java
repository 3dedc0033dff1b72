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
                        + "INSERT INTO loose VALUES ('a'); CREATE TABLE \"theirs; --\" (v text) ; "
                        + "ALTER TABLE \"theirs; --\" REPLICA IDENTITY FULL");
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

            // a DBA's own publication is not pgscribe's to drop; it replicates a table the capture made FULL
            try (Connection c = p.connect()) {
                Pg.execute(c, "CREATE TABLE replicated (v text); CREATE PUBLICATION theirs FOR TABLE keyed, replicated");
                // a partition that a publication names through its root only
                Pg.execute(c, "CREATE TABLE pt (k int, v text) PARTITION BY LIST (k); "
                        + "CREATE TABLE pt1 PARTITION OF pt FOR VALUES IN (1); "
                        + "CREATE PUBLICATION viaroot FOR TABLE pt WITH (publish_via_partition_root = true)");
                // made FULL by the capture, then set FULL by its owner too: the owner's now
                Pg.execute(c, "CREATE TABLE owned (v text); ALTER TABLE owned REPLICA IDENTITY FULL");
            }
            String identities = "SELECT string_agg(relname || '=' || relreplident::text, ',' ORDER BY relname) FROM pg_class "
                    + "WHERE relname IN ('keyed', 'loose', 'later', 'replicated', 'theirs; --', 'pt1', 'owned')";
            assertThat(one(p, identities)).isEqualTo("keyed=d,later=f,loose=f,owned=f,pt1=f,replicated=f,theirs; --=f");
            Pipeline.Cli dry = p.cli("uninstall", "--dry-run");
            assertThat(dry.out()).contains("Would set REPLICA IDENTITY back to DEFAULT on 2 table(s) that pgscribe had made FULL: "
                    + "\"public\".\"later\", \"public\".\"loose\"");
            assertThat(one(p, identities)).isEqualTo("keyed=d,later=f,loose=f,owned=f,pt1=f,replicated=f,theirs; --=f");
            Pipeline.Cli u = p.cli("uninstall");
            assertThat(u.code()).as(u.out() + u.err()).isZero();
            assertThat(u.out()).contains("Dropped publication pgscribe_pub_life").contains("Dropped replication slot")
                    .contains("Kept REPLICA IDENTITY FULL on \"public\".\"replicated\": publication \"theirs\" replicates")
                    .contains("Kept REPLICA IDENTITY FULL on \"public\".\"pt1\": publication \"viaroot\" replicates")
                    .contains("Set REPLICA IDENTITY back to DEFAULT on 2 table(s) that pgscribe had made FULL");
            assertThat(one(p, "SELECT string_agg(pubname, ',' ORDER BY pubname) FROM pg_publication")).isEqualTo("theirs,viaroot");
            // the FULL identity its owner set stays; what pgscribe set is gone, but where another publication needs it
            assertThat(one(p, identities)).isEqualTo("keyed=d,later=d,loose=d,owned=f,pt1=f,replicated=f,theirs; --=f");
            try (Connection c = p.connect()) {
                Pg.execute(c, "INSERT INTO pt VALUES (1, 'a'); UPDATE pt SET v = 'b'; DELETE FROM pt"); // still allowed
            }
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

    /**
     * An ALTER whose COMMIT waits for a synchronous standby is in the WAL, and decoded as
     * narrowed, while no other session sees it yet. A check meanwhile finds the row as it was:
     * the position it read must not count as unchanged, or the hole starts after changes the
     * ALTER already cost (found by a hostile review: a restore to the hole's start lacked them).
     */
    @Test
    void aChangeInTheWalThatNoSessionSeesYetIsNotCountedAsUnchanged(PgServer cluster) throws Exception {
        try (Pipeline p = Pipeline.create(cluster, "pub_sync", tmp.resolve("backup"), Map.of("pgscribe.decoder", "pgoutput",
                "pgscribe.publication.check-interval-ms", "200"))) {
            try (Connection c = p.connect()) {
                Pg.execute(c, "CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t VALUES (1, 'init')");
            }
            p.init(ReplicaIdentityAudit.Mode.REFUSE);
            p.start();
            p.fenceAndWait();
            Thread alter;
            String lsnBeforeTheUpdate;
            try (Connection admin = p.connect()) {
                Pg.execute(admin, "ALTER SYSTEM SET synchronous_standby_names = 'pgscribe_test_nobody'; SELECT pg_reload_conf()");
                try {
                    java.util.concurrent.atomic.AtomicReference<Throwable> failed = new java.util.concurrent.atomic.AtomicReference<>();
                    alter = new Thread(() -> {
                        try (Connection c = p.connect()) {
                            // no event trigger sees it; its COMMIT is written, then waits for the standby
                            Pg.execute(c, "SET session_replication_role = replica; "
                                    + "ALTER PUBLICATION pgscribe_pub_sync SET (publish = 'insert')");
                        } catch (Exception e) {
                            failed.set(e);
                        }
                    });
                    alter.start();
                    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() -> "1".equals(Pg.string(admin,
                            "SELECT count(*)::text FROM pg_stat_activity WHERE wait_event = 'SyncRep' AND query LIKE '%ALTER PUBLICATION%'")));
                    lsnBeforeTheUpdate = Pg.string(admin, "SELECT pg_current_wal_insert_lsn()::text");
                    try (Connection c = p.connect()) {
                        Pg.execute(c, "SET synchronous_commit = local; UPDATE t SET v = 'lost: pgoutput no longer sends it' WHERE id = 1");
                    }
                    // a check after it, for certain: the one before pg_recvlogical starts again
                    long pid = p.runtime().recvlogical().process().orElseThrow().pid();
                    p.runtime().recvlogical().process().orElseThrow().destroyForcibly();
                    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() -> p.runtime().recvlogical()
                            .process().map(x -> x.pid() != pid).orElse(false));
                    Pg.execute(admin, "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE wait_event = 'SyncRep'");
                    alter.join(30_000);
                    assertThat(failed.get()).isNull(); // "already committed locally"
                } finally {
                    Pg.execute(admin, "ALTER SYSTEM RESET synchronous_standby_names; SELECT pg_reload_conf()");
                }
            }
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
                    .until(() -> !p.manifest().capture().holes().isEmpty());
            var hole = p.manifest().capture().holes().get(0);
            assertThat(io.pgscribe.pg.Lsn.valueOf(hole.afterLsn()).isAfter(io.pgscribe.pg.Lsn.valueOf(lsnBeforeTheUpdate)))
                    .as("the hole starts after %s, where the lost UPDATE began at %s", hole.afterLsn(), lsnBeforeTheUpdate)
                    .isFalse();
            try (Connection c = p.connect()) {
                Pg.execute(c, "ALTER PUBLICATION pgscribe_pub_sync SET (publish = 'insert, update, delete, truncate')");
            }
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
                    .until(() -> p.manifest().capture().holes().get(0).beforeLsn() != null);
            p.stop();
        }
    }

    @Test
    void aPublicationNarrowedByHandIsAHoleNoRestoreCrossesAndTheCaptureHalts(PgServer cluster) throws Exception {
        // a base every 2 s: one taken after the hole ends makes the latest point restorable again
        try (Pipeline p = Pipeline.create(cluster, "pub_narrow", tmp.resolve("backup"), Map.of("pgscribe.decoder", "pgoutput",
                "pgscribe.base.cron", "0/2 * * * * ?", "pgscribe.base.checksums", "false"))) {
            try (Connection c = p.connect()) {
                Pg.execute(c, "CREATE TABLE t (id int PRIMARY KEY, v text)");
            }
            p.init(ReplicaIdentityAudit.Mode.REFUSE);
            p.start();
            try (Connection c = p.connect()) {
                Pg.execute(c, "INSERT INTO t VALUES (1, 'a')");
            }
            p.fenceAndWait();
            String beforeTheHole = p.manifest().capture().lastCommitLsn();
            try (Connection c = p.connect()) {
                Pg.execute(c, "ALTER PUBLICATION pgscribe_pub_narrow SET (publish = 'insert')");
                Pg.execute(c, "UPDATE t SET v = 'lost: pgoutput no longer sends it' WHERE id = 1");
                Pg.execute(c, "INSERT INTO t VALUES (2, 'sent')");
            }
            // the capture reads the ALTER (its DDL record is an INSERT, still published) and opens a hole at once
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
                    .until(() -> !p.manifest().capture().holes().isEmpty());
            var open = p.manifest().capture().holes().get(0);
            assertThat(open.afterLsn()).isEqualTo(beforeTheHole);
            assertThat(open.beforeLsn()).isNull();
            assertThat(open.cause()).contains("pgscribe_pub_narrow was changed by role postgres (ALTER PUBLICATION)");
            Pipeline.Cli status = p.cli("status");
            assertThat(status.out() + status.err()).contains("backup-hole").contains("still open");

            // the next start of pg_recvlogical (here after it was killed) finds it narrowed and halts
            p.runtime().recvlogical().process().orElseThrow().destroyForcibly();
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
                    .until(() -> p.runtime().pipelines().get(0).recvlogical().supervisor().halted().isPresent());
            assertThat(p.runtime().pipelines().get(0).recvlogical().supervisor().halted().orElseThrow())
                    .contains("the publication pgscribe_pub_narrow of this pgoutput backup set was changed");
            assertThat(p.runtimeLog()).contains("ALTER PUBLICATION \"pgscribe_pub_narrow\" SET (publish = "
                    + "'insert, update, delete, truncate', publish_via_partition_root = false)");
            // status, another process, says it is halted and how to go on, not only that nothing reads the slot
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
                    .until(() -> p.cli("status").out().contains("capture-halted: "));
            assertThat(p.cli("status").out()).contains("SET (publish = 'insert, update, delete, truncate'")
                    .contains("as the runtime last reported");
            p.stop();
            // the check found it too, from the last position it confirmed unchanged: it may start earlier, never later
            String start = p.manifest().capture().holes().get(0).afterLsn();
            assertThat(io.pgscribe.pg.Lsn.valueOf(start).isAfter(io.pgscribe.pg.Lsn.valueOf(beforeTheHole))).isFalse();
            // no restore crosses the open hole; one to just before it works
            Pipeline.Cli latest = p.cli("restore", "--to-db", "pub_narrow_latest");
            assertThat(latest.code()).as(latest.err()).isEqualTo(io.pgscribe.ExitCode.DAMAGED);
            assertThat(latest.err()).contains("has a hole between " + start + " and now (still open)");
            Pipeline.Cli before = p.cli("restore", "--to-db", "pub_narrow_before", "--to-lsn", start);
            assertThat(before.code()).as(before.out() + before.err()).isZero();

            // set back as the hint says: the next start ends the hole, and a base after it is a whole chain again
            try (Connection c = p.connect()) {
                Pg.execute(c, "ALTER PUBLICATION pgscribe_pub_narrow SET (publish = 'insert, update, delete, truncate', "
                        + "publish_via_partition_root = false)");
            }
            p.start();
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
                    .until(() -> p.manifest().capture().holes().get(0).beforeLsn() != null);
            assertThat(p.manifest().capture().holes()).hasSize(1); // the ALTER read again from the spool opens none
            assertThat(p.runtimeLog()).contains("changed this backup set's own publication pgscribe_pub_narrow by hand "
                    + "(ALTER PUBLICATION)");
            String end = p.manifest().capture().holes().get(0).beforeLsn();
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60)).until(() -> p.manifest().bases().stream()
                    .anyMatch(b -> !io.pgscribe.pg.Lsn.valueOf(b.consistentPoint()).isBefore(io.pgscribe.pg.Lsn.valueOf(end))));
            try (Connection c = p.connect()) {
                Pg.execute(c, "UPDATE t SET v = 'after the base' WHERE id = 2");
            }
            p.fenceAndWait();
            p.stop();
            Pipeline.Cli after = p.cli("status");
            assertThat(after.out() + after.err()).doesNotContain("backup-hole");
            p.restore("pub_narrow_restored");
            assertThat(p.verify("pub_narrow_restored").differences()).isEmpty();
        }
    }

    @Test
    void aPublicationNarrowedToLeaveOutInsertsIsFoundByTheCheckAndItsHoleEndsOnceItIsWholeAgain(PgServer cluster)
            throws Exception {
        try (Pipeline p = Pipeline.create(cluster, "pub_check", tmp.resolve("backup"), Map.of("pgscribe.decoder", "pgoutput",
                "pgscribe.publication.check-interval-ms", "200"))) {
            try (Connection c = p.connect()) {
                Pg.execute(c, "CREATE TABLE t (id int PRIMARY KEY, v text)");
            }
            p.init(ReplicaIdentityAudit.Mode.REFUSE);
            p.start();
            try (Connection c = p.connect()) {
                Pg.execute(c, "INSERT INTO t VALUES (1, 'a')");
            }
            p.fenceAndWait();
            String whole;
            try (Connection c = p.connect()) {
                whole = Pg.string(c, "SELECT pg_current_wal_lsn()::text");
                // its own DDL record is an INSERT, which this leaves out from then on: the check finds it
                Pg.execute(c, "ALTER PUBLICATION pgscribe_pub_check SET (publish = 'update, delete')");
                Pg.execute(c, "INSERT INTO t VALUES (2, 'lost: pgoutput no longer sends it')");
            }
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
                    .until(() -> !p.manifest().capture().holes().isEmpty());
            var open = p.manifest().capture().holes().get(0);
            assertThat(open.beforeLsn()).isNull();
            assertThat(io.pgscribe.pg.Lsn.valueOf(open.afterLsn()).isAfter(io.pgscribe.pg.Lsn.valueOf(whole)))
                    .as("the hole starts at a check made before the change").isFalse();
            // found by the check, or by the capture where the DDL's own record still came through
            assertThat(open.cause()).contains("the publication pgscribe_pub_check was changed by");
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
                    .until(() -> p.runtimeLog().contains("capture-publication-failed"));

            // whole again: the next check ends the hole, without a restart
            try (Connection c = p.connect()) {
                Pg.execute(c, "ALTER PUBLICATION pgscribe_pub_check SET (publish = 'insert, update, delete, truncate', "
                        + "publish_via_partition_root = false)");
            }
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
                    .until(() -> p.manifest().capture().holes().get(0).beforeLsn() != null);
            assertThat(p.manifest().capture().holes()).hasSize(1);
            p.fenceAndWait();
            p.stop();
            Pipeline.Cli latest = p.cli("restore", "--to-db", "pub_check_latest");
            assertThat(latest.code()).as(latest.err()).isEqualTo(io.pgscribe.ExitCode.DAMAGED);
            var closed = p.manifest().capture().holes().get(0); // it may start earlier than first found, never later
            assertThat(io.pgscribe.pg.Lsn.valueOf(closed.afterLsn()).isAfter(io.pgscribe.pg.Lsn.valueOf(open.afterLsn()))).isFalse();
            assertThat(latest.err()).contains("has a hole between " + closed.afterLsn() + " and " + closed.beforeLsn());
        }
    }

    /** Found by a hostile review: narrowed and set back unseen (replica mode: no event trigger), while no runtime ran. */
    @Test
    void aPublicationAlteredAndSetBackUnseenIsFoundByItsCatalogRow(PgServer cluster) throws Exception {
        try (Pipeline p = Pipeline.create(cluster, "pub_unseen", tmp.resolve("backup"), Map.of("pgscribe.decoder", "pgoutput",
                "pgscribe.publication.check-interval-ms", "200"))) {
            try (Connection c = p.connect()) {
                Pg.execute(c, "CREATE TABLE t (id int PRIMARY KEY, v text)");
            }
            p.init(ReplicaIdentityAudit.Mode.REFUSE);
            assertThat(p.manifest().capture().publication()).as("init records the row it made").isNotNull();
            p.start();
            try (Connection c = p.connect()) {
                Pg.execute(c, "INSERT INTO t VALUES (1, 'a'), (2, 'b')");
            }
            io.pgscribe.pg.Lsn fence = p.fence();
            p.awaitCovered(fence, java.time.Duration.ofSeconds(30));
            // the check keeps the position it last found the row unchanged at, once the capture moved past it
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() -> !io.pgscribe.pg.Lsn.valueOf(
                    p.manifest().capture().publication().atLsn()).isBefore(io.pgscribe.pg.Lsn.valueOf(
                    p.manifest().capture().lastCommitLsn())));
            p.stop();
            String beforeTheAlter;
            try (Connection c = p.connect()) {
                beforeTheAlter = Pg.string(c, "SELECT pg_current_wal_lsn()::text");
                Pg.execute(c, "SET session_replication_role = replica; "
                        + "ALTER PUBLICATION pgscribe_pub_unseen SET (publish = 'insert'); "
                        + "DELETE FROM t WHERE id = 1; UPDATE t SET v = 'lost' WHERE id = 2; "
                        + "ALTER PUBLICATION pgscribe_pub_unseen SET (publish = 'insert, update, delete, truncate'); "
                        + "RESET session_replication_role");
                // anyone can move the capture's last commit on: the hole must not start there
                Pg.execute(c, "SELECT pg_logical_emit_message(true, 'noise', '')");
                Pg.execute(c, "INSERT INTO t VALUES (3, 'after')");
            }
            p.start();
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
                    .until(() -> !p.manifest().capture().holes().isEmpty()
                            && p.manifest().capture().holes().get(0).beforeLsn() != null);
            var hole = p.manifest().capture().holes().get(0);
            assertThat(io.pgscribe.pg.Lsn.valueOf(hole.afterLsn()).isAfter(io.pgscribe.pg.Lsn.valueOf(beforeTheAlter)))
                    .as("the hole starts before the ALTER, at the last position known unchanged").isFalse();
            assertThat(hole.cause()).contains("altered and set back");
            p.fenceAndWait();
            p.stop();
            Pipeline.Cli latest = p.cli("restore", "--to-db", "pub_unseen_latest");
            assertThat(latest.code()).as(latest.out() + latest.err()).isEqualTo(io.pgscribe.ExitCode.DAMAGED);
            Pipeline.Cli files = p.cli("verify", "--backup");
            assertThat(files.code()).as(files.out() + files.err()).isZero(); // every file is whole, and it says the set is not
            assertThat(files.out()).contains("HOLE     transactions committed after " + hole.afterLsn() + " and before "
                    + hole.beforeLsn());
            Pipeline.Cli before = p.cli("restore", "--to-db", "pub_unseen_before", "--to-lsn", hole.afterLsn());
            assertThat(before.code()).as(before.out() + before.err()).isZero();
            try (Connection c = Pg.connect(cluster.connection("pub_unseen_before"), "t")) {
                assertThat(Pg.string(c, "SELECT string_agg(id || ':' || v, ',' ORDER BY id) FROM t")).isEqualTo("1:a,2:b");
            }
        }
    }

    /** Found by a hostile review: renamed and renamed back, the slot cannot be decoded past the rename on 15. */
    @Test
    void aPublicationRenamedAndRenamedBackIsAHoleAndAHaltNamingANewBackupSet(PgServer cluster) throws Exception {
        try (Pipeline p = Pipeline.create(cluster, "pub_rename", tmp.resolve("backup"), Map.of("pgscribe.decoder", "pgoutput",
                "pgscribe.publication.check-interval-ms", "200"))) {
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
                Pg.execute(c, "ALTER PUBLICATION pgscribe_pub_rename RENAME TO elsewhere; INSERT INTO t VALUES (2, 'b'); "
                        + "ALTER PUBLICATION elsewhere RENAME TO pgscribe_pub_rename; INSERT INTO t VALUES (3, 'c')");
            }
            var supervisor = p.runtime().pipelines().get(0).recvlogical().supervisor();
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60)).until(() -> supervisor.halted().isPresent());
            assertThat(supervisor.halted().orElseThrow()).contains("past a point where its publication pgscribe_pub_rename "
                    + "did not exist").contains("Start a new backup set");
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
                    .until(() -> !p.manifest().capture().holes().isEmpty());
            p.stop();
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
