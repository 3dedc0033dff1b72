package io.pgscribe.docker;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgscribe.pg.LocalCluster;
import io.pgscribe.pg.OutputPluginAllowlist;
import io.pgscribe.pg.Pg;
import io.pgscribe.pg.PgTools;
import io.pgscribe.testing.PgClusterExtension;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * docker/postgres/allow-wal2json.sh, which the server image runs when it creates its cluster,
 * run here as the image would run it (psql to the new server, the server binaries on PATH)
 * against a real cluster: afterwards the server allows wal2json where it has the allowlist,
 * and it changes nothing where it has not.
 */
@ExtendWith(PgClusterExtension.class)
class ServerImageScriptIT {

    @Test
    void theScriptListsWal2jsonWhereTheServerHasTheAllowlist(LocalCluster cluster) throws Exception {
        var spec = cluster.connection("postgres");
        PgTools.Result r = PgTools.run(List.of("sh", "docker/postgres/allow-wal2json.sh"), Map.of(
                "PATH", cluster.binaries() + ":" + System.getenv("PATH"), "POSTGRES_USER", spec.user(),
                "PGHOST", spec.host(), "PGPORT", String.valueOf(spec.port()), "PGPASSWORD", spec.password()),
                Duration.ofSeconds(60));
        assertThat(r.ok()).as(r.stderr()).isTrue();
        try (Connection c = Pg.connect(cluster.connection("postgres"), "test")) {
            if (OutputPluginAllowlist.knownBy(cluster.binaries())) {
                Pg.execute(c, "SELECT pg_reload_conf()");
                assertThat(Pg.string(c, "SELECT setting FROM pg_file_settings WHERE name = 'output_plugin_libraries' "
                        + "AND sourcefile LIKE '%postgresql.auto.conf'")).isEqualTo("pgoutput, test_decoding, wal2json");
                Pg.execute(c, "ALTER SYSTEM RESET output_plugin_libraries");
            } else {
                assertThat(Pg.query(c, "SELECT name FROM pg_file_settings WHERE sourcefile LIKE '%postgresql.auto.conf'",
                        rs -> rs.getString(1))).doesNotContain("output_plugin_libraries");
            }
            Pg.execute(c, "SELECT pg_reload_conf()");
        }
    }
}
