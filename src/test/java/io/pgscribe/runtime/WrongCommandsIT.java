package io.pgscribe.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.pgscribe.ExitCode;
import io.pgscribe.PgscribeException;
import io.pgscribe.manifest.Manifest;
import io.pgscribe.manifest.ManifestStore;
import io.pgscribe.manifest.SegmentEntry;
import io.pgscribe.monitor.Finding;
import io.pgscribe.monitor.HealthRules;
import io.pgscribe.monitor.Monitor;
import io.pgscribe.monitor.PipelineFaults;
import io.pgscribe.pg.LocalCluster;
import io.pgscribe.pg.Lsn;
import io.pgscribe.pg.Pg;
import io.pgscribe.pg.PgServer;
import io.pgscribe.pg.ReplicaIdentityAudit;
import io.pgscribe.storage.BackupSetLock;
import io.pgscribe.testing.PgClusterExtension;
import io.pgscribe.testing.Pipeline;
import io.pgscribe.testing.TestServers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Wrong commands, a second runtime and a lost spool, each of which once lost data or failed
 * silently (issue 19): each is now refused, recovered, or an alert that says what happened.
 */
@ExtendWith(PgClusterExtension.class)
class WrongCommandsIT {

    @TempDir
    Path tmp;

    private static final Map<String, String> FAST_MONITOR = Map.of("pgscribe.monitor.interval-ms", "300");

    private static List<String> databases(PgServer s) throws Exception {
        try (Connection c = Pg.connect(s.connection("postgres"), "t")) {
            return Pg.query(c, "SELECT datname FROM pg_database", rs -> rs.getString(1));
        }
    }

    private static List<String> slots(PgServer s) throws Exception {
        try (Connection c = Pg.connect(s.connection("postgres"), "t")) {
            return Pg.query(c, "SELECT slot_name FROM pg_replication_slots", rs -> rs.getString(1));
        }
    }

    private static List<String> findings(Pipeline p) {
        Monitor m = p.runtime().camelContext().getRegistry().lookupByNameAndType("monitor", Monitor.class);
        Monitor.Snapshot s = m.last();
        return s == null ? List.of() : s.findings().stream().map(Finding::rule).toList();
    }

