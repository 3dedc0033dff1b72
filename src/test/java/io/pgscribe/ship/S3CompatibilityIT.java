package io.pgscribe.ship;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgscribe.manifest.Manifest;
import io.pgscribe.pg.Pg;
import io.pgscribe.pg.PgServer;
import io.pgscribe.pg.ReplicaIdentityAudit;
import io.pgscribe.testing.PgClusterExtension;
import io.pgscribe.testing.Pipeline;
import io.pgscribe.testing.S3rverProcess;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Against s3rver, a second S3-compatible server, which checks the access key (s3rver 3.7 does not
 * verify SigV4 signatures, so the wrong credentials here are an unknown access key): shipping and
 * restoring work there too, and wrong credentials give one clear line naming the bucket and the
 * endpoint, with no stack trace and no secret.
 */
@ExtendWith(PgClusterExtension.class)
class S3CompatibilityIT {

    @TempDir
    Path tmp;

    private static Map<String, String> settings(S3rverProcess s3, String accessKey, String secret) {
        Map<String, String> m = new HashMap<>();
        m.put("pgscribe.ship.enabled", "true");
        m.put("pgscribe.s3.bucket", "backups");
        m.put("pgscribe.s3.endpoint", s3.endpoint());
        m.put("pgscribe.s3.path-style", "true");
        m.put("pgscribe.s3.access-key", accessKey);
        m.put("pgscribe.s3.secret-key", secret);
        m.put("pgscribe.compression", "zstd");
        m.put("pgscribe.compression.interval-ms", "200");
        m.put("pgscribe.ship.interval-ms", "300");
        m.put("pgscribe.ship.retry-max-delay", "1");
        return m;
    }

    @Test
    void shipsAndRestoresAndRefusesWrongCredentialsClearly(PgServer cluster) throws Exception {
        String wrong = "not-the-secret-" + System.nanoTime();
        try (S3rverProcess s3 = S3rverProcess.start(tmp.resolve("s3rver"), "backups");
             Pipeline p = Pipeline.create(cluster, "compat", tmp.resolve("backup"), settings(s3, S3rverProcess.ACCESS_KEY, S3rverProcess.SECRET_KEY))) {
            try (Connection c = p.connect()) {
                Pg.execute(c, "CREATE TABLE t (id bigserial PRIMARY KEY, v text)");
                Pg.execute(c, "INSERT INTO t (v) SELECT repeat('v', g % 100) FROM generate_series(1, 2000) g");
            }
            p.init(ReplicaIdentityAudit.Mode.REFUSE);
            p.start();
            try (Connection c = p.connect()) {
                for (int i = 0; i < 10; i++) {
                    Pg.execute(c, "UPDATE t SET v = v || 'x' WHERE id % 10 = " + i);
                }
            }
            p.fenceAndWait();
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
                Manifest m = p.manifest();
                return m.segments().stream().allMatch(s -> m.shippingState().isShipped(s.file()) && s.compression() != null)
                        && m.bases().stream().allMatch(b -> m.shippingState().isShipped(b.file()))
                        && p.runtimeLog().contains("Shipped manifest.json");
            });
            p.stop();
            Pipeline.Cli restore = p.cli("restore", "--to-db", "compat_restored", "--from-s3",
                    "--staging-dir", tmp.resolve("staging").toString());
            assertThat(restore.code()).as(restore.out() + restore.err()).isZero();
            assertThat(p.verify("compat_restored").same()).isTrue();

            // the same from the command line with credentials the store does not know
            Map<String, String> bad = settings(s3, "AKIAWRONGKEY", wrong);
            try (Pipeline wrongKey = new Pipeline(cluster, "compat", p.backupDir, bad)) {
                Pipeline.Cli refused = wrongKey.cli("restore", "--to-db", "compat_never", "--from-s3",
                        "--staging-dir", tmp.resolve("staging").toString());
                assertThat(refused.code()).isEqualTo(1);
                assertThat(refused.err()).contains("refused pgscribe's credentials for bucket backups (prefix compat/) at "
                        + s3.endpoint()).contains("HINT: Check pgscribe.s3.access-key");
                assertThat(refused.err()).doesNotContain(wrong).doesNotContain("\tat ").doesNotContain("Exception");
                assertThat(refused.err().strip().split("\n")).hasSize(2);

                // and in the running pipeline: a one-line warning, no stack trace, no secret
                wrongKey.start();
                try (Connection c = wrongKey.connect()) {
                    Pg.execute(c, "INSERT INTO t (v) VALUES ('after')");
                }
                await().atMost(Duration.ofSeconds(30)).until(() -> wrongKey.runtimeLog()
                        .contains("refused pgscribe's credentials for bucket backups (prefix compat/) at " + s3.endpoint()));
                assertThat(wrongKey.runtimeLog()).doesNotContain(wrong);
            }
        }
    }
}
