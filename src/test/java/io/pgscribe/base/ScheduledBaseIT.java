package io.pgscribe.base;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgscribe.manifest.BaseEntry;
import io.pgscribe.manifest.Manifest;
import io.pgscribe.pg.Lsn;
import io.pgscribe.pg.Pg;
import io.pgscribe.pg.PgServer;
import io.pgscribe.pg.PgTools;
import io.pgscribe.pg.ReplicaIdentityAudit;
import io.pgscribe.restore.RestoreTarget;
import io.pgscribe.restore.Restorer;
import io.pgscribe.testing.PgClusterExtension;
import io.pgscribe.testing.Pipeline;
import io.pgscribe.verify.Verifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Scheduled bases and globals: the quartz routes running pg_dump and pg_dumpall through camel-exec. */
@ExtendWith(PgClusterExtension.class)
class ScheduledBaseIT {

    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"wal2json", "pgoutput"})
    void basesTakenUnderLoadMeetTheStreamExactly(String decoder, PgServer cluster) throws Exception {
        String db = "sched_" + decoder;
        Map<String, String> every2s = Map.of("pgscribe.base.cron", "0/2 * * * * ?", "pgscribe.globals.cron", "1/3 * * * * ?");
        try (Pipeline p = Pipeline.create(cluster, db, tmp.resolve("backup"), Pipeline.withDecoder(every2s, decoder))) {
            try (Connection c = p.connect()) {
                Pg.execute(c, "CREATE TABLE account (id bigserial PRIMARY KEY, owner text NOT NULL, balance numeric NOT NULL)");
                Pg.execute(c, "CREATE TABLE ledger (id bigserial PRIMARY KEY, account bigint, amount numeric, at timestamptz DEFAULT now())");
                Pg.execute(c, "INSERT INTO account (owner, balance) SELECT 'owner ' || g, 100 FROM generate_series(1, 200) g");
            }
            p.init(ReplicaIdentityAudit.Mode.REFUSE);
            p.start();

            AtomicBoolean running = new AtomicBoolean(true);
            AtomicLong transactions = new AtomicLong();
            ExecutorService pool = Executors.newSingleThreadExecutor();
            Future<?> workload = pool.submit(() -> {
                try (Connection c = p.connect()) {
                    for (long i = 1; running.get(); i++) {
                        long id = 1 + i % 200;
                        Pg.execute(c, "BEGIN; UPDATE account SET balance = balance - 1 WHERE id = " + id
                                + "; INSERT INTO ledger (account, amount) VALUES (" + id + ", -1)"
                                + (i % 7 == 0 ? "; DELETE FROM ledger WHERE id = (SELECT min(id) FROM ledger)" : "")
                                + (i % 50 == 0 ? "; INSERT INTO account (owner, balance) VALUES ('new " + i + "', 0)" : "")
                                + "; COMMIT");
                        transactions.incrementAndGet();
                    }
                }
                return null;
            });
            // the init base plus three scheduled ones, all taken while the workload writes
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                    .until(() -> p.manifest().bases().size() >= 4 && p.manifest().globals().size() >= 2);
            running.set(false);
            workload.get();
            pool.shutdown();
            p.fenceAndWait();
            p.stop();

            Manifest m = p.manifest();
            assertThat(transactions.get()).isGreaterThan(100);
            List<BaseEntry> bases = m.bases();
            for (BaseEntry b : bases) {
                assertThat(Files.size(p.backupDir.resolve(b.file()))).isEqualTo(b.bytes());
                assertThat(b.metadataFile()).isNotNull();
                assertThat(Files.readString(p.backupDir.resolve(b.metadataFile())))
                        .contains("\"consistentPoint\" : \"" + b.consistentPoint() + "\"").contains("\"extensions\"");
                assertThat(Files.getPosixFilePermissions(p.backupDir.resolve(b.file())))
                        .isEqualTo(io.pgscribe.storage.DurableFiles.OWNER_FILE);
            }
            assertThat(m.globals().get(1).file()).isNotEqualTo(m.globals().get(0).file());

            // every seam: base i plus the segments up to base i+1's consistent point equals base i+1's snapshot
            for (int i = 0; i + 1 < bases.size() && i < 3; i++) {
                Lsn next = Lsn.valueOf(bases.get(i + 1).consistentPoint());
                String seam = db + "_seam" + i;
                Restorer.Summary s = new Restorer(PgTools.locate(""), p.out, io.pgscribe.testing.TestKeys.reader()).run(new Restorer.Options(p.backupDir, p.source(),
                        cluster.connection("postgres"), seam).withTarget(RestoreTarget.lsn(Lsn.of(next.asLong() - 1), true)));
                assertThat(s.base()).isEqualTo(bases.get(i).file());
                Verifier.Report r = Verifier.compare(Verifier.load(p.backupDir.resolve(bases.get(i + 1).checksumsFile())),
                        Verifier.checksums(cluster.connection(seam)));
                assertThat(r.differences()).as("seam between %s and %s", bases.get(i).file(), bases.get(i + 1).file())
                        .isEmpty();
            }

            // the latest restore starts from the newest base, skips what it holds, and equals the source
            Restorer.Summary latest = p.restore(db + "_latest");
            assertThat(latest.base()).isEqualTo(bases.get(bases.size() - 1).file());
            assertThat(p.verify(db + "_latest").differences()).isEmpty();
            try (Connection c = Pg.connect(cluster.connection("postgres"), "test")) {
                assertThat(Pg.string(c, "SELECT count(*)::text FROM pg_replication_slots WHERE slot_name LIKE '%\\_base\\_%'"))
                        .isEqualTo("0");
            }
        }
    }

    @Test
    void aKilledPgDumpLeavesNoCompleteLookingBaseAndTheNextRunSucceeds(PgServer cluster) throws Exception {
        Map<String, String> settings = Map.of("pgscribe.base.cron", "0/2 * * * * ?", "pgscribe.base.checksums", "false");
        try (Pipeline p = Pipeline.create(cluster, "killed", tmp.resolve("backup"), settings)) {
            try (Connection c = p.connect()) {
                // about 200 MB, so that pg_dump is still writing when it is killed
                Pg.execute(c, "CREATE TABLE t (id int PRIMARY KEY, v text)");
                Pg.execute(c, "INSERT INTO t SELECT g, repeat(md5(g::text), 30) FROM generate_series(1, 200000) g");
            }
            p.init(ReplicaIdentityAudit.Mode.REFUSE);
            p.start();
            ProcessHandle dump = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(10))
                    .until(() -> writingPgDump(p.backupDir), h -> h != null);
            List<Path> partials = partials(p.backupDir);
            dump.destroyForcibly();
            await().atMost(Duration.ofSeconds(30)).until(() -> p.runtimeLog().contains("ALERT base-failed"));
            assertThat(p.runtimeLog()).contains("pg_dump failed (exit");
            assertThat(partials).isNotEmpty().noneMatch(Files::exists);
            p.stop();
            // whatever ran meanwhile, nothing looks complete that the manifest does not list
            try (Stream<Path> files = Files.list(p.backupDir.resolve("base"))) {
                assertThat(files.map(f -> "base/" + f.getFileName()).filter(n -> n.endsWith(".sql")))
                        .containsExactlyInAnyOrderElementsOf(p.manifest().bases().stream().map(BaseEntry::file).toList());
            }
            assertThat(partials(p.backupDir)).isEmpty();
            int before = p.manifest().bases().size();
            p.start();
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> p.manifest().bases().size() > before);
            p.stop();
            assertThat(p.cli("verify", "--backup").code()).isZero();
            try (Stream<Path> files = Files.list(p.backupDir.resolve("base"))) {
                assertThat(files.map(f -> f.getFileName().toString())).noneMatch(n -> n.endsWith(".partial"));
            }
        }
    }

    private static List<Path> partials(Path backupDir) throws java.io.IOException {
        try (Stream<Path> files = Files.list(backupDir.resolve("base"))) {
            return files.filter(f -> f.getFileName().toString().endsWith(".partial")).toList();
        }
    }

    /** A pg_dump of this backup set that has started writing its .partial file, if there is one now. */
    private static ProcessHandle writingPgDump(Path backupDir) throws java.io.IOException {
        boolean writing;
        try (Stream<Path> files = Files.list(backupDir.resolve("base"))) {
            writing = files.anyMatch(f -> f.getFileName().toString().endsWith(".sql.partial") && f.toFile().length() > 0);
        }
        if (!writing) {
            return null;
        }
        String marker = backupDir.resolve("base").toString();
        return ProcessHandle.allProcesses()
                .filter(h -> h.info().command().map(cmd -> cmd.endsWith("/pg_dump")).orElse(false))
                .filter(h -> h.info().arguments().map(a -> String.join(" ", a).contains(marker)).orElse(false))
                .findFirst().orElse(null);
    }
}