    @Test
    void theSourceIsKnownByItsIdentityAndCapturedDatabasesAreNeverReplaced(PgServer cluster) throws Exception {
        try (Pipeline p = Pipeline.create(cluster, "shop19", tmp.resolve("backup"));
             Pipeline other = Pipeline.create(cluster, "other19", tmp.resolve("other"))) {
            try (Connection c = p.connect()) {
                Pg.execute(c, "CREATE TABLE \"Orders\" (id int PRIMARY KEY, note text); INSERT INTO \"Orders\" VALUES (1, 'a')");
            }
            // a backup directory that cannot be made is found before init touches the server
            Files.writeString(tmp.resolve("a-file"), "x");
            Pipeline.Cli badDir = p.cli("-s", "pgscribe.backup.dir=" + tmp.resolve("a-file").resolve("backup"), "init");
            assertThat(badDir.code()).as(badDir.err()).isEqualTo(ExitCode.USAGE);
            assertThat(badDir.err()).contains("cannot be written").contains("pgscribe.backup.dir").doesNotContain("--backup-dir")
                    .doesNotContain("\tat ");
            try (Connection c = p.connect()) {
                assertThat(Pg.query(c, "SELECT 1 FROM pg_event_trigger WHERE evtname LIKE 'pgscribe%'", rs -> 1)).isEmpty();
            }

            p.init(ReplicaIdentityAudit.Mode.REFUSE);
            other.init(ReplicaIdentityAudit.Mode.REFUSE);

            // the configuration says 127.0.0.1; localhost is the same server
            Pipeline.Cli onSource = p.cli("restore", "--to-db", "shop19", "--replace", "--target-host", "localhost");
            assertThat(onSource.code()).as(onSource.out() + onSource.err()).isEqualTo(ExitCode.REFUSED);
            assertThat(onSource.err()).contains("is the database this backup is of").contains("system identifier");
            assertThat(databases(cluster)).contains("shop19");
            assertThat(slots(cluster)).contains("pgscribe_shop19");

            // another database that is being captured is a source too
            Pipeline.Cli onCaptured = p.cli("restore", "--to-db", "other19", "--replace");
            assertThat(onCaptured.code()).as(onCaptured.out() + onCaptured.err()).isEqualTo(ExitCode.REFUSED);
            assertThat(onCaptured.err()).contains("being captured").contains("replication slot pgscribe_other19")
                    .contains("event trigger pgscribe_");
            assertThat(databases(cluster)).contains("other19");

            // flags that restore nothing, or cannot all be meant
            Pipeline.Cli noTable = p.cli("restore", "--to-db", "copy19", "--only-table", "public.orders");
            assertThat(noTable.code()).as(noTable.err()).isEqualTo(ExitCode.USAGE);
            assertThat(noTable.err()).contains("--only-table public.orders: no such table").contains("\"public\".\"Orders\"");
            Pipeline.Cli noSchema = p.cli("restore", "--to-db", "copy19", "--only-schema", "nosuch");
            assertThat(noSchema.code()).isEqualTo(ExitCode.USAGE);
            assertThat(noSchema.err()).contains("--only-schema nosuch");
            assertThat(databases(cluster)).doesNotContain("copy19");
            for (String[] args : List.of(new String[] {"restore", "--to-db", ""},
                    new String[] {"restore", "--to-db", "x".repeat(73)},
                    new String[] {"restore", "--to-db", "copy19", "--continue", "--replace"},
                    new String[] {"restore", "--to-db", "copy19", "--exclusive"})) {
                Pipeline.Cli r = p.cli(args);
                assertThat(r.code()).as(String.join(" ", args) + ": " + r.err()).isEqualTo(ExitCode.USAGE);
            }
            assertThat(databases(cluster)).noneMatch(d -> d.startsWith("xxxx"));

            // a stopped target server is named by the flags that choose it
            Pipeline.Cli stopped = p.cli("restore", "--to-db", "copy19", "--target-port", "1");
            assertThat(stopped.code()).isEqualTo(ExitCode.FAILED);
            assertThat(stopped.err()).contains("--target-host / --target-port").doesNotContain("pgscribe.source.port");

            // a restored copy carries no capture: replacing it is what --replace is for
            assertThat(p.cli("restore", "--to-db", "copy19", "--only-table", "\"Orders\"").code()).isZero();
            Pipeline.Cli again = p.cli("restore", "--to-db", "copy19", "--replace");
            assertThat(again.code()).as(again.out() + again.err()).isZero();
            try (Connection c = Pg.connect(cluster.connection("copy19"), "t")) {
                assertThat(Pg.string(c, "SELECT note FROM \"Orders\"")).isEqualTo("a");
            }
            try (Connection c = Pg.connect(cluster.connection("postgres"), "t")) {
                Pg.execute(c, "DROP DATABASE copy19");
            }
        }
    }

