package io.pgscribe.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgscribe.ExitCode;
import io.pgscribe.PgscribeException;
import io.pgscribe.pg.Pg;
import io.pgscribe.pg.PgServer;
import io.pgscribe.pg.ReplicaIdentityAudit;
import io.pgscribe.testing.PgClusterExtension;
import io.pgscribe.testing.Pipeline;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@ExtendWith(PgClusterExtension.class)
class TruncateAndIdentityIT {

    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"wal2json", "pgoutput"})
    void truncateOfOneTableOfTwoAndWithCascadeRestoresEqual(String decoder, PgServer cluster) throws Exception {
        String db = "trunc_" + decoder;
        try (Pipeline p = Pipeline.create(cluster, db, tmp.resolve("backup"), Pipeline.withDecoder(java.util.Map.of(), decoder))) {
            try (Connection c = p.connect()) {
                Pg.execute(c, """
                        CREATE TABLE solo (id int PRIMARY KEY, v text);
                        CREATE TABLE a (id int PRIMARY KEY);
                        CREATE TABLE b (id int PRIMARY KEY, a_id int REFERENCES a(id));
                        CREATE TABLE parent (id int PRIMARY KEY);
                        CREATE TABLE child (id int PRIMARY KEY, parent_id int REFERENCES parent(id));
                        CREATE TABLE grandchild (id int PRIMARY KEY, child_id int REFERENCES child(id));
                        """);
            }
            p.init(ReplicaIdentityAudit.Mode.REFUSE);
            p.start();
            try (Connection c = p.connect()) {
                Pg.execute(c, "INSERT INTO solo VALUES (1, 'x'), (2, 'y')");
                Pg.execute(c, "TRUNCATE solo");
                Pg.execute(c, "INSERT INTO solo VALUES (3, 'after')");
                Pg.execute(c, "INSERT INTO a VALUES (1), (2); INSERT INTO b VALUES (1, 1), (2, 2)");
                Pg.execute(c, "TRUNCATE a, b");
                Pg.execute(c, "INSERT INTO a VALUES (5); INSERT INTO b VALUES (5, 5)");
                Pg.execute(c, "INSERT INTO parent VALUES (1), (2); INSERT INTO child VALUES (1, 1), (2, 2); "
                        + "INSERT INTO grandchild VALUES (1, 1)");
                Pg.execute(c, "TRUNCATE parent CASCADE");
                Pg.execute(c, "INSERT INTO parent VALUES (9); INSERT INTO child VALUES (9, 9)");
                // truncate and rows in one transaction
                Pg.execute(c, "BEGIN; INSERT INTO solo VALUES (4, 'gone'); TRUNCATE solo; INSERT INTO solo VALUES (5, 'kept'); COMMIT");
            }
            p.fenceAndWait();
            p.stop();
            String sql = Files.readString(p.backupDir.resolve(p.manifest().segments().get(0).file()));
            assertThat(sql).contains("TRUNCATE ONLY \"public\".\"a\", ONLY \"public\".\"b\";")
                    .contains("TRUNCATE ONLY \"public\".\"parent\", ONLY \"public\".\"child\", ONLY \"public\".\"grandchild\";");
            p.restore(db + "_restored");
            assertThat(p.verify(db + "_restored").differences()).isEmpty();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"wal2json", "pgoutput"})
    void aTableWithoutPrimaryKeyIsRefusedUnlessMadeFull(String decoder, PgServer cluster) throws Exception {
        String db = "nopk_" + decoder;
        try (Pipeline p = Pipeline.create(cluster, db, tmp.resolve("backup"), Pipeline.withDecoder(java.util.Map.of(), decoder))) {
            try (Connection c = p.connect()) {
                Pg.execute(c, "CREATE TABLE logs (at timestamptz, message text); CREATE TABLE keyed (id int PRIMARY KEY);"
                        + "CREATE TABLE nothing (v int) ; ALTER TABLE nothing REPLICA IDENTITY NOTHING;"
                        + "INSERT INTO logs VALUES ('2026-01-01', 'a'), ('2026-01-02', NULL)");
            }
            assertThatThrownBy(() -> p.init(ReplicaIdentityAudit.Mode.REFUSE))
                    .isInstanceOf(PgscribeException.class)
                    .hasMessageContaining("2 table(s) have no usable replica identity")
                    .hasMessageContaining("\"public\".\"logs\" [default (no primary key)]")
                    .hasMessageContaining("\"public\".\"nothing\" [nothing]")
                    .satisfies(e -> {
                        assertThat(((PgscribeException) e).exitCode()).isEqualTo(ExitCode.REFUSED);
                        assertThat(((PgscribeException) e).hint()).contains("--replica-identity=full");
                    });
            try (Connection c = p.connect()) {
                assertThat(Pg.string(c, "SELECT count(*)::text FROM pg_replication_slots")).isEqualTo("0");
            }
            p.init(ReplicaIdentityAudit.Mode.FULL);
            assertThat(p.printed()).contains("Replica identity: set FULL on 2 table(s)");
            try (Connection c = p.connect()) {
                assertThat(Pg.string(c, "SELECT relreplident::text FROM pg_class WHERE relname = 'logs'")).isEqualTo("f");
            }
            p.start();
            try (Connection c = p.connect()) {
                Pg.execute(c, "UPDATE logs SET message = 'b' WHERE message IS NULL");
                Pg.execute(c, "DELETE FROM logs WHERE message = 'a'");
                Pg.execute(c, "INSERT INTO nothing VALUES (1), (1), (2); UPDATE nothing SET v = 3 WHERE v = 2; DELETE FROM nothing WHERE v = 1");
            }
            p.fenceAndWait();
            p.stop();
            p.restore(db + "_restored");
            assertThat(p.verify(db + "_restored").differences()).isEmpty();
            try (Connection r = Pg.connect(cluster.connection(db + "_restored"), "t")) {
                assertThat(Pg.string(r, "SELECT string_agg(message, ',') FROM logs")).isEqualTo("b");
                assertThat(Pg.string(r, "SELECT string_agg(v::text, ',') FROM nothing")).isEqualTo("3");
            }
        }
    }
}
