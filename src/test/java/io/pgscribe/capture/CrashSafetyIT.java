package io.pgscribe.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgscribe.manifest.Manifest;
import io.pgscribe.manifest.SegmentEntry;
import io.pgscribe.pg.Lsn;
import io.pgscribe.pg.Pg;
import io.pgscribe.pg.PgServer;
import io.pgscribe.pg.ReplicaIdentityAudit;
import io.pgscribe.segment.SegmentReader;
import io.pgscribe.testing.ManagementEndpoint;
import io.pgscribe.testing.PgClusterExtension;
import io.pgscribe.testing.Pipeline;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Under a steady workload, the capture JVM and pg_recvlogical are each killed with
 * SIGKILL three times at random moments. Afterwards the restored database equals the
 * source, and no transaction is in the segments twice.
 */
@ExtendWith(PgClusterExtension.class)
class CrashSafetyIT {

    @TempDir
    Path tmp;

    private Process capture;
    private int captureRuns;

    /**
     * With pgoutput, a capture killed in the middle of a pg_recvlogical session resumes where the
     * tables were named before its checkpoint: it reads them from the session state it kept.
     */
    @ParameterizedTest
    @ValueSource(strings = {"wal2json", "pgoutput"})
    void killingTheCaptureOrPgRecvlogicalLosesNothingAndDoublesNothing(String decoder, PgServer cluster) throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        System.out.println("CrashSafetyIT seed " + seed + ", decoder " + decoder);
        String db = "crash_" + decoder;
        try (Pipeline p = Pipeline.create(cluster, db, tmp.resolve("backup"), java.util.Map.of("pgscribe.decoder", decoder))) {
            try (Connection c = p.connect()) {
                Pg.execute(c, "CREATE TABLE events (id bigserial PRIMARY KEY, worker int, n int, payload text);"
                        + "CREATE TABLE counters (worker int PRIMARY KEY, n int); INSERT INTO counters VALUES (1, 0), (2, 0)");
            }
            p.init(ReplicaIdentityAudit.Mode.REFUSE);
            Path config = writeConfig(p);

            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong committed = new AtomicLong();
            List<Thread> workers = new ArrayList<>();
            for (int w = 1; w <= 2; w++) {
                int worker = w;
                Thread t = new Thread(() -> workload(p, worker, stop, committed), "workload-" + w);
                t.start();
                workers.add(t);
            }
            startCapture(config, p);
            try {
                for (int round = 0; round < 6; round++) {
                    awaitProgress(p, committed);
                    Thread.sleep(random.nextInt(400)); // a random moment, not a synchronisation
                    if (round % 2 == 0) {
                        System.out.println("round " + round + ": kill -9 the capture JVM (pid " + capture.pid() + ")");
                        capture.destroyForcibly();
                        capture.waitFor();
                        if (round == 0) {
                            // its pg_recvlogical streams on with nobody closing segments: status must say so, not OK
                            Pipeline.Cli status = p.cli("status");
                            assertThat(status.code()).as(status.out() + status.err()).isEqualTo(2);
                            assertThat(status.out()).contains("runtime-not-running")
                                    .contains("but no pgscribe runtime holds the backup set");
                        }
                        startCapture(config, p);
                    } else {
                        long pid = recvlogicalPid(p, capture.pid());
                        assertThat(Files.readString(Path.of("/proc", Long.toString(pid), "cmdline")))
                                .as("pg_recvlogical's command line").doesNotContain(p.source().password());
                        System.out.println("round " + round + ": kill -9 pg_recvlogical (pid " + pid + ")");
                        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                    }
                }
                awaitProgress(p, committed);
            } finally {
                stop.set(true);
                for (Thread t : workers) {
                    t.join();
                }
            }
            Lsn end = p.fence();
            p.awaitCovered(end, Duration.ofSeconds(90));
            capture.destroy(); // SIGTERM: the graceful way
            assertThat(capture.waitFor()).isIn(0, 143);
            assertThat(Files.exists(p.backupDir.resolve("spool/pg_recvlogical.pid"))).isFalse();

            Manifest m = p.manifest();
            assertNoTransactionTwice(p, m);
            p.restore(db + "_restored");
            assertThat(p.verify(db + "_restored").differences()).isEmpty();
            try (Connection r = Pg.connect(cluster.connection(db + "_restored"), "t")) {
                assertThat(Long.parseLong(Pg.string(r, "SELECT count(*)::text FROM events"))).isEqualTo(committed.get());
            }
            String log = Files.readString(tmp.resolve("capture.log"));
            assertThat(log).contains("of an earlier run is still running; stopping it"); // the orphan was found
        } finally {
            if (capture != null && capture.isAlive()) {
                capture.destroyForcibly();
            }
            if (Files.exists(tmp.resolve("capture.log"))) {
                Files.copy(tmp.resolve("capture.log"), Path.of("target", "CrashSafetyIT-" + decoder + "-capture.log"),
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    private static void workload(Pipeline p, int worker, AtomicBoolean stop, AtomicLong committed) {
        try (Connection c = p.connect()) {
            c.setAutoCommit(false);
            int n = 0;
            while (!stop.get()) {
                n++;
                int rows = 1 + n % 4;
                Pg.execute(c, "INSERT INTO events (worker, n, payload) SELECT " + worker + ", " + n + ", repeat('x', g * 10) "
                        + "FROM generate_series(1, " + rows + ") g");
                Pg.execute(c, "UPDATE counters SET n = n + 1 WHERE worker = " + worker);
                if (n % 10 == 0) {
                    Pg.execute(c, "DELETE FROM events WHERE worker = " + worker + " AND n = " + (n - 5));
                    c.commit();
                    committed.addAndGet(rows - (1 + (n - 5) % 4));
                } else {
                    c.commit();
                    committed.addAndGet(rows);
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void sigtermClosesTheOpenSegmentCleanlyAndARestartLosesNothing(PgServer cluster) throws Exception {
        // segments close only at shutdown here: nothing but SIGTERM closes the open one
        try (Pipeline p = Pipeline.create(cluster, "sigterm", tmp.resolve("sigterm-backup"),
                java.util.Map.of("pgscribe.segment.max-age", "3600"))) {
            try (Connection c = p.connect()) {
                Pg.execute(c, "CREATE TABLE events (id bigserial PRIMARY KEY, worker int, n int, payload text);"
                        + "CREATE SEQUENCE invoice_no");
            }
            p.init(ReplicaIdentityAudit.Mode.REFUSE);
            // the packaged runtime as the image runs it: with its management server (health, metrics)
            ManagementEndpoint management = ManagementEndpoint.onFreePort();
            Path config = writeConfig(p);
            StringBuilder extra = new StringBuilder("pgscribe.monitor.interval-ms=500\n");
            management.settings().forEach((k, v) -> extra.append(k).append('=').append(v).append('\n'));
            Files.writeString(config, extra, StandardOpenOption.APPEND);
            startCapture(config, p);
            try {
            // the first samples may still be NaN (the monitor had not run): wait for a sample that sees the capture
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                    .until(() -> management.get("/observe/metrics")
                            .contains("pgscribe_capture_up{database=\"sigterm\",slot_name=\"pgscribe_sigterm\"} 1.0"));
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                    .until(() -> management.get("/observe/health").contains("\"UP\""));
            try (Connection c = p.connect()) {
                for (int i = 1; i <= 60; i++) {
                    Pg.execute(c, "INSERT INTO events (worker, n, payload) VALUES (1, " + i + ", 'before sigterm " + i + "')");
                }
            }
            Path segments = p.backupDir.resolve("segments");
            // durable in the spool (the open segment is buffered): SIGTERM now must still close it with all 60
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                    .until(() -> spoolHas(p.backupDir.resolve("spool"), "before sigterm 60"));
            assertThat(p.manifest().segments()).isEmpty();
            try (Connection c = p.connect()) {
                // no column owns it, and the sample interval (60 s) is far: only a sample at the stop carries this
                Pg.execute(c, "SELECT setval('invoice_no', 4242)");
            }

            capture.destroy(); // SIGTERM, as docker stop and systemd send it
            assertThat(capture.waitFor()).isIn(0, 143);
            try (var files = Files.list(segments)) {
                assertThat(files.map(f -> f.getFileName().toString())).as("no unfinished segment left")
                        .noneMatch(n -> n.endsWith(".partial"));
            }
            Manifest closed = p.manifest();
            assertThat(closed.segments()).hasSize(1);
            assertThat(closed.segments().get(0).transactions()).isGreaterThanOrEqualTo(60);
            try (SegmentReader r = new SegmentReader(p.backupDir.resolve(closed.segments().get(0).file()), StandardCharsets.UTF_8)) {
                while (r.next() != null) {
                    // reads to its footer, or throws: a segment cut short is damage
                }
                assertThat(r.transactions()).isEqualTo(closed.segments().get(0).transactions());
            }
            String log = Files.readString(tmp.resolve("capture.log"));
            assertThat(log).contains("Stopped pg_recvlogical for slot pgscribe_sigterm").contains("Closed segment");
            assertThat(log.indexOf("Stopped pg_recvlogical for slot pgscribe_sigterm"))
                    .as("pg_recvlogical stops (after its last fsync) before the segment closes")
                    .isLessThan(log.lastIndexOf("Closed segment"));

            // a restart resumes after the closed segment: nothing lost, nothing twice
            startCapture(config, p);
            try (Connection c = p.connect()) {
                for (int i = 1; i <= 10; i++) {
                    Pg.execute(c, "INSERT INTO events (worker, n, payload) VALUES (2, " + i + ", 'after restart " + i + "')");
                }
            }
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                    .until(() -> spoolHas(p.backupDir.resolve("spool"), "after restart 10"));
            capture.destroy();
            assertThat(capture.waitFor()).isIn(0, 143);
            assertThat(p.manifest().segments()).hasSize(2);
            // the ten inserts, each once, in the new segment (beside it may be a sequence sample taken at start)
            assertThat(transactionsWith(p, p.manifest().segments().get(1), "after restart")).isEqualTo(10);
            assertNoTransactionTwice(p, p.manifest());
            p.restore("sigterm_restored");
            assertThat(p.verify("sigterm_restored").differences()).isEmpty();
            try (Connection c = Pg.connect(p.cluster.connection("sigterm_restored"), "t")) {
                assertThat(Pg.string(c, "SELECT last_value::text FROM invoice_no")).isEqualTo("4242");
            }
            } finally {
                // before the pipeline is closed: a running capture would keep the slot from being dropped
                if (capture != null && capture.isAlive()) {
                    capture.destroyForcibly();
                    capture.waitFor();
                }
                if (Files.exists(tmp.resolve("capture.log"))) {
                    Files.copy(tmp.resolve("capture.log"), Path.of("target", "CrashSafetyIT-sigterm-capture.log"),
                            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    private static long transactionsWith(Pipeline p, SegmentEntry segment, String text) {
        long n = 0;
        boolean seen = false;
        try (SegmentReader r = new SegmentReader(p.backupDir.resolve(segment.file()), StandardCharsets.UTF_8)) {
            SegmentReader.Part part;
            while ((part = r.next()) != null) {
                if (part instanceof SegmentReader.Begin) {
                    seen = false;
                } else if (part instanceof SegmentReader.Body b && b.sql().contains(text)) {
                    seen = true;
                } else if (part instanceof SegmentReader.Commit && seen) {
                    n++;
                }
            }
        }
        return n;
    }

    private static boolean spoolHas(Path spool, String text) throws IOException {
        if (!Files.isDirectory(spool)) {
            return false;
        }
        try (var files = Files.list(spool)) {
            // any decoder's spool files; pgoutput's are binary, the text searched for is ASCII
            for (Path f : files.filter(x -> io.pgscribe.spool.SpoolFile.parse(x.getFileName().toString()) != null).toList()) {
                if (new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1).contains(text)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Waits until the capture has put what was committed so far into closed segments. */
    private static void awaitProgress(Pipeline p, AtomicLong committed) throws SQLException {
        long before = committed.get();
        await().atMost(Duration.ofSeconds(30)).until(() -> committed.get() > before + 20);
        p.awaitCovered(p.fence(), Duration.ofSeconds(90));
    }

    private void startCapture(Path config, Pipeline p) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", Path.of("target/pgscribe.jar").toAbsolutePath().toString(), "--config", config.toString(), "run");
        pb.environment().put("PGSCRIBE_SOURCE_PASSWORD", p.source().password());
        pb.redirectErrorStream(true);
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(tmp.resolve("capture.log").toFile()));
        capture = pb.start();
        captureRuns++;
        System.out.println("capture JVM run " + captureRuns + " (pid " + capture.pid() + ")");
    }

    /** The pg_recvlogical the current capture JVM runs (not the orphan of a killed one it may still be stopping). */
    private static long recvlogicalPid(Pipeline p, long capturePid) {
        Path pidFile = p.backupDir.resolve("spool/pg_recvlogical.pid");
        long[] pid = {-1};
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            try {
                pid[0] = Long.parseLong(Files.readString(pidFile).strip());
            } catch (IOException | NumberFormatException e) {
                return false;
            }
            return ProcessHandle.of(pid[0]).flatMap(ProcessHandle::parent).map(ProcessHandle::pid)
                    .filter(parent -> parent == capturePid).isPresent();
        });
        return pid[0];
    }

    private Path writeConfig(Pipeline p) throws IOException {
        return p.writeConfig(tmp.resolve("application.properties"));
    }

    private static void assertNoTransactionTwice(Pipeline p, Manifest m) {
        assertThat(p.transactionsEachOnce(m)).isGreaterThan(50);
    }
}