    @Test
    void oneWriterPerBackupSet(PgServer cluster) throws Exception {
        try (Pipeline p = Pipeline.create(cluster, "locked19", tmp.resolve("backup"), FAST_MONITOR)) {
            try (Connection c = p.connect()) {
                Pg.execute(c, "CREATE TABLE t (id int PRIMARY KEY)");
            }
            p.init(ReplicaIdentityAudit.Mode.REFUSE);
            p.start();
            String pid = Long.toString(ProcessHandle.current().pid());

            assertThatThrownBy(() -> PgscribeRuntime.create(p.settings()))
                    .isInstanceOfSatisfying(PgscribeException.class, e -> {
                        assertThat(e.exitCode()).isEqualTo(ExitCode.REFUSED);
                        assertThat(e.getMessage()).contains("is in use by pid " + pid).contains("(run, since");
                    });
            Pipeline.Cli init = p.cli("init");
            assertThat(init.code()).isEqualTo(ExitCode.REFUSED);
            assertThat(init.err()).contains("in use by pid " + pid);

            // another process, as a second container or a second `pgscribe run` would be
            Path config = p.writeConfig(tmp.resolve("second.properties"));
            Process second = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                    Path.of("target/pgscribe.jar").toAbsolutePath().toString(), "--config", config.toString(), "run")
                    .redirectErrorStream(true).start();
            if (!second.waitFor(60, TimeUnit.SECONDS)) {
                second.destroyForcibly().waitFor();
                throw new AssertionError("a second runtime on the set was not refused within 60 s");
            }
            String secondOut = new String(second.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(second.exitValue()).as(secondOut).isEqualTo(ExitCode.REFUSED);
            assertThat(secondOut).contains("in use by pid " + pid);

            // readers need no lock
            assertThat(p.cli("verify", "--backup").code()).isZero();

            // the manifest gone while running: the set is read from its copy, and the next write puts it back
            try (Connection c = p.connect()) {
                Pg.execute(c, "INSERT INTO t VALUES (1)");
            }
            p.fenceAndWait();
            Path manifest = p.backupDir.resolve(ManifestStore.FILE_NAME);
            Path copy = ManifestStore.copyOf(manifest);
            Files.delete(manifest);
            try (Connection c = p.connect()) {
                Pg.execute(c, "INSERT INTO t VALUES (2)");
            }
            p.fenceAndWait();
            assertThat(manifest).exists();
            assertThat(p.cli("verify", "--backup").code()).isZero();

            // both gone: an alert with the cause, resolved when they are back
            Path aside = tmp.resolve("manifest.aside");
            Path copyAside = tmp.resolve("manifest.copy.aside");
            Files.move(manifest, aside);
            Files.move(copy, copyAside);
            await().atMost(Duration.ofSeconds(20)).until(() -> findings(p).contains(HealthRules.BACKUP_SET_UNREADABLE));
            Pipeline.Cli lost = p.cli("verify", "--backup");
            assertThat(lost.code()).isEqualTo(ExitCode.DAMAGED);
            assertThat(lost.err()).contains("has lost its manifest").contains("S3 copy");
            Files.move(copyAside, copy);
            Files.move(aside, manifest);
            await().atMost(Duration.ofSeconds(20)).until(() -> !findings(p).contains(HealthRules.BACKUP_SET_UNREADABLE));
            p.stop();

            // the lock goes with the runtime
            PgscribeRuntime.create(p.settings()).stop();
            assertThat(Files.readString(p.backupDir.resolve(BackupSetLock.FILE))).contains("pid " + pid);

            // a directory with no set in it is refused, not called damaged
            Pipeline.Cli none = p.cli("-s", "pgscribe.backup.dir=" + tmp.resolve("empty"), "verify", "--backup");
            assertThat(none.code()).isEqualTo(ExitCode.REFUSED);
            assertThat(none.err()).contains("no backup set in");

            // verify --backup reads each segment: a count the file does not hold is found though the sha256 matches
            ManifestStore store = p.store();
            store.update(m -> m.mapSegments(l -> {
                List<SegmentEntry> out = new ArrayList<>(l);
                SegmentEntry s = out.get(0);
                out.set(0, new SegmentEntry(s.file(), s.ordinal(), s.firstLsn(), s.lastLsn(), s.firstCommitTime(),
                        s.lastCommitTime(), s.transactions() + 1, s.bytes(), s.sha256(), s.spoolEnd(), s.compression(),
                        s.sqlBytes(), s.sqlSha256(), s.ddlNotReplayed(), s.ddlRoles()));
                return out;
            }));
            Pipeline.Cli counted = p.cli("verify", "--backup");
            assertThat(counted.code()).as(counted.out()).isEqualTo(ExitCode.DAMAGED);
            assertThat(counted.out()).contains("HOLDS").contains("the manifest says");
        }
    }

