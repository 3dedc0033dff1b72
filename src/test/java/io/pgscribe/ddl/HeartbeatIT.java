package io.pgscribe.ddl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgscribe.manifest.Manifest;
import io.pgscribe.pg.Lsn;
import io.pgscribe.pg.Pg;
import io.pgscribe.pg.PgServer;
import io.pgscribe.pg.ReplicaIdentityAudit;
import io.pgscribe.testing.PgClusterExtension;
import io.pgscribe.testing.Pipeline;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** An idle database's slot does not hold the WAL its busy neighbour writes. */
@ExtendWith(PgClusterExtension.class)
class HeartbeatIT {

    @TempDir
    Path tmp;

    static final long MB = 1024L * 1024;

    // pgoutput only: the gigabyte takes half a minute, and wal2json's heartbeat is the same logical message
    @ParameterizedTest
    @ValueSource(strings = {"pgoutput"})
    void anIdleDatabaseWhoseNeighbourWritesAGigabyteRetainsLittleWal(String decoder, PgServer cluster) throws Exception {
        String db = "idle_" + decoder;
        try (Connection admin = Pg.connect(cluster.connection("postgres"), "t")) {
            Pg.execute(admin, "CREATE DATABASE busy_" + decoder);
        }
        try (Pipeline p = Pipeline.create(cluster, db, tmp.resolve("backup"), Pipeline.withDecoder(Map.of("pgscribe.heartbeat.interval-ms", "500"), decoder))) {
            try (Connection c = p.connect()) {
                Pg.execute(c, "CREATE TABLE quiet (id int PRIMARY KEY)");
            }
            p.init(ReplicaIdentityAudit.Mode.REFUSE);
            p.start();
            Lsn start;
            try (Connection busy = Pg.connect(cluster.connection("busy_" + decoder), "t")) {
                start = Lsn.valueOf(Pg.string(busy, "SELECT pg_current_wal_lsn()::text"));
                Pg.execute(busy, "CREATE TABLE filler (id bigserial, pad text)");
                Lsn now = start;
                while (now.minus(start) < 1024 * MB) {
                    Pg.execute(busy, "INSERT INTO filler (pad) SELECT repeat(md5(g::text), 30) FROM generate_series(1, 100000) g");
                    now = Lsn.valueOf(Pg.string(busy, "SELECT pg_current_wal_lsn()::text"));
                }
            }
            // retained: what the server keeps for the slot; it drops once the slot has moved past the neighbour's WAL
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1)).until(() -> retainedBytes(p) < 64 * MB);
            assertThat(retainedBytes(p)).isLessThan(64 * MB);
            // the heartbeats also carry the capture's covered position past the neighbour's writes
            Manifest m = p.manifest();
            assertThat(Lsn.valueOf(m.capture().coveredLsn()).minus(start)).isGreaterThan(1024 * MB);
            assertThat(m.segments()).isEmpty(); // nothing happened in this database
        }
    }

    private static long retainedBytes(Pipeline p) throws Exception {
        try (Connection c = p.connect()) {
            return Long.parseLong(Pg.query(c, "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::bigint::text "
                    + "FROM pg_replication_slots WHERE slot_name = ?", rs -> rs.getString(1),
                    p.settings().get(io.pgscribe.config.Setting.SLOT_NAME)).get(0));
        }
    }
}
