package io.pgscribe.capture;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgscribe.pg.Lsn;
import io.pgscribe.pg.Pg;
import io.pgscribe.pg.PgServer;
import io.pgscribe.testing.PgClusterExtension;
import java.sql.Connection;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(PgClusterExtension.class)
class CaptureProgressIT {

    /**
     * A workload committed with synchronous_commit=off leaves its last commit record in the WAL
     * buffers; the fence's end must still be past it, or a wait on that end is over too early.
     */
    @Test
    void theFencesEndIsPastEveryCommitBeforeItEvenAsynchronousOnes(PgServer server) throws Exception {
        try (Connection admin = Pg.connect(server.connection("postgres"), "test")) {
            Pg.execute(admin, "DROP DATABASE IF EXISTS fence_async");
            Pg.execute(admin, "CREATE DATABASE fence_async");
        }
        try (Connection c = Pg.connect(server.connection("fence_async"), "test")) {
            Pg.execute(c, "CREATE TABLE t (id int PRIMARY KEY, v text)");
            Pg.string(c, "SELECT lsn::text FROM pg_create_logical_replication_slot('fence_async', 'test_decoding')");
            try {
                Pg.execute(c, "SET synchronous_commit = off");
                for (int i = 0; i < 5; i++) {
                    Pg.execute(c, "INSERT INTO t SELECT g, md5(g::text) FROM generate_series(" + i * 10_000 + ", "
                            + (i * 10_000 + 9_999) + ") g");
                }
                Lsn end = CaptureProgress.fence(c);
                // decoding reads flushed WAL only: one synchronous commit that writes flushes everything before it
                Pg.execute(c, "SET synchronous_commit = on");
                Pg.execute(c, "INSERT INTO t VALUES (-1, 'flush')");
                List<Lsn> commits = Pg.query(c, "SELECT lsn::text FROM pg_logical_slot_peek_changes('fence_async', NULL, NULL) "
                        + "WHERE data LIKE 'COMMIT%'", rs -> Lsn.valueOf(rs.getString(1)));
                // the five inserts, the fence's own transaction, then the flushing one
                assertThat(commits).hasSizeGreaterThanOrEqualTo(6);
                for (Lsn commit : commits.subList(0, 5)) {
                    // test_decoding gives a COMMIT the end of its record
                    assertThat(commit).as("commit of a workload transaction").matches(l -> !l.isAfter(end), "not after " + end);
                }
                assertThat(commits.get(5).isAfter(end)).as("the fence commits after its end").isTrue();
            } finally {
                Pg.string(c, "SELECT pg_drop_replication_slot('fence_async')::text");
            }
        }
    }
}