    @Test
    void aSetOfAnotherServerIsRefusedByEveryWriter(PgServer cluster) throws Exception {
        try (LocalCluster b = TestServers.localCluster(List.of());
             Pipeline onA = Pipeline.create(cluster, "twin19", tmp.resolve("a"));
             Pipeline onB = Pipeline.create(b, "twin19", tmp.resolve("b"))) {
            onA.init(ReplicaIdentityAudit.Mode.REFUSE);
            onB.init(ReplicaIdentityAudit.Mode.REFUSE); // the same slot name on server B
            // A's backup set, B's server: what a copied configuration with another host does
            Pipeline wrong = new Pipeline(b, "twin19", onA.backupDir, Map.of());
            String idA = onA.manifest().source().systemIdentifier();
            String idB = onB.manifest().source().systemIdentifier();
            assertThat(idA).isNotEqualTo(idB);

            assertThatThrownBy(() -> PgscribeRuntime.create(wrong.settings()))
                    .isInstanceOfSatisfying(PgscribeException.class, e -> {
                        assertThat(e.exitCode()).isEqualTo(ExitCode.REFUSED);
                        assertThat(e.getMessage()).contains(idA).contains(idB).contains("another server");
                    });
            for (String command : List.of("init", "prune")) {
                Pipeline.Cli r = wrong.cli(command);
                assertThat(r.code()).as(command + ": " + r.out() + r.err()).isEqualTo(ExitCode.REFUSED);
                assertThat(r.err()).contains(idA).contains(idB);
            }
            // prune of another pipeline's database is refused without asking any server
            Pipeline.Cli otherDb = onA.cli("-s", "pgscribe.source.database=postgres", "prune");
            assertThat(otherDb.code()).isEqualTo(ExitCode.REFUSED);
            assertThat(otherDb.err()).contains("another database of the same server");
        }
    }

