package io.pgscribe.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgscribe.ExitCode;
import io.pgscribe.capture.CaptureProgress;
import io.pgscribe.config.Settings;
import io.pgscribe.init.Uninstaller;
import io.pgscribe.manifest.Manifest;
import io.pgscribe.manifest.ManifestStore;
import io.pgscribe.pg.ConnectionSpec;
import io.pgscribe.pg.Lsn;
import io.pgscribe.pg.Pg;
import io.pgscribe.pg.PgServer;
import io.pgscribe.storage.Compression;
import io.pgscribe.testing.PgClusterExtension;
import io.pgscribe.testing.Pipeline;
import io.pgscribe.verify.Verifier;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.camel.Route;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two databases of one cluster captured by one runtime from the route templates, with nothing
 * but application.properties naming them, and restored side by side.
 */
@ExtendWith(PgClusterExtension.class)
class SeveralDatabasesIT {

    @TempDir
    Path tmp;

    @Test
    void twoDatabasesFromOneRuntimeEachWithItsOwnSlotDirectoryAndSettings(PgServer cluster) throws Exception {
        ConnectionSpec server = cluster.connection("postgres");
        try (Connection c = Pg.connect(server, "test")) {
            Pg.execute(c, "CREATE DATABASE orders");
            Pg.execute(c, "CREATE DATABASE billing_prod");
        }
        try (Connection c = Pg.connect(cluster.connection("orders"), "test")) {
            Pg.execute(c, "CREATE TABLE orders (id serial PRIMARY KEY, item text NOT NULL)");
            Pg.execute(c, "INSERT INTO orders (item) VALUES ('before init')");
        }
        try (Connection c = Pg.connect(cluster.connection("billing_prod"), "test")) {
            Pg.execute(c, "CREATE TABLE invoices (id serial PRIMARY KEY, amount numeric(12,2) NOT NULL)");
        }
        Path backup = tmp.resolve("backup");
        // the password as ops keep it: in a passfile, never in the configuration
        Path passfile = tmp.resolve("pgpass");
        Files.writeString(passfile, server.host() + ":" + server.port() + ":*:" + server.user() + ":" + server.password() + "\n");
        Files.setPosixFilePermissions(passfile, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        // the database of billing is named apart from its pipeline, and billing compresses differently
        Path config = Files.writeString(tmp.resolve("application.properties"), String.join("\n",
                "pgscribe.databases=orders,billing",
                "pgscribe.source.host=" + server.host(),
                "pgscribe.source.port=" + server.port(),
                "pgscribe.source.user=" + server.user(),
                "pgscribe.source.passfile=" + passfile,
                "pgscribe.backup.dir=" + backup,
                "pgscribe.backup.signing-key=" + io.pgscribe.testing.TestKeys.signingKeyFile(),
                "pgscribe.segment.max-age=1",
                "pgscribe.capture.tick-ms=200",
                "pgscribe.spool.poll-delay-ms=10",
                "pgscribe.heartbeat.interval-ms=3600000",
                "pgscribe.sequences.sample-interval-ms=3600000",
                "pgscribe.compression=none",
                "pgscribe.compression.interval-ms=300",
                "pgscribe.database.billing.source.database=billing_prod",
                "pgscribe.database.billing.compression=zstd",
                "camel.main.routes-include-pattern=file:routes/*.camel.yaml",
                ""));
        Settings settings = Settings.load(config, Map.of(), Map.of(), new Properties());
        try {
            Pipeline.Cli init = Pipeline.command("--config", config.toString(), "init");
            assertThat(init.code()).as(init.err()).isEqualTo(ExitCode.OK);
            assertThat(init.out()).contains("== database orders ==", "== database billing ==");
            assertThat(Files.exists(backup.resolve("orders").resolve(ManifestStore.FILE_NAME))).isTrue();
            assertThat(Files.exists(backup.resolve("billing").resolve(ManifestStore.FILE_NAME))).isTrue();
            // what the image's entrypoint runs at every start: sets already there are left alone
            Pipeline.Cli again = Pipeline.command("--config", config.toString(), "init", "--if-needed");
            assertThat(again.code()).as(again.err()).isEqualTo(ExitCode.OK);
            assertThat(again.out()).contains("Backup set present in " + backup.resolve("orders").toAbsolutePath(),
                    "Backup set present in " + backup.resolve("billing").toAbsolutePath()).doesNotContain("Preflight");

            PgscribeRuntime runtime = PgscribeRuntime.create(settings);
            runtime.start();
            try {
                List<String> routeIds = runtime.camelContext().getRoutes().stream().map(Route::getRouteId).toList();
                for (String template : List.of("capture-segments", "capture-recvlogical", "base", "prune", "monitor", "alert")) {
                    assertThat(routeIds).contains("orders." + template, "billing." + template).doesNotContain(template);
                }
                try (Connection c = Pg.connect(server, "test")) {
                    await().atMost(Duration.ofSeconds(30)).until(() -> Pg.query(c,
                            "SELECT slot_name || '@' || database FROM pg_replication_slots WHERE active ORDER BY 1",
                            rs -> rs.getString(1)).equals(List.of("pgscribe_billing@billing_prod", "pgscribe_orders@orders")));
                }
                Lsn ordersEnd;
                Lsn billingEnd;
                try (Connection c = Pg.connect(cluster.connection("orders"), "test")) {
                    Pg.execute(c, "INSERT INTO orders (item) SELECT 'item ' || g FROM generate_series(1, 500) g");
                    Pg.execute(c, "UPDATE orders SET item = item || ' (sent)' WHERE id % 3 = 0");
                    Pg.execute(c, "DELETE FROM orders WHERE id % 7 = 0");
                    ordersEnd = CaptureProgress.fence(c);
                }
                try (Connection c = Pg.connect(cluster.connection("billing_prod"), "test")) {
                    Pg.execute(c, "INSERT INTO invoices (amount) SELECT g * 1.25 FROM generate_series(1, 300) g");
                    Pg.execute(c, "ALTER TABLE invoices ADD COLUMN paid boolean NOT NULL DEFAULT false");
                    Pg.execute(c, "UPDATE invoices SET paid = true WHERE id % 2 = 0");
                    billingEnd = CaptureProgress.fence(c);
                }
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() ->
                        CaptureProgress.covers(manifest(backup, "orders"), ordersEnd)
                                && CaptureProgress.covers(manifest(backup, "billing"), billingEnd));
                // billing's own compression setting: its segments become zstd, orders' stay SQL
                await().atMost(Duration.ofSeconds(30)).until(() -> manifest(backup, "billing").segments().stream()
                        .allMatch(s -> s.file().endsWith(".zst")));
                assertThat(manifest(backup, "orders").segments()).allMatch(s -> s.file().endsWith(".sql"));
            } finally {
                runtime.stop();
            }

            // each backup set holds its own database's changes only
            String ordersSql = segmentsText(backup.resolve("orders"));
            String billingSql = segmentsText(backup.resolve("billing"));
            assertThat(ordersSql).contains("\"orders\"").doesNotContain("invoices");
            assertThat(billingSql).contains("\"invoices\"", "ADD COLUMN paid").doesNotContain("\"orders\"");
            assertThat(manifest(backup, "orders").slot()).isEqualTo("pgscribe_orders");
            assertThat(manifest(backup, "billing").slot()).isEqualTo("pgscribe_billing");

            // restore both, side by side, through the command line; a command for one database must name it
            Pipeline.Cli ambiguous = Pipeline.command("--config", config.toString(), "restore", "--to-db", "x");
            assertThat(ambiguous.code()).isEqualTo(ExitCode.USAGE);
            assertThat(ambiguous.err()).contains("pgscribe.databases lists orders, billing", "--database");
            // status is a monitoring check: a check it cannot run is UNKNOWN (3), not CRITICAL (2)
            Pipeline.Cli status = Pipeline.command("--config", config.toString(), "status");
            assertThat(status.code()).isEqualTo(3);
            assertThat(status.out()).startsWith("UNKNOWN: configuration: pgscribe.databases lists orders, billing")
                    .contains("Add --database orders");
            Pipeline.Cli ordersStatus = Pipeline.command("--config", config.toString(), "status", "--database", "orders");
            assertThat(ordersStatus.out()).contains("pgscribe status of orders", "pgscribe_orders");
            for (String[] pair : new String[][] {{"orders", "orders", "orders_restored"},
                    {"billing", "billing_prod", "billing_restored"}}) {
                Pipeline.Cli restore = Pipeline.command("--config", config.toString(), "restore", "--database", pair[0],
                        "--to-db", pair[2]);
                assertThat(restore.code()).as(restore.err()).isEqualTo(ExitCode.OK);
                Verifier.Report report = Verifier.compare(cluster.connection(pair[1]), cluster.connection(pair[2]));
                assertThat(report.differences()).isEmpty();
                assertThat(report.rows()).hasSize(1);
            }
            try (Connection r = Pg.connect(cluster.connection("orders_restored"), "test")) {
                assertThat(Pg.string(r, "SELECT count(*)::text FROM orders")).isEqualTo(Integer.toString(501 - 501 / 7));
                assertThat(Pg.string(r, "SELECT count(*)::text FROM pg_tables WHERE tablename = 'invoices'")).isEqualTo("0");
            }
            try (Connection r = Pg.connect(cluster.connection("billing_restored"), "test")) {
                assertThat(Pg.string(r, "SELECT count(*)::text FROM invoices WHERE paid")).isEqualTo("150");
            }
        } finally {
            PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
            for (Settings p : settings.pipelines()) {
                Uninstaller.run(ConnectionSpec.source(p), p.get(io.pgscribe.config.Setting.SLOT_NAME), false, quiet);
            }
        }
    }

    private static Manifest manifest(Path backup, String database) {
        return ManifestStore.readUnverified(backup.resolve(database).resolve(ManifestStore.FILE_NAME));
    }

    private static String segmentsText(Path dir) throws Exception {
        StringBuilder sb = new StringBuilder();
        for (var s : ManifestStore.readUnverified(dir.resolve(ManifestStore.FILE_NAME)).segments()) {
            try (var in = Compression.open(dir.resolve(s.file()))) {
                sb.append(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
            }
        }
        return sb.toString();
    }
}
