package io.pgscribe.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgscribe.ExitCode;
import io.pgscribe.PgscribeException;
import io.pgscribe.pg.Pg;
import io.pgscribe.pg.PgServer;
import io.pgscribe.pg.PgTools;
import io.pgscribe.pg.ReplicaIdentityAudit;
import io.pgscribe.testing.BackupSets;
import io.pgscribe.testing.PgClusterExtension;
import io.pgscribe.testing.Pipeline;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Segments in the form pgscribe 0.1 wrote them: DDL under a raw {@code SET search_path} line,
 * its role only in the trace, comparisons with a bare {@code =}. Their DDL is refused unless
 * the operator says every role of the source is trusted; then they restore as before.
 */
@ExtendWith(PgClusterExtension.class)
class LegacySegmentsIT {

    @TempDir
    Path tmp;

    @Test
    void legacyDdlIsRefusedUnlessAllowedAndThenRestoresEqual(PgServer cluster) throws Exception {
        try (Pipeline p = Pipeline.create(cluster, "legacy", tmp.resolve("backup"))) {
            try (Connection c = p.connect()) {
                Pg.execute(c, "CREATE TABLE t (id int PRIMARY KEY, v text)");
            }
            p.init(ReplicaIdentityAudit.Mode.REFUSE);
            p.start();
            try (Connection c = p.connect()) {
                Pg.execute(c, "INSERT INTO t VALUES (1, 'a'), (2, 'b')");
                Pg.execute(c, "ALTER TABLE t ADD COLUMN w int DEFAULT 3");
                Pg.execute(c, "UPDATE t SET v = 'c' WHERE id = 2; DELETE FROM t WHERE id = 1");
            }
            p.fenceAndWait();
            p.stop();
            // back to the 0.1 form: SET search_path = <raw>; then the statement, no role lines
            Pattern block = Pattern.compile("SET LOCAL ROLE \"[^\"]*\";\nSET LOCAL search_path = ([^\n]*);\n(.*?)\n"
                    + "RESET ROLE;\nSET LOCAL search_path TO DEFAULT;\n", Pattern.DOTALL);
            BackupSets.rewriteSegments(p.backupDir, sql -> block.matcher(sql).replaceAll("SET search_path = $1;\n$2\n")
                    .replace(" OPERATOR(pg_catalog.=) ", " = "));

            assertThatThrownBy(() -> p.restore("legacy_refused")).isInstanceOf(PgscribeException.class)
                    .hasMessageContaining("was written by a pgscribe older than 0.2")
                    .hasMessageContaining("DDL ALTER TABLE")
                    .satisfies(e -> assertThat(((PgscribeException) e).exitCode()).isEqualTo(ExitCode.REFUSED))
                    .satisfies(e -> assertThat(((PgscribeException) e).hint()).contains("--allow-legacy-ddl"));
            try (Connection c = Pg.connect(cluster.connection("postgres"), "t")) {
                assertThat(Pg.string(c, "SELECT count(*)::text FROM pg_database WHERE datname = 'legacy_refused'")).isEqualTo("0");
            }

            Restorer.Summary s = new Restorer(PgTools.locate(""), p.out, io.pgscribe.testing.TestKeys.reader()).run(new Restorer.Options(p.backupDir, p.source(),
                    cluster.connection("postgres"), "legacy_allowed").withAllowLegacyDdl(true));
            assertThat(s.ddlNotReplayed()).isZero();
            assertThat(p.verify("legacy_allowed").differences()).isEmpty();
        }
    }
}
