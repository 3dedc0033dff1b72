package io.pgscribe.demo;

import io.pgscribe.ExitCode;
import io.pgscribe.PgscribeException;
import io.pgscribe.capture.CaptureProgress;
import io.pgscribe.config.Setting;
import io.pgscribe.config.Settings;
import io.pgscribe.init.Initializer;
import io.pgscribe.init.Uninstaller;
import io.pgscribe.manifest.Manifest;
import io.pgscribe.manifest.ManifestStore;
import io.pgscribe.manifest.SegmentEntry;
import io.pgscribe.manifest.SetTrust;
import io.pgscribe.pg.ConnectionSpec;
import io.pgscribe.pg.LocalCluster;
import io.pgscribe.pg.Lsn;
import io.pgscribe.pg.Pg;
import io.pgscribe.pg.PgTools;
import io.pgscribe.pg.ReplicaIdentityAudit;
import io.pgscribe.restore.Restorer;
import io.pgscribe.runtime.PgscribeRuntime;
import io.pgscribe.signing.SetKey;
import io.pgscribe.verify.Verifier;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * {@code pgscribe demo}: the whole cycle with no configuration, on a throwaway cluster
 * started from the server binaries on this machine: init, capture a workload, restore
 * into a new database, verify, clean up.
 */
public final class Demo {

    private final PrintStream out;

    public Demo(PrintStream out) {
        this.out = out;
    }

    /** Returns the exit code: 0 when the restored database equals the source. */
    public int run(Path workDir, boolean keep) throws Exception {
        Files.createDirectories(workDir);
        out.println("pgscribe demo: starting a throwaway PostgreSQL cluster ...");
        // pgoutput, the default decoder, is the server's own: no plugin package to install
        LocalCluster cluster = LocalCluster.start(workDir, List.of(), List.of());
        boolean ok = false;
        try {
            out.println("  cluster on 127.0.0.1:" + cluster.port() + " in " + cluster.directory());
            ConnectionSpec admin = cluster.connection("postgres");
            try (Connection c = Pg.connect(admin, "pgscribe-demo")) {
                Pg.execute(c, "CREATE DATABASE shop");
            }
            Path backupDir = workDir.resolve("backup");
            out.println("\n$ pgscribe keygen " + workDir.resolve("keys"));
            Path keys = io.pgscribe.storage.DurableFiles.ownerOnlyDirectory(workDir.resolve("keys"));
            SetKey key = SetKey.generate();
            key.write(keys.resolve("pgscribe-signing.key"), keys.resolve("pgscribe-signing.pub"));
            indented().println("Key id: " + key.id() + " (every manifest is signed with it; restore checks the signature)");
            Settings settings = settings(cluster, backupDir, keys.resolve("pgscribe-signing.key"));
            try (Connection c = Pg.connect(cluster.connection("shop"), "pgscribe-demo")) {
                Pg.execute(c, SCHEMA);
            }

            out.println("\n$ pgscribe init");
            new Initializer(settings, indented(), Clock.systemUTC())
                    .run(new Initializer.Options(ReplicaIdentityAudit.Mode.REFUSE, false));

            out.println("\n$ pgscribe run    (in this process, while a workload runs)");
            PgscribeRuntime runtime = PgscribeRuntime.create(settings);
            runtime.start();
            Lsn end;
            int transactions;
            try (Connection c = Pg.connect(cluster.connection("shop"), "pgscribe-demo-workload")) {
                transactions = workload(c);
                end = CaptureProgress.fence(c);
            }
            waitUntilCovered(backupDir, end, Duration.ofSeconds(120));
            runtime.stop();
            Manifest m = ManifestStore.readUnverified(backupDir.resolve(ManifestStore.FILE_NAME));
            long segTx = m.segments().stream().mapToLong(SegmentEntry::transactions).sum();
            long segBytes = m.segments().stream().mapToLong(SegmentEntry::contentBytes).sum();
            out.println("  workload: " + transactions + " transactions (inserts, updates, deletes, ALTER TABLE, TRUNCATE)");
            out.println("  captured: " + m.segments().size() + " segment(s), " + segTx + " transactions (the workload's, and "
                    + "the capture's own sequence samples), " + segBytes + " bytes of SQL in " + backupDir.resolve("segments"));
            out.println("  compressed by the compress route (gzip): segments " + m.segments().stream().mapToLong(SegmentEntry::bytes)
                    .sum() + " bytes, base " + m.bases().get(0).bytes() + " bytes (of " + m.bases().get(0).contentBytes()
                    + " bytes of SQL)");

            out.println("\n$ pgscribe restore --to-db shop_restored");
            new Restorer(PgTools.locate(""), indented(), SetTrust.reader(key, false)).run(new Restorer.Options(backupDir, cluster.connection("shop"),
                    admin, "shop_restored"));

            out.println("\n$ pgscribe verify --db shop_restored");
            Verifier.Report report = Verifier.compare(cluster.connection("shop"), cluster.connection("shop_restored"));
            Verifier.print(report, "shop", "shop_restored", indented());
            ok = report.same();

            if (!m.segments().isEmpty()) {
                out.println("\nThe start of the first segment, " + m.segments().get(0).file() + ":");
                List<String> lines;
                try (var r = new java.io.BufferedReader(new java.io.InputStreamReader(io.pgscribe.storage.Compression.open(
                        io.pgscribe.storage.StoredFiles.locate(backupDir, m.segments().get(0).file())),
                        java.nio.charset.StandardCharsets.UTF_8))) {
                    lines = r.lines().limit(22).toList();
                }
                lines.forEach(l -> out.println("  " + (l.length() > 150 ? l.substring(0, 150) + "..." : l)));
            }
            Uninstaller.run(cluster.connection("shop"), settings.get(Setting.SLOT_NAME), false, indented());
        } finally {
            if (keep) {
                out.println("\nKept the cluster (port " + cluster.port() + ", password in the environment of this run only) "
                        + "stopped, and the backup set in " + workDir);
                cluster.stop();
            } else {
                cluster.close();
                deleteTree(workDir);
                out.println("\nCleaned up: cluster stopped and removed, backup set deleted (--keep keeps them).");
            }
        }
        out.println(ok ? "\nDemo OK: the restored database equals the source." : "\nDemo FAILED: see the differences above.");
        return ok ? ExitCode.OK : ExitCode.DIFFERENT;
    }

