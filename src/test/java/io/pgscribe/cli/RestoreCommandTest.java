package io.pgscribe.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgscribe.ExitCode;
import io.pgscribe.PgscribeException;
import io.pgscribe.pg.ConnectionSpec;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RestoreCommandTest {

    private static final ConnectionSpec SOURCE = new ConnectionSpec("127.0.0.1", 5432, "shop", "app", null, null,
            "prefer", null);

    @Test
    void aSocketDirectoryAsTargetHostIsABadFlagNamingWhatToUse() {
        assertThatThrownBy(() -> RestoreCommand.targetServer(SOURCE, "/var/run/postgresql", null, null, Map.of()))
                .isInstanceOfSatisfying(PgscribeException.class, e -> {
                    assertThat(e.exitCode()).isEqualTo(ExitCode.USAGE);
                    assertThat(e.getMessage()).startsWith("--target-host /var/run/postgresql: that is a Unix-domain socket");
                    assertThat(e.hint()).contains("--target-host localhost");
                });
    }

    @Test
    void theTargetServerIsTheSourceWithWhatTheFlagsChange() {
        assertThat(RestoreCommand.targetServer(SOURCE, null, null, null, Map.of())).isSameAs(SOURCE);
        ConnectionSpec t = RestoreCommand.targetServer(SOURCE, "replica", 5433, null, Map.of("PGSCRIBE_TARGET_PASSWORD", "pw"));
        assertThat(t.host()).isEqualTo("replica");
        assertThat(t.port()).isEqualTo(5433);
        assertThat(t.user()).isEqualTo("app");
        assertThat(t.password()).isEqualTo("pw");
    }
}
