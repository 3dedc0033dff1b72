package io.pgscribe.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgscribe.ExitCode;
import io.pgscribe.PgscribeException;
import io.pgscribe.pg.LocalCluster;
import io.pgscribe.pg.Pg;
import io.pgscribe.pg.PgServer;
import io.pgscribe.pg.PgTools;
import io.pgscribe.pg.ReplicaIdentityAudit;
import io.pgscribe.testing.PgClusterExtension;
import io.pgscribe.testing.Pipeline;
import io.pgscribe.testing.TestServers;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Restoring onto another server: without the roles the base refers to it fails cleanly;
 * with --with-globals it creates them and leaves the roles that are already there as
 * they are. An existing target is refused unless --replace.
 */
@ExtendWith(PgClusterExtension.class)
class GlobalsAndReplaceIT {

    @TempDir
    Path tmp;

    @Test
    void globalsOntoAnotherServerAndReplace(PgServer cluster) throws Exception {
        try (Pipeline p = Pipeline.create(cluster, "globals", tmp.resolve("backup"));
             LocalCluster other = TestServers.localCluster(List.of())) {
            try (Connection c = p.connect()) {
                Pg.execute(c, "CREATE ROLE app_owner LOGIN CONNECTION LIMIT 3; CREATE ROLE reporter NOLOGIN");
                Pg.execute(c, "CREATE TABLE accounts (id int PRIMARY KEY, owner text)");
                Pg.execute(c, "ALTER TABLE accounts OWNER TO app_owner; GRANT SELECT ON accounts TO reporter");
                Pg.execute(c, "INSERT INTO accounts VALUES (1, 'a'), (2, 'b')");
            }
            p.init(ReplicaIdentityAudit.Mode.REFUSE);
            p.start();
            try (Connection c = p.connect()) {
                Pg.execute(c, "INSERT INTO accounts VALUES (3, 'c'); UPDATE accounts SET owner = 'z' WHERE id = 1");
            }
            p.fenceAndWait();
            p.stop();
            try (Connection c = Pg.connect(other.connection("postgres"), "t")) {
                // someone else's reporter on the shared server: must stay exactly as it is
                Pg.execute(c, "CREATE ROLE reporter LOGIN CONNECTION LIMIT 7");
            }

            Restorer.Options onOther = new Restorer.Options(p.backupDir, p.source(), other.connection("postgres"), "copy");
            assertThatThrownBy(() -> restorer(new ByteArrayOutputStream()).run(onOther))
                    .isInstanceOfSatisfying(PgscribeException.class, e -> {
                        assertThat(e.getMessage()).contains("loading the base").contains("app_owner");
                        assertThat(e.hint()).contains("--with-globals");
                        assertThat(e.exitCode()).isEqualTo(ExitCode.FAILED);
                    });
            assertThat(databases(other)).doesNotContain("copy"); // the failed restore dropped what it built

            ByteArrayOutputStream printed = new ByteArrayOutputStream();
            restorer(printed).run(onOther.withGlobals(true));
            assertThat(printed.toString(StandardCharsets.UTF_8))
                    .contains("role(s) already exist on the target server and were left as they are: postgres, reporter");
            try (Connection c = Pg.connect(other.connection("copy"), "t")) {
                assertThat(Pg.string(c, "SELECT rolconnlimit || ' ' || rolcanlogin FROM pg_roles WHERE rolname = 'reporter'"))
                        .isEqualTo("7 true");
                assertThat(Pg.string(c, "SELECT rolconnlimit || ' ' || rolcanlogin FROM pg_roles WHERE rolname = 'app_owner'"))
                        .isEqualTo("3 true");
                assertThat(Pg.string(c, "SELECT tableowner FROM pg_tables WHERE tablename = 'accounts'")).isEqualTo("app_owner");
                assertThat(Pg.string(c, "SELECT has_table_privilege('reporter', 'accounts', 'SELECT')::text")).isEqualTo("true");
                assertThat(Pg.string(c, "SELECT string_agg(id || owner, ',' ORDER BY id) FROM accounts")).isEqualTo("1z,2b,3c");
                Pg.execute(c, "INSERT INTO accounts VALUES (99, 'only in the copy')");
            }

            assertThatThrownBy(() -> restorer(new ByteArrayOutputStream()).run(onOther))
                    .isInstanceOfSatisfying(PgscribeException.class, e -> {
                        assertThat(e.getMessage()).contains("database copy already exists");
                        assertThat(e.exitCode()).isEqualTo(ExitCode.REFUSED);
                    });
            ByteArrayOutputStream replaced = new ByteArrayOutputStream();
            restorer(replaced).run(onOther.withReplace(true));
            assertThat(replaced.toString(StandardCharsets.UTF_8)).contains("Dropped the existing database copy (--replace)");
            try (Connection c = Pg.connect(other.connection("copy"), "t")) {
                assertThat(Pg.string(c, "SELECT string_agg(id || owner, ',' ORDER BY id) FROM accounts")).isEqualTo("1z,2b,3c");
            }

            // the source database itself is never a target, --replace or not
            Restorer.Options ontoSource = new Restorer.Options(p.backupDir, p.source(), cluster.connection("postgres"), "globals")
                    .withReplace(true);
            assertThatThrownBy(() -> restorer(new ByteArrayOutputStream()).run(ontoSource))
                    .isInstanceOfSatisfying(PgscribeException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.REFUSED));
            try (Connection c = p.connect()) {
                assertThat(Pg.string(c, "SELECT count(*)::text FROM accounts")).isEqualTo("3");
            }
        }
    }

    private static Restorer restorer(ByteArrayOutputStream sink) {
        return new Restorer(PgTools.locate(""), new PrintStream(sink, true, StandardCharsets.UTF_8),
                io.pgscribe.testing.TestKeys.reader());
    }

    private static List<String> databases(PgServer c) throws Exception {
        try (Connection conn = Pg.connect(c.connection("postgres"), "t")) {
            return Pg.query(conn, "SELECT datname FROM pg_database", rs -> rs.getString(1));
        }
    }
}
