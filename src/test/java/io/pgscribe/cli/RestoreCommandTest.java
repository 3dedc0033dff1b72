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
    @Test
    void theTargetsTlsIsTheSourcesUnlessItsFlagsSayOtherwise() {
        ConnectionSpec tls = new ConnectionSpec("db.example", 5432, "shop", "app", null, null, "verify-full", "/etc/ca.pem",
                "/etc/client.crt", "/etc/client.key");
        ConnectionSpec same = RestoreCommand.targetServer(tls, "restore-host", null, null, Map.of());
        assertThat(same.sslmode()).isEqualTo("verify-full");
        assertThat(same.sslrootcert()).isEqualTo("/etc/ca.pem");
        assertThat(same.sslcert()).isEqualTo("/etc/client.crt");
        ConnectionSpec other = RestoreCommand.targetServer(tls, "restore-host", null, null, Map.of(),
                new RestoreCommand.TargetTls("require", "/etc/other-ca.pem", "", ""));
        assertThat(other.sslmode()).isEqualTo("require");
        assertThat(other.sslrootcert()).isEqualTo("/etc/other-ca.pem");
        assertThat(other.sslcert()).isNull();
        assertThat(other.sslkey()).isNull();
        assertThat(other.host()).isEqualTo("restore-host");
        // TLS flags alone make a target too: the same server, reached another way
        assertThat(RestoreCommand.targetServer(tls, null, null, null, Map.of(),
                new RestoreCommand.TargetTls("verify-ca", null, null, null)).sslmode()).isEqualTo("verify-ca");
    }

    @Test
    void aBadTargetSslmodeOrHalfAClientPairIsABadFlag() {
        assertThatThrownBy(() -> RestoreCommand.targetServer(SOURCE, null, null, null, Map.of(),
                new RestoreCommand.TargetTls("verify_full", null, null, null)))
                .isInstanceOfSatisfying(PgscribeException.class, e -> {
                    assertThat(e.exitCode()).isEqualTo(ExitCode.USAGE);
                    assertThat(e.getMessage()).contains("--target-sslmode verify_full");
                });
        assertThatThrownBy(() -> RestoreCommand.targetServer(SOURCE, null, null, null, Map.of(),
                new RestoreCommand.TargetTls(null, null, "/etc/c.crt", null)))
                .hasMessageContaining("go together");
    }
}