    @Test
    void aLostSpoolIsAskedForAgainOrRecordedAsAHole(PgServer cluster) throws Exception {
        try (Pipeline p = Pipeline.create(cluster, "spool19", tmp.resolve("backup"), FAST_MONITOR)) {
            try (Connection c = p.connect()) {
                Pg.execute(c, "CREATE TABLE t (id int PRIMARY KEY, v text)");
            }
            p.init(ReplicaIdentityAudit.Mode.REFUSE);
            p.start();
            try (Connection c = p.connect()) {
                Pg.execute(c, "INSERT INTO t SELECT g, 'first' FROM generate_series(1, 50) g");
            }
            p.fenceAndWait();

            // deleted while running: pg_recvlogical is stopped at once, so the server keeps what follows
            LocalCluster.deleteTree(p.backupDir.resolve("spool"));
            await().atMost(Duration.ofSeconds(20)).until(() -> p.runtime().pipelines().get(0).recvlogical().supervisor()
                    .halted().isPresent());
            await().atMost(Duration.ofSeconds(20)).until(() -> findings(p).contains(PipelineFaults.CAPTURE_HALTED));
            try (Connection c = p.connect()) {
                Pg.execute(c, "INSERT INTO t SELECT g, 'while halted' FROM generate_series(51, 80) g");
            }
            p.stop();
            p.start();
            try (Connection c = p.connect()) {
                Pg.execute(c, "UPDATE t SET v = 'after' WHERE id <= 10");
            }
            p.fenceAndWait();
            assertThat(p.runtimeLog()).contains("nothing is lost");
            assertThat(p.manifest().capture().holes()).isEmpty();
            assertThat(p.restore("spool19_copy").transactionsApplied()).isPositive();
            assertThat(p.verify("spool19_copy").differences()).isEmpty();
            p.stop();

            // lost while stopped, and the server told to forget (as the emergency procedure does): a hole
            String covered = p.manifest().capture().coveredLsn();
            LocalCluster.deleteTree(p.backupDir.resolve("spool"));
            try (Connection c = p.connect()) {
                Pg.execute(c, "INSERT INTO t SELECT g, 'lost' FROM generate_series(81, 90) g");
                Pg.string(c, "SELECT pg_replication_slot_advance('pgscribe_spool19', pg_current_wal_lsn())::text");
            }
            p.start();
            try (Connection c = p.connect()) {
                Pg.execute(c, "INSERT INTO t VALUES (91, 'after the hole')");
            }
            p.fenceAndWait();
            Manifest m = p.manifest();
            assertThat(m.capture().holes()).hasSize(1);
            assertThat(m.capture().holes().get(0).afterLsn()).isEqualTo(covered);
            await().atMost(Duration.ofSeconds(20)).until(() -> findings(p).contains(HealthRules.BACKUP_HOLE));
            Pipeline.Cli status = p.cli("status");
            assertThat(status.code()).isEqualTo(2);
            assertThat(status.out()).contains("backup-hole").contains(covered);

            Pipeline.Cli latest = p.cli("restore", "--to-db", "spool19_latest");
            assertThat(latest.code()).as(latest.out() + latest.err()).isEqualTo(ExitCode.DAMAGED);
            assertThat(latest.err()).contains("has a hole between " + covered).contains("--to-lsn " + covered);
            assertThat(databases(cluster)).doesNotContain("spool19_latest");
            Pipeline.Cli before = p.cli("restore", "--to-db", "spool19_before", "--to-lsn", covered);
            assertThat(before.code()).as(before.out() + before.err()).isZero();
            try (Connection c = Pg.connect(cluster.connection("spool19_before"), "t")) {
                assertThat(Pg.string(c, "SELECT count(*) || ' ' || count(*) FILTER (WHERE v = 'after') FROM t"))
                        .isEqualTo("80 10");
            }
            try (Connection c = Pg.connect(cluster.connection("postgres"), "t")) {
                Pg.execute(c, "DROP DATABASE spool19_copy");
                Pg.execute(c, "DROP DATABASE spool19_before");
            }
        }
    }

