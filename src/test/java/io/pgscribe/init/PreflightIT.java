package io.pgscribe.init;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgscribe.ExitCode;
import io.pgscribe.PgscribeException;
import io.pgscribe.config.Setting;
import io.pgscribe.pg.LocalCluster;
import io.pgscribe.pg.Pg;
import io.pgscribe.pg.ReplicaIdentityAudit;
import io.pgscribe.testing.Pipeline;
import io.pgscribe.testing.TestServers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** init on a server that is not ready: a clear refusal with a hint, and nothing left behind. */
class PreflightIT {

    static LocalCluster notLogical;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() {
        notLogical = TestServers.localCluster(List.of("wal_level=replica"));
    }

    @AfterAll
    static void stop() {
        notLogical.close();
    }

    private static PgscribeException refusal(Pipeline p) {
        try {
            p.init(ReplicaIdentityAudit.Mode.REFUSE);
        } catch (PgscribeException e) {
            assertThat(e.exitCode()).isEqualTo(ExitCode.REFUSED);
            return e;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("init did not refuse");
    }

    @Test
    void walLevelAPluginThatIsNotThereAndAMissingSuperuserAreEachNamed() throws Exception {
        try (Connection c = Pg.connect(notLogical.connection("postgres"), "t")) {
            Pg.execute(c, "CREATE DATABASE app; CREATE ROLE plain LOGIN PASSWORD 'plainpw'");
        }
        Pipeline wrongDecoder = new Pipeline(notLogical, "app", tmp.resolve("b1"),
                Map.of(Setting.DECODER.key(), "decoder_raw"));
        PgscribeException e = refusal(wrongDecoder);
        assertThat(e.getMessage()).contains("wal_level is replica, logical decoding needs logical")
                .contains("the server has no decoder_raw output plugin");
        assertThat(e.hint()).contains("ALTER SYSTEM SET wal_level = logical").contains("pg_plugins");

        Pipeline notSuper = new Pipeline(notLogical, "app", tmp.resolve("b2"),
                Map.of(Setting.SOURCE_USER.key(), "plain", Setting.SOURCE_PASSWORD.key(), "plainpw"));
        assertThat(refusal(notSuper).getMessage()).contains("role plain is not a superuser");

        try (Connection c = Pg.connect(notLogical.connection("app"), "t")) {
            assertThat(Pg.string(c, "SELECT count(*)::text FROM pg_namespace WHERE nspname = 'pgscribe'")).isEqualTo("0");
            assertThat(Pg.string(c, "SELECT count(*)::text FROM pg_replication_slots")).isEqualTo("0");
        }
        assertThat(Files.exists(tmp.resolve("b1"))).isFalse();
    }

    @Test
    void aWrongPasswordSaysWhereToFixIt() {
        Pipeline wrong = new Pipeline(notLogical, "postgres", tmp.resolve("b3"),
                Map.of(Setting.SOURCE_PASSWORD.key(), "not-the-password"));
        assertThatThrownBy(() -> wrong.init(ReplicaIdentityAudit.Mode.REFUSE)).isInstanceOf(PgscribeException.class)
                .hasMessageContaining("cannot connect to postgres@127.0.0.1:")
                .hasMessageNotContaining("not-the-password")
                .satisfies(x -> assertThat(((PgscribeException) x).hint()).contains("PGSCRIBE_SOURCE_PASSWORD"));
    }
}