    static final String SCHEMA = """
            CREATE TABLE customers (id serial PRIMARY KEY, name text NOT NULL, email text, created_at timestamptz DEFAULT now());
            CREATE TABLE orders (id bigserial PRIMARY KEY, customer_id int REFERENCES customers(id), total numeric(12,2),
                                 placed_at timestamptz, tags text[], details jsonb);
            CREATE TABLE audit_log (at timestamptz, message text);
            ALTER TABLE audit_log REPLICA IDENTITY FULL;
            INSERT INTO customers (name, email) VALUES ('Ada', 'ada@example.com'), ('Brian', NULL);
            """;

    /** A small mixed workload; returns the number of transactions. */
    static int workload(Connection c) throws SQLException {
        int n = 0;
        for (int i = 0; i < 20; i++) {
            Pg.execute(c, "INSERT INTO customers (name, email) VALUES ('customer " + i + "', 'c" + i + "@example.com')");
            n++;
        }
        Pg.execute(c, "INSERT INTO orders (customer_id, total, placed_at, tags, details) SELECT 1 + g % 20, g * 1.25, "
                + "'2026-01-01 00:00:00+00'::timestamptz + g * interval '1 hour', ARRAY['demo', 'o''' || g], "
                + "jsonb_build_object('n', g, 'note', E'line\\nbreak') FROM generate_series(1, 1000) g");
        n++;
        Pg.execute(c, "UPDATE orders SET total = total * 2 WHERE id % 10 = 0");
        Pg.execute(c, "DELETE FROM orders WHERE id % 7 = 0");
        Pg.execute(c, "ALTER TABLE customers ADD COLUMN vip boolean DEFAULT false");
        Pg.execute(c, "UPDATE customers SET vip = true WHERE id <= 3");
        Pg.execute(c, "INSERT INTO audit_log VALUES ('2026-01-01 10:00+00', 'one'), ('2026-01-01 10:00+00', 'one'), "
                + "('2026-01-01 11:00+00', NULL)");
        Pg.execute(c, "DELETE FROM audit_log WHERE message IS NULL");
        Pg.execute(c, "UPDATE customers SET email = NULL WHERE id = 2");
        Pg.execute(c, "TRUNCATE audit_log");
        Pg.execute(c, "INSERT INTO audit_log VALUES (now(), 'after truncate')");
        return n + 9;
    }

    private static Settings settings(LocalCluster cluster, Path backupDir, Path signingKey) {
        return cluster.connection("shop").pipelineSettings(Map.of(
                Setting.BACKUP_DIR.key(), backupDir.toString(),
                Setting.BACKUP_SIGNING_KEY.key(), signingKey.toString(),
                Setting.SLOT_NAME.key(), "pgscribe_demo",
                Setting.SEGMENT_MAX_AGE.key(), "1",
                Setting.CAPTURE_TICK_MS.key(), "200",
                Setting.SPOOL_POLL_DELAY_MS.key(), "10",
                Setting.COMPRESSION_INTERVAL_MS.key(), "250"));
    }

    /** Waits until every transaction before {@code end} is in a closed segment, and the compress route has compressed it. */
    private static void waitUntilCovered(Path backupDir, Lsn end, Duration atMost) throws InterruptedException {
        long deadline = System.nanoTime() + atMost.toNanos();
        while (!coveredAndCompressed(ManifestStore.readUnverified(backupDir.resolve(ManifestStore.FILE_NAME)), end)) {
            if (System.nanoTime() > deadline) {
                throw new PgscribeException("the capture did not reach " + end + " within " + atMost.toSeconds() + " s",
                        "Look at the log above for what stopped it.", ExitCode.FAILED, null);
            }
            Thread.sleep(100);
        }
    }

    private static boolean coveredAndCompressed(Manifest m, Lsn end) {
        return CaptureProgress.covers(m, end) && m.segments().stream().allMatch(s -> s.compression() != null)
                && m.bases().stream().allMatch(b -> b.compression() != null);
    }

    private PrintStream indented() {
        return new PrintStream(new java.io.OutputStream() {
            private boolean lineStart = true;

            @Override
            public void write(int b) {
                if (lineStart) {
                    out.print("  ");
                }
                out.write(b);
                lineStart = b == '\n';
            }
        }, true);
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
