package io.pgscribe.capture;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgscribe.ExitCode;
import io.pgscribe.cli.PgscribeCommand;
import io.pgscribe.config.Setting;
import io.pgscribe.manifest.Manifest;
import io.pgscribe.pg.Pg;
import io.pgscribe.pg.PgServer;
import io.pgscribe.pg.ReplicaIdentityAudit;
import io.pgscribe.testing.PgClusterExtension;
import io.pgscribe.testing.Pipeline;
import io.pgscribe.verify.Verifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The original design's basic functionality test, end to end. */
@ExtendWith(PgClusterExtension.class)
class BasicRoundTripIT {

    @TempDir
    Path tmp;

    @Test
    void testUsersWithAnAddedColumnRestoresEqualToTheSource(PgServer cluster) throws Exception {
        try (Pipeline p = Pipeline.create(cluster, "backup_test", tmp.resolve("backup"))) {
            try (Connection c = p.connect()) {
                Pg.execute(c, "CREATE TABLE test_users (id SERIAL PRIMARY KEY, name TEXT, created_at TIMESTAMP DEFAULT now())");
                Pg.execute(c, "INSERT INTO test_users (name) VALUES ('before init')");
            }
            p.init(ReplicaIdentityAudit.Mode.REFUSE);
            p.init(ReplicaIdentityAudit.Mode.REFUSE);
            assertThat(p.printed()).contains("Already initialised: slot pgscribe_backup_test");
            p.start();
            try (Connection c = p.connect()) {
                Pg.execute(c, "INSERT INTO test_users (name) VALUES ('Alice'), ('Bob'), ('Charlie')");
                Pg.execute(c, "UPDATE test_users SET name = 'Alice Smith' WHERE name = 'Alice'");
                Pg.execute(c, "DELETE FROM test_users WHERE name = 'Charlie'");
                Pg.execute(c, "ALTER TABLE test_users ADD COLUMN email TEXT");
                Pg.execute(c, "UPDATE test_users SET email = 'alice@example.com' WHERE name = 'Alice Smith'");
                Pg.execute(c, "INSERT INTO test_users (name, email) VALUES ('Dora', 'dora@example.com')");
            }
            p.fenceAndWait();
            p.stop();

            Manifest m = p.manifest();
            assertThat(m.segments()).isNotEmpty();
            String segments = String.join("", m.segments().stream().map(s -> {
                try {
                    return Files.readString(p.backupDir.resolve(s.file()));
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }).toList());
            assertThat(segments).contains("ALTER TABLE test_users ADD COLUMN email TEXT")
                    .contains("INSERT INTO \"public\".\"test_users\"")
                    .doesNotContain("before init");

            p.restore("backup_test_restored");
            Verifier.Report report = p.verify("backup_test_restored");
            assertThat(report.differences()).isEmpty();
            assertThat(report.rows()).extracting(Verifier.Row::table).containsExactly("public.test_users");
            try (Connection r = Pg.connect(p.cluster.connection("backup_test_restored"), "test")) {
                assertThat(Pg.string(r, "SELECT string_agg(name || '/' || coalesce(email, '-'), ',' ORDER BY id) FROM test_users"))
                        .isEqualTo("before init/-,Alice Smith/alice@example.com,Bob/-,Dora/dora@example.com");
                // the sequence continues after the restored rows
                assertThat(Pg.string(r, "SELECT nextval('test_users_id_seq')::text")).isEqualTo("6");
                // pgscribe's capture objects stay on the source only
                assertThat(Pg.string(r, "SELECT count(*)::text FROM pg_namespace WHERE nspname = 'pgscribe'")).isEqualTo("0");
            }

            // verify on the command line: same, then one changed row is a difference (exit 3), also against saved checksums
            List<String> connection = new ArrayList<>();
            for (Setting s : List.of(Setting.SOURCE_HOST, Setting.SOURCE_PORT, Setting.SOURCE_DATABASE, Setting.SOURCE_USER,
                    Setting.SOURCE_SSLMODE, Setting.BACKUP_DIR, Setting.SLOT_NAME)) {
                connection.addAll(List.of("-s", s.key() + "=" + p.settings().get(s)));
            }
            // the password as an operator gives it: in the environment, never with -s
            passwordEnv = Map.of(Setting.SOURCE_PASSWORD.environmentVariable(), p.settings().get(Setting.SOURCE_PASSWORD));
            Path sums = tmp.resolve("source-checksums.json");
            assertThat(cli(connection, "verify", "--db", "backup_test", "--save-checksums", sums.toString())).isEqualTo(0);
            assertThat(cli(connection, "verify", "--db", "backup_test_restored")).isEqualTo(0);
            try (Connection r = Pg.connect(p.cluster.connection("backup_test_restored"), "test")) {
                Pg.execute(r, "UPDATE test_users SET name = 'Bobby' WHERE name = 'Bob'");
            }
            assertThat(cli(connection, "verify", "--db", "backup_test_restored")).isEqualTo(ExitCode.DIFFERENT);
            assertThat(cli(connection, "verify", "--db", "backup_test_restored", "--checksums", sums.toString()))
                    .isEqualTo(ExitCode.DIFFERENT);
            assertThat(cli(connection, "verify", "--db", "backup_test", "--checksums", sums.toString())).isEqualTo(0);
        }
    }

    private Map<String, String> passwordEnv = Map.of();

    private int cli(List<String> connection, String... args) {
        List<String> all = new ArrayList<>(connection);
        all.addAll(List.of(args));
        return PgscribeCommand.execute(passwordEnv, all.toArray(new String[0]));
    }
}