    @Test
    void aSlotMovedOrMadeAgainWhileStoppedAndAServerBehindTheSetAreNeverSilent(PgServer cluster) throws Exception {
        try (Pipeline p = Pipeline.create(cluster, "moved19", tmp.resolve("backup"), FAST_MONITOR)) {
            try (Connection c = p.connect()) {
                Pg.execute(c, "CREATE TABLE t (id int PRIMARY KEY, v text)");
            }
            p.init(ReplicaIdentityAudit.Mode.REFUSE);
            p.start();
            try (Connection c = p.connect()) {
                Pg.execute(c, "INSERT INTO t SELECT g, 'first' FROM generate_series(1, 20) g");
            }
            p.fenceAndWait();
            p.stop();

            // advanced by hand while stopped (the README's emergency step), the spool intact: a hole, not silence
            try (Connection c = p.connect()) {
                Pg.execute(c, "INSERT INTO t SELECT g, 'skipped by the advance' FROM generate_series(21, 30) g");
                Pg.string(c, "SELECT pg_replication_slot_advance('pgscribe_moved19', pg_current_wal_lsn())::text");
            }
            p.start();
            try (Connection c = p.connect()) {
                Pg.execute(c, "INSERT INTO t VALUES (31, 'after')");
            }
            p.fenceAndWait();
            assertThat(p.manifest().capture().holes()).hasSize(1);
            assertThat(p.manifest().capture().holes().get(0).cause()).contains("was moved from");
            await().atMost(Duration.ofSeconds(20)).until(() -> findings(p).contains(HealthRules.BACKUP_HOLE));
            Pipeline.Cli latest = p.cli("restore", "--to-db", "moved19_latest");
            assertThat(latest.code()).as(latest.out() + latest.err()).isEqualTo(ExitCode.DAMAGED);
            p.stop();

            // made again by hand with another plugin: the capture halts, and says why
            try (Connection c = p.connect()) {
                Pg.string(c, "SELECT pg_drop_replication_slot('pgscribe_moved19')::text");
                Pg.string(c, "SELECT slot_name::text FROM pg_create_logical_replication_slot('pgscribe_moved19', 'test_decoding')");
            }
            // refused at start (and, were it made again while running, the capture would halt before pg_recvlogical)
            assertThatThrownBy(p::start).isInstanceOf(PgscribeException.class)
                    .hasMessageContaining("now decodes with test_decoding").hasMessageContaining("made again by hand");
            p.stop();

            // the server went back behind what the set holds (restored from an older copy): refused, never skipped
            try (Connection c = p.connect()) {
                Pg.string(c, "SELECT pg_drop_replication_slot('pgscribe_moved19')::text");
                // made again with the set's own decoder: only the positions tell
                Pg.string(c, "SELECT slot_name::text FROM pg_create_logical_replication_slot('pgscribe_moved19', ?)",
                        p.manifest().decoder());
            }
            ManifestStore store = p.store();
            // what a set made before the server was put back holds: positions the server has not reached again
            store.update(m -> m.withCapture(new io.pgscribe.manifest.CaptureState(m.capture().lastCommitLsn(),
                    m.capture().coveredLsn(), m.capture().resumeAt(), m.capture().tables(), m.capture().segmentsClosed(),
                    "FFFF/0", m.capture().holes())));
            assertThatThrownBy(p::start).isInstanceOf(PgscribeException.class).hasMessageContaining("before FFFF/0")
                    .hasMessageContaining("restored from an older copy");
            p.stop();
            // and once that server wrote more WAL than the set covers: its xids are ones the set already holds
            long next;
            try (Connection c = p.connect()) {
                next = Long.parseLong(Pg.string(c, "SELECT pg_snapshot_xmax(pg_current_snapshot())::text"));
            }
            String realEnd = p.manifest().capture().coveredLsn();
            store.update(m -> m.withCapture(new io.pgscribe.manifest.CaptureState(m.capture().lastCommitLsn(),
                    m.capture().coveredLsn(), m.capture().resumeAt(), m.capture().tables(), m.capture().segmentsClosed(),
                    realEnd, m.capture().holes(), (next + 1000) & 0xFFFFFFFFL, m.capture().publication(), null)));
            assertThatThrownBy(p::start).isInstanceOf(PgscribeException.class)
                    .hasMessageContaining("next transaction id").hasMessageContaining("restored from an older copy");
            p.stop();
        }
    }

