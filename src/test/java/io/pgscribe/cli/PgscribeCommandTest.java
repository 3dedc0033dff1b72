package io.pgscribe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgscribe.ExitCode;
import io.pgscribe.testing.Pipeline;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PgscribeCommandTest {

    @Test
    void aSecretGivenWithDashSIsRefusedNamingItsEnvironmentVariable() {
        Pipeline.Cli password = Pipeline.command("-s", "pgscribe.source.password=hunter2", "config");
        assertThat(password.code()).isEqualTo(ExitCode.USAGE);
        assertThat(password.err()).contains("pgscribe.source.password is given with -s")
                .contains("PGSCRIBE_SOURCE_PASSWORD").contains("pgscribe.source.passfile");
        assertThat(password.out() + password.err()).doesNotContain("hunter2");
        Pipeline.Cli perDatabase = Pipeline.command("-s", "pgscribe.database.orders.s3.secret-key=k", "config");
        assertThat(perDatabase.code()).isEqualTo(ExitCode.USAGE);
        assertThat(perDatabase.err()).contains("PGSCRIBE_DATABASE_ORDERS_S3_SECRET_KEY");
        Pipeline.Cli passphrase = Pipeline.command("-s", "pgscribe.encryption.passphrase=open sesame", "config");
        assertThat(passphrase.code()).isEqualTo(ExitCode.USAGE);
        assertThat(passphrase.err()).contains("PGSCRIBE_ENCRYPTION_PASSPHRASE");
        assertThat(passphrase.out() + passphrase.err()).doesNotContain("open sesame");
        assertThat(Pipeline.command(Map.of("PGSCRIBE_ENCRYPTION_SECRET_KEY_PASSPHRASE", "key-pass-9"), "config").out())
                .contains("pgscribe.encryption.secret-key-passphrase=(set, not shown)").doesNotContain("key-pass-9");
        assertThat(Pipeline.command("-s", "pgscribe.source.host=db.internal", "config").code()).isZero();
        System.setProperty("pgscribe.s3.secret-key", "in-ps-too");
        try {
            Pipeline.Cli property = Pipeline.command("config");
            assertThat(property.code()).isEqualTo(ExitCode.USAGE);
            assertThat(property.err()).contains("pgscribe.s3.secret-key is given with -D").contains("PGSCRIBE_S3_SECRET_KEY");
        } finally {
            System.clearProperty("pgscribe.s3.secret-key");
        }
    }

    @Test
    void configShowsNoSecretOfTheEnvironmentAndWebhooksOnlyToTheirHost() {
        Pipeline.Cli shown = Pipeline.command(Map.of("PGSCRIBE_SOURCE_PASSWORD", "hunter2", "PGSCRIBE_ALERT_WEBHOOKS",
                "slack=https://hooks.slack.com/services/T0/B0/SECRETPATH"), "config");
        assertThat(shown.code()).as(shown.err()).isZero();
        assertThat(shown.out()).contains("pgscribe.source.password=(set, not shown)")
                .contains("pgscribe.alert.webhooks=slack=https://hooks.slack.com/(not shown)")
                .doesNotContain("hunter2").doesNotContain("SECRETPATH");
        Pipeline.Cli endpoint = Pipeline.command(Map.of("PGSCRIBE_S3_ENDPOINT", "https://AKIA:s3cr3t@minio.internal:9000"),
                "config");
        assertThat(endpoint.out()).contains("pgscribe.s3.endpoint=https://(not shown)@minio.internal:9000")
                .doesNotContain("s3cr3t");
    }
}
