package io.pgscribe.base;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgscribe.pg.Pg;
import io.pgscribe.pg.PgServer;
import io.pgscribe.pg.ReplicaIdentityAudit;
import io.pgscribe.pg.ToolPassfile;
import io.pgscribe.testing.PgClusterExtension;
import io.pgscribe.testing.Pipeline;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A runtime killed (kill -9) while a scheduled pg_dump runs leaves that pg_dump and its
 * passfile behind; the next start stops the one and removes the other.
 */
@ExtendWith(PgClusterExtension.class)
class OrphanedDumpIT {

    @TempDir
    Path tmp;

    @Test
    void theNextStartStopsTheDumpAKilledRuntimeLeftAndRemovesItsPassfile(PgServer cluster) throws Exception {
        try (Pipeline p = Pipeline.create(cluster, "orphandump", tmp.resolve("backup"),
                Map.of("pgscribe.base.cron", "0/2 * * * * ?", "pgscribe.base.checksums", "false"))) {
            try (Connection c = p.connect()) {
                Pg.execute(c, "CREATE TABLE t (id int PRIMARY KEY)");
            }
            p.init(ReplicaIdentityAudit.Mode.REFUSE);
            Path config = p.writeConfig(tmp.resolve("application.properties"));
            Path credentials = p.backupDir.resolve(ToolPassfile.DIRECTORY);
            Process first = runtime(config, p, "first.log");
            try (Connection lock = p.connect()) {
                List<Long> orphans;
                try {
                    orphans = blockADump(p, lock);
                    try (var files = Files.list(credentials)) {
                        assertThat(files.toList()).as("the blocked dump's passfile").hasSize(1);
                    }
                } finally {
                    first.destroyForcibly(); // kill -9: nothing of the runtime cleans up
                    first.waitFor();
                }
                assertThat(orphans).isNotEmpty()
                        .allMatch(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));

                Process second = runtime(config, p, "second.log");
                try {
                    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() ->
                            orphans.stream().noneMatch(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)));
                    await().atMost(Duration.ofSeconds(30)).until(() -> Files.readString(tmp.resolve("second.log"))
                            .contains("the password file of a dump a crash ended"));
                    assertThat(Files.readString(tmp.resolve("second.log"))).contains("left running by a runtime that was killed");
                    // and it took over the slot from the killed runtime's pg_recvlogical, so that its stop frees it
                    await().atMost(Duration.ofSeconds(60)).until(() -> Files.readString(tmp.resolve("second.log"))
                            .contains("Started pg_recvlogical"));
                } finally {
                    second.destroy();
                    second.waitFor();
                }
                lock.rollback();
            }
            try (var left = Files.list(credentials)) {
                assertThat(left.toList()).as("no passfile left").isEmpty();
            }
            // the walsender of the stopped pg_recvlogical lets go of the slot a moment after it exits
            try (Connection c = p.connect()) {
                await().atMost(Duration.ofSeconds(30)).until(() -> Pg.query(c,
                        "SELECT 1 FROM pg_replication_slots WHERE slot_name = 'pgscribe_orphandump' AND active", rs -> 1).isEmpty());
            }
        }
    }

    /**
     * Holds an exclusive lock on t while a scheduled pg_dump (which locks every table first) waits
     * for it. The lock is taken once the base's temporary slot exists (taken earlier, it would keep
     * that slot from its consistent point): a pg_dump that locked t first finishes, and the next
     * scheduled one is tried.
     */
    private static List<Long> blockADump(Pipeline p, Connection lock) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        lock.setAutoCommit(false);
        while (System.nanoTime() < deadline) {
            try (Connection c = p.connect()) {
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).until(() -> !Pg.query(c,
                        "SELECT 1 FROM pg_replication_slots WHERE temporary AND slot_name LIKE 'pgscribe_orphandump_base_%'",
                        rs -> 1).isEmpty());
                try {
                    Pg.execute(lock, "SET LOCAL lock_timeout = '2s'");
                    Pg.execute(lock, "LOCK TABLE t IN ACCESS EXCLUSIVE MODE");
                } catch (java.sql.SQLException e) {
                    lock.rollback(); // that pg_dump had t already
                    continue;
                }
                try {
                    await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100)).until(() -> !Pg.query(c,
                            "SELECT 1 FROM pg_stat_activity WHERE application_name = 'pgscribe-base' AND wait_event_type = 'Lock'",
                            rs -> 1).isEmpty());
                    return OrphanedDumps.find(p.backupDir);
                } catch (org.awaitility.core.ConditionTimeoutException e) {
                    lock.rollback();
                }
            }
        }
        throw new AssertionError("no scheduled pg_dump could be made to wait within 90 s");
    }

    private Process runtime(Path config, Pipeline p, String log) throws java.io.IOException {
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", Path.of("target/pgscribe.jar").toAbsolutePath().toString(), "--config", config.toString(), "run");
        pb.environment().put("PGSCRIBE_SOURCE_PASSWORD", p.source().password());
        pb.redirectErrorStream(true);
        pb.redirectOutput(tmp.resolve(log).toFile());
        return pb.start();
    }
}