    @Test
    void aDeletedLockFileIsTakenAgainAndASymlinkSwitchedWhileRunningChangesNothing(PgServer cluster) throws Exception {
        Path real = tmp.resolve("real");
        Path other = tmp.resolve("other");
        Files.createDirectories(real);
        Files.createDirectories(other);
        Path link = tmp.resolve("current");
        Files.createSymbolicLink(link, real.getFileName());
        try (Pipeline p = Pipeline.create(cluster, "lock19", link, FAST_MONITOR)) {
            try (Connection c = p.connect()) {
                Pg.execute(c, "CREATE TABLE t (id int PRIMARY KEY, v text)");
            }
            p.init(ReplicaIdentityAudit.Mode.REFUSE);
            p.start();
            Path lockFile = real.resolve(BackupSetLock.FILE);
            Files.delete(lockFile);
            // the next monitor sample locks the set again, then says so (the file is there before the log line)
            await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(lockFile)
                    && Files.readString(lockFile).contains("pid " + ProcessHandle.current().pid())
                    && p.runtimeLog().contains("was deleted or replaced while this runtime ran; it is locked again"));

            // the link now names another directory: the runtime keeps writing the set it opened
            Files.delete(link);
            Files.createSymbolicLink(link, other.getFileName());
            try (Connection c = p.connect()) {
                Pg.execute(c, "INSERT INTO t SELECT g, 'x' FROM generate_series(1, 10) g");
            }
            Path manifest = real.resolve(ManifestStore.FILE_NAME);
            Lsn end;
            try (Connection c = p.connect()) {
                end = io.pgscribe.capture.CaptureProgress.fence(c);
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> io.pgscribe.capture.CaptureProgress.covers(
                    ManifestStore.readUnverified(manifest), end));
            try (var files = Files.list(other)) {
                assertThat(files.toList()).as("nothing written through the switched link").isEmpty();
            }
            p.stop();
            Files.delete(link);
            Files.createSymbolicLink(link, real.getFileName());
        }
    }

    @Test
    void uninstallKeepsTheCaptureObjectsAnotherSetOfTheDatabaseNeeds(PgServer cluster) throws Exception {
        try (Pipeline p = Pipeline.create(cluster, "two19", tmp.resolve("backup"), Map.of("pgscribe.capture.restart-delay", "60",
                "pgscribe.capture.restart-max-delay", "60"))) {
            p.init(ReplicaIdentityAudit.Mode.REFUSE);
            // run from where the backup directory is not (another host, a mistyped path), while pg_recvlogical
            // restarts (the slot looks idle): the runtime's own session tells
            p.start();
            await().atMost(Duration.ofSeconds(30)).until(() -> p.runtime().recvlogical().process().isPresent());
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                try (Connection c = p.connect()) {
                    return Pg.string(c, "SELECT count(*)::text FROM pg_stat_activity WHERE application_name = "
                            + "'pgscribe-capture-pgscribe_two19'").equals("1");
                }
            });
            p.runtime().recvlogical().process().orElseThrow().destroyForcibly();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                try (Connection c = p.connect()) {
                    return Pg.string(c, "SELECT active::text FROM pg_replication_slots WHERE slot_name = 'pgscribe_two19'")
                            .equals("false");
                }
            });
            Pipeline.Cli elsewhere = p.cli("-s", "pgscribe.backup.dir=" + tmp.resolve("not-here"), "uninstall");
            assertThat(elsewhere.code()).as(elsewhere.out() + elsewhere.err()).isEqualTo(ExitCode.REFUSED);
            assertThat(elsewhere.err()).contains("a pgscribe runtime of slot pgscribe_two19 is connected");
            assertThat(elsewhere.err()).contains("no runtime lock was checked");
            assertThat(slots(cluster)).contains("pgscribe_two19");
            // the same slot name from another database of the server: that database's set, never dropped from here
            Pipeline.Cli otherDatabase = p.cli("-s", "pgscribe.source.database=postgres", "-s",
                    "pgscribe.backup.dir=" + tmp.resolve("not-here"), "uninstall");
            assertThat(otherDatabase.code()).as(otherDatabase.out() + otherDatabase.err()).isEqualTo(ExitCode.REFUSED);
            assertThat(otherDatabase.err()).contains("slot pgscribe_two19 belongs to database").contains("not postgres");
            assertThat(slots(cluster)).contains("pgscribe_two19");
            p.stop();
            try (Connection c = p.connect()) {
                Pg.string(c, "SELECT slot_name::text FROM pg_create_logical_replication_slot('two19_other_set', 'wal2json')");
            }
            try {
                Pipeline.Cli u = p.cli("uninstall");
                assertThat(u.code()).as(u.err()).isZero();
                assertThat(u.out()).contains("Dropped replication slot pgscribe_two19").contains("Kept schema pgscribe")
                        .contains("two19_other_set");
                try (Connection c = p.connect()) {
                    assertThat(Pg.string(c, "SELECT count(*)::text FROM pg_event_trigger WHERE evtname LIKE 'pgscribe%'"))
                            .isEqualTo("3");
                }
            } finally {
                try (Connection c = p.connect()) {
                    Pg.string(c, "SELECT pg_drop_replication_slot('two19_other_set')::text");
                }
            }
        }
    }
}
