package io.pgscribe.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgscribe.monitor.Finding;
import io.pgscribe.monitor.HealthRules;
import io.pgscribe.monitor.Monitor;
import io.pgscribe.pg.Pg;
import io.pgscribe.pg.PgServer;
import io.pgscribe.pg.PgTools;
import io.pgscribe.pg.ReplicaIdentityAudit;
import io.pgscribe.testing.PgClusterExtension;
import io.pgscribe.testing.Pipeline;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A backup set on a disk that fills up (issue 19): the capture stops with its cause in an alert,
 * loses nothing, and goes on by itself once there is room again. The disk is a real 24 MB tmpfs,
 * so the test needs root (CI runs as root; elsewhere it is skipped).
 */
@ExtendWith(PgClusterExtension.class)
class DiskFullIT {

    @TempDir
    Path tmp;

    private static boolean mount(Path dir, String options) {
        return PgTools.run(List.of("mount", "-t", "tmpfs", "-o", options, "tmpfs", dir.toString()), Map.of(),
                Duration.ofSeconds(30)).ok();
    }

    private static List<Finding> findings(Pipeline p) {
        Monitor m = p.runtime().camelContext().getRegistry().lookupByNameAndType("monitor", Monitor.class);
        Monitor.Snapshot s = m.last();
        return s == null ? List.of() : s.findings();
    }

    /** Fills the disk with a file beside the set, as another program would; returns its size. */
    private static long fill(Path file) throws IOException {
        byte[] block = new byte[64 * 1024];
        long written = 0;
        try (OutputStream out = Files.newOutputStream(file)) {
            while (true) {
                out.write(block);
                written += block.length;
            }
        } catch (IOException e) {
            if (e.getMessage() == null || !e.getMessage().contains("No space left on device")) {
                throw e;
            }
        }
        return written;
    }

    @Test
    void aFullDiskIsAnAlertWithItsCauseAndLosesNothingOnceThereIsRoomAgain(PgServer cluster) throws Exception {
        Path disk = Files.createDirectories(tmp.resolve("disk"));
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")) && mount(disk, "size=24m,mode=0700"),
                "needs root to mount a tmpfs");
        try (Pipeline p = Pipeline.create(cluster, "diskfull19", disk.resolve("backup"),
                Map.of("pgscribe.monitor.interval-ms", "300", "pgscribe.alert.capture-down-grace", "3"))) {
            try (Connection c = p.connect()) {
                Pg.execute(c, "CREATE TABLE t (id int PRIMARY KEY, pad text)");
                Pg.execute(c, "INSERT INTO t SELECT g, repeat('a', 100) FROM generate_series(1, 100) g");
            }
            p.init(ReplicaIdentityAudit.Mode.REFUSE);
            p.start();
            p.fenceAndWait();

            Path filler = disk.resolve("filler");
            long filled = fill(filler);
            assertThat(filled).isPositive();
            // 4 MB of changes while the disk is full: the spool, then the segments, cannot take them
            try (Connection c = p.connect()) {
                for (int i = 0; i < 40; i++) {
                    Pg.execute(c, "INSERT INTO t SELECT g, repeat(md5(g::text), 32) FROM generate_series("
                            + (1000 + i * 100) + ", " + (1099 + i * 100) + ") g");
                }
                Pg.execute(c, "UPDATE t SET pad = 'changed while full' WHERE id <= 50");
            }
            await().atMost(Duration.ofSeconds(90)).until(() -> findings(p).stream()
                    .anyMatch(f -> f.message() != null && f.message().contains("No space left on device")));
            List<Finding> whileFull = findings(p);

            Files.delete(filler);
            try (Connection c = p.connect()) {
                Pg.execute(c, "INSERT INTO t VALUES (999999, 'after the disk had room again')");
            }
            p.awaitCovered(p.fence(), Duration.ofSeconds(120));
            await().atMost(Duration.ofSeconds(30)).until(() -> findings(p).stream()
                    .noneMatch(f -> f.message() != null && f.message().contains("No space left on device")));
            p.stop();

            // the cause is in the alert the on-call person gets, not only in the log
            assertThat(whileFull).as("while full").anySatisfy(f -> {
                assertThat(f.rule()).isEqualTo(HealthRules.CAPTURE_DOWN);
                assertThat(f.message()).contains("it last ended with: pg_recvlogical: error: could not write")
                        .contains("No space left on device");
            });
            assertThat(p.restore("diskfull19_restored").reachedTarget()).isTrue();
            assertThat(p.verify("diskfull19_restored").same()).as(p.printed()).isTrue();
            try (Connection c = Pg.connect(cluster.connection("diskfull19_restored"), "test")) {
                assertThat(Pg.query(c, "SELECT count(*) FROM t", rs -> rs.getLong(1))).containsExactly(4101L);
            }
        } finally {
            PgTools.run(List.of("umount", "-l", disk.toString()), Map.of(), Duration.ofSeconds(30));
        }
    }
}
