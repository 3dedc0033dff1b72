package io.pgscribe.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgscribe.pg.Pg;
import io.pgscribe.pg.PgServer;
import io.pgscribe.pg.ReplicaIdentityAudit;
import io.pgscribe.testing.PgClusterExtension;
import io.pgscribe.testing.Pipeline;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The DDL log on the source keeps no row a closed segment holds: DDL text may hold a password
 * (a user mapping's, a subscription's connection string), and the log would only grow.
 */
@ExtendWith(PgClusterExtension.class)
class SourceLogPruningIT {

    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"wal2json", "pgoutput"})
    void rowsOfClosedSegmentsAreDeletedFromTheSourceAndTheRestoreIsStillEqual(String decoder, PgServer cluster) throws Exception {
        String db = "prunelog_" + decoder;
        try (Pipeline p = Pipeline.create(cluster, db, tmp.resolve("backup"), Pipeline.withDecoder(Map.of("pgscribe.sequences.sample-interval-ms", "300"), decoder))) {
            p.init(ReplicaIdentityAudit.Mode.REFUSE);
            p.start();
            try (Connection c = p.connect()) {
                Pg.execute(c, "CREATE TABLE vault (id serial PRIMARY KEY, note text)");
                Pg.execute(c, "COMMENT ON TABLE vault IS 'password=hunter2-canary'");
                Pg.execute(c, "INSERT INTO vault (note) SELECT 'n' || g FROM generate_series(1, 20) g");
            }
            p.fenceAndWait();
            try (Connection c = p.connect()) {
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> Pg.string(c,
                        "SELECT count(*)::text FROM pgscribe.ddl_log WHERE query LIKE '%hunter2-canary%'").equals("0"));
                // the samples that closed segments hold go too (the newest may sit in the open one)
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> Integer.parseInt(
                        Pg.string(c, "SELECT count(*)::text FROM pgscribe.sequence_log")) <= 1);
            }
            p.stop();
            StringBuilder segments = new StringBuilder();
            for (var s : p.manifest().segments()) {
                segments.append(Files.readString(p.backupDir.resolve(s.file()), StandardCharsets.UTF_8));
            }
            assertThat(segments).as("the stream carried it").contains("hunter2-canary");
            assertThat(segments).doesNotContain("DELETE FROM pgscribe").doesNotContain("DELETE FROM \"pgscribe\"");
            p.restore(db + "_restored");
            assertThat(p.verify(db + "_restored").differences()).isEmpty();
        }
    }
    @org.junit.jupiter.api.Test
    void rowsLeftByAnEarlierRunGoOnceTheClosedSegmentsCoverWhereTheNextRunFoundThem(PgServer cluster) throws Exception {
        String db = "prunelog_restart";
        Path backup = tmp.resolve("backup-restart");
        // a run that leaves its rows (pruning off, as a run stopped before its tick would)
        Pipeline first = Pipeline.create(cluster, db, backup, Map.of("pgscribe.capture.prune-source-logs", "false"));
        first.init(ReplicaIdentityAudit.Mode.REFUSE);
        first.start();
        try (Connection c = first.connect()) {
            Pg.execute(c, "CREATE TABLE vault (id serial PRIMARY KEY, note text)");
            Pg.execute(c, "COMMENT ON TABLE vault IS 'password=hunter3-canary'");
        }
        first.fenceAndWait();
        first.stop();
        String canary = "SELECT count(*)::text FROM pgscribe.ddl_log WHERE query LIKE '%hunter3-canary%'";
        try (Connection c = first.connect()) {
            assertThat(Pg.string(c, canary)).isEqualTo("1");
        }
        try (Pipeline p = new Pipeline(cluster, db, backup, Map.of())) {
            p.start();
            try (Connection c = p.connect()) {
                Pg.execute(c, "INSERT INTO vault (note) VALUES ('after the restart')");
            }
            p.fenceAndWait(); // a segment closed past where the runtime looked at start
            try (Connection c = p.connect()) {
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                        .until(() -> Pg.string(c, canary).equals("0"));
            }
            p.stop();
            p.restore(db + "_restored");
            assertThat(p.verify(db + "_restored").differences()).isEmpty();
        }
    }
}
