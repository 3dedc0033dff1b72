package io.pgscribe.init;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgscribe.ExitCode;
import io.pgscribe.PgscribeException;
import io.pgscribe.pg.LocalCluster;
import io.pgscribe.pg.OutputPluginAllowlist;
import io.pgscribe.pg.Pg;
import io.pgscribe.pg.ReplicaIdentityAudit;
import io.pgscribe.testing.PgClusterExtension;
import io.pgscribe.testing.Pipeline;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * init on a server whose output_plugin_libraries does not list the decoder: refused before
 * anything is created, with the exact statement that fixes it; after an administrator runs
 * that statement, init succeeds.
 */
@ExtendWith(PgClusterExtension.class)
class AllowlistPreflightIT {

    @TempDir
    Path tmp;

    @Test
    void initRefusesANotAllowedDecoderWithTheStatementThatAllowsIt(LocalCluster cluster) throws Exception {
        Assumptions.assumeTrue(OutputPluginAllowlist.knownBy(cluster.binaries()),
                "the server binaries in " + cluster.binaries() + " predate output_plugin_libraries");
        try (Connection admin = Pg.connect(cluster.connection("postgres"), "test-admin");
             // wal2json: a plugin the server's default list leaves out
             Pipeline p = Pipeline.create(cluster, "listed", tmp.resolve("backup"), Map.of("pgscribe.decoder", "wal2json"))) {
            setList(cluster, admin, "ALTER SYSTEM SET output_plugin_libraries = pgoutput, test_decoding", "pgoutput, test_decoding");
            PgscribeException refused = null;
            try {
                p.init(ReplicaIdentityAudit.Mode.REFUSE);
            } catch (PgscribeException e) {
                refused = e;
            }
            assertThat(refused).as("init refuses").isNotNull();
            assertThat(refused.exitCode()).isEqualTo(ExitCode.REFUSED);
            assertThat(refused.getMessage()).contains("output_plugin_libraries (pgoutput, test_decoding) does not list wal2json");
            String fix = "ALTER SYSTEM SET output_plugin_libraries = pgoutput, test_decoding, wal2json; SELECT pg_reload_conf();";
            assertThat(refused.hint()).contains(fix).contains("does not change this security setting");
            try (Connection c = p.connect()) {
                assertThat(Pg.string(c, "SELECT count(*)::text FROM pg_namespace WHERE nspname = 'pgscribe'")).isEqualTo("0");
                assertThat(Pg.string(c, "SELECT count(*)::text FROM pg_event_trigger")).isEqualTo("0");
                assertThat(Pg.string(c, "SELECT count(*)::text FROM pg_replication_slots")).isEqualTo("0");
            }
            assertThat(Files.exists(tmp.resolve("backup"))).isFalse();

            // the administrator runs exactly what the hint says
            Matcher m = Pattern.compile("ALTER SYSTEM SET [^;]*;").matcher(refused.hint());
            assertThat(m.find()).isTrue();
            setList(cluster, admin, m.group(), "pgoutput, test_decoding, wal2json");
            Initializer.Result r = p.init(ReplicaIdentityAudit.Mode.REFUSE);
            assertThat(r.base()).isNotNull();
            assertThat(p.manifest().slot()).isEqualTo("pgscribe_listed");
        } finally {
            try (Connection admin = Pg.connect(cluster.connection("postgres"), "test-admin")) {
                setList(cluster, admin, "ALTER SYSTEM RESET output_plugin_libraries", null);
            }
        }
    }

    /** Runs the statement, reloads, and waits until new sessions see the list ({@code null}: any). */
    private static void setList(LocalCluster cluster, Connection admin, String statement, String expected) throws Exception {
        Pg.execute(admin, statement);
        Pg.execute(admin, "SELECT pg_reload_conf()");
        if (expected != null) {
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                try (Connection c = Pg.connect(cluster.connection("postgres"), "test-admin")) {
                    return expected.equals(Pg.string(c, "SHOW output_plugin_libraries"));
                }
            });
        }
    }
}
