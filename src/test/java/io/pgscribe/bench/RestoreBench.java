package io.pgscribe.bench;

import io.pgscribe.compress.Compressor;
import io.pgscribe.config.Setting;
import io.pgscribe.encryption.Decryption;
import io.pgscribe.encryption.Encryption;
import io.pgscribe.manifest.Manifest;
import io.pgscribe.manifest.ManifestStore;
import io.pgscribe.manifest.SegmentEntry;
import io.pgscribe.pg.ConnectionSpec;
import io.pgscribe.pg.LocalCluster;
import io.pgscribe.pg.Pg;
import io.pgscribe.pg.PgTools;
import io.pgscribe.pg.ReplicaIdentityAudit;
import io.pgscribe.restore.Restorer;
import io.pgscribe.storage.Compression;
import io.pgscribe.testing.Pipeline;
import io.pgscribe.verify.TableChecksum;
import io.pgscribe.verify.Verifier;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * P2, restore replay rate: the same segments applied by pgscribe restore, by the naive
 * {@code psql db < segment.sql}, and by {@code psql -1 -f segment.sql}, each into a fresh
 * copy of the same base on a cluster with production durability (fsync on, synchronous
 * commit on). Only the segments are timed; every copy is checked against the source.
 */
@Command(name = "restore", mixinStandardHelpOptions = true,
        description = "P2: segment replay speed of pgscribe restore against naive psql.")
final class RestoreBench implements Callable<Integer> {

    static final String PGSCRIBE = "pgscribe restore";
    static final String PGSCRIBE_GZIP = "pgscribe restore, gzip set";
    static final String PGSCRIBE_ENCRYPTED = "pgscribe restore, gzip+OpenPGP set";
    static final String NAIVE = "psql db < segment.sql";
    static final String ONE_TX = "psql -1 -f segment.sql";
    static final String SAME_SQL = "pgscribe restore, 0.1 SQL";

    @Option(names = "--workload", split = ",", defaultValue = "bulk,oltp",
            description = "bulk (10,000-row transactions), oltp (pgbench-like small transactions), or both.")
    List<String> workloads;

    @Option(names = "--changes", defaultValue = "1000000", description = "Row changes of the bulk workload.")
    int changes;

    @Option(names = "--transactions", defaultValue = "20000", description = "Transactions of the oltp workload (4 changes each).")
    int transactions;

    @Option(names = "--repeats", defaultValue = "3", description = "Rounds; each applies every method once, in rotated order.")
    int repeats;

    @Option(names = "--keep-backups", description = "Leave the backup sets in --dir, to look at or apply again.")
    boolean keepBackups;

    @Option(names = "--owner", split = ",", defaultValue = "superuser",
            description = "Who owns the workload's tables: superuser (rows apply in the restore's own session), role (an "
                    + "ordinary role: rows apply with its rights, in its sandbox), or both.")
    List<String> owners;

    @Option(names = "--methods", split = "\\|", paramLabel = "METHOD",
            description = "Only these methods (by name, as in the table, separated by |; jar: the earlier jar); default: all.")
    List<String> onlyMethods;

    @Option(names = "--warmup", defaultValue = "1",
            description = "Unmeasured pgscribe restores before the rounds (the first restore of a JVM runs cold).")
    int warmup;

    @Option(names = "--compare-jar", paramLabel = "JAR", description = "An earlier pgscribe.jar to restore the same segments "
            + "with, side by side (its statements written as it wrote them: = instead of OPERATOR(pg_catalog.=)).")
    Path compareJar;

    @Option(names = "--dir", defaultValue = "target/bench", description = "Where clusters and backups go.")
    Path dir;

    private static long walPosition(Connection c) throws SQLException {
        return Long.parseLong(Pg.string(c, "SELECT (pg_current_wal_lsn() - '0/0'::pg_lsn)::bigint::text"));
    }

    private final StringBuilder sizes = new StringBuilder("Output size:\n\n");

    @Override
    public Integer call() throws Exception {
        Files.createDirectories(dir);
        StringBuilder report = new StringBuilder();
        // durability as in production: with fsync off a commit costs nothing and the comparison is meaningless
        try (LocalCluster cluster = LocalCluster.start(dir.toAbsolutePath(), Bench.PLUGINS, List.of("fsync=on", "full_page_writes=on",
                "synchronous_commit=on", "max_wal_size=4GB", "checkpoint_timeout=30min"))) {
            try (Connection c = Pg.connect(cluster.connection("postgres"), "bench")) {
                report.append("### P2 restore replay rate, ").append(Instant.now().toString(), 0, 10).append("\n\n")
                        .append("- Command: `bench/run restore --workload ").append(String.join(",", workloads))
                        .append(" --changes ").append(changes).append(" --transactions ").append(transactions)
                        .append(" --repeats ").append(repeats).append(onlyMethods == null ? "" : " --methods '" + String.join("|", onlyMethods) + "'")
                        .append(owners.size() == 1 && owners.get(0).equals("superuser") ? "" : " --owner " + String.join(",", owners))
                        .append(compareJar == null ? "" : " --compare-jar " + compareJar).append("`\n").append(Machine.describe(c)).append('\n');
            }
            report.append("| workload | changes | transactions | segments | method | median s | changes/s | runs (s) | speed-up vs naive "
                    + "| time vs the earlier jar, paired by round |\n").append("|---|---:|---:|---:|---|---:|---:|---|---:|---:|\n");
            for (String w : workloads) {
                for (String owner : owners) {
                    report.append(run(cluster, w.strip(), owner.strip()));
                }
            }
        }
        report.append('\n').append(sizes);
        System.out.println();
        System.out.println(report);
        return 0;
    }

    private String run(LocalCluster cluster, String workload, String owner) throws Exception {
        if (!owner.equals("superuser") && !owner.equals("role")) {
            throw new IllegalArgumentException("--owner " + owner + ": superuser or role");
        }
        String db = "bench_" + workload;
        Path backup = dir.resolve("backup-" + workload).toAbsolutePath();
        LocalCluster.deleteTree(backup);
        long changeCount;
        long txCount;
        long walBytes;
        Manifest manifest;
        Map<String, TableChecksum> expected;
        try (Pipeline p = Pipeline.create(cluster, db, backup, Map.of(Setting.SEGMENT_MAX_AGE.key(), "5"))) {
            Workload load = switch (workload) {
                case "bulk" -> Workload.bulk(changes);
                case "oltp" -> Workload.oltp(transactions);
                default -> throw new IllegalArgumentException("unknown workload " + workload + " (bulk, oltp)");
            };
            try (Connection c = p.connect()) {
                load.prepare(c);
                if (owner.equals("role")) {
                    Pg.execute(c, "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'bench_owner') THEN "
                            + "CREATE ROLE bench_owner; END IF; END $$");
                    for (String t : Pg.query(c, "SELECT quote_ident(tablename) FROM pg_tables WHERE schemaname = 'public'",
                            rs -> rs.getString(1))) {
                        Pg.execute(c, "ALTER TABLE public." + t + " OWNER TO bench_owner");
                    }
                }
            }
            p.init(ReplicaIdentityAudit.Mode.REFUSE);
            p.start();
            log("%s: running the workload", workload);
            try (Connection c = p.connect()) {
                long walBefore = walPosition(c);
                load.run(c);
                // the WAL the workload's own transactions wrote (full-page images included, as in production)
                walBytes = walPosition(c) - walBefore;
            }
            log("%s: waiting for the capture", workload);
            p.awaitCovered(p.fence(), Duration.ofMinutes(30));
            p.stop();
            changeCount = load.changes();
            txCount = load.transactions();
            manifest = p.manifest();
            expected = Verifier.checksums(p.source());
        }
        List<Path> segments = manifest.segments().stream().map(SegmentEntry::file).map(backup::resolve).toList();
        Path base = backup.resolve(manifest.bases().get(0).file());
        // the same backup set as the compress route leaves it (gzip, the default): what decompression costs a restore
        Path gzipped = dir.resolve("backup-" + workload + "-gzip").toAbsolutePath();
        LocalCluster.deleteTree(gzipped);
        copyTree(backup, gzipped);
        new Compressor(new ManifestStore(gzipped, io.pgscribe.manifest.SetTrust.writer(io.pgscribe.testing.TestKeys.key())), Compression.GZIP, 0).compressClosed();
        // and as it leaves it with encryption on: gzip'd, then encrypted to one X25519 key
        Path encrypted = dir.resolve("backup-" + workload + "-encrypted").toAbsolutePath();
        LocalCluster.deleteTree(encrypted);
        copyTree(backup, encrypted);
        Path secretKey = dir.resolve("bench-secret-key.asc").toAbsolutePath();
        Decryption decryption = encryptionKey(dir.resolve("bench-public-key.asc"), secretKey);
        new Compressor(new ManifestStore(encrypted, io.pgscribe.manifest.SetTrust.writer(io.pgscribe.testing.TestKeys.key())),
                Compression.GZIP, 0, Encryption.of(Encryption.readRecipients(dir.resolve("bench-public-key.asc")), null))
                .compressClosed();
        long sqlBytes = manifest.segments().stream().mapToLong(SegmentEntry::bytes).sum();
        long gzipBytes = new ManifestStore(gzipped, io.pgscribe.manifest.SetTrust.writer(io.pgscribe.testing.TestKeys.key())).load().segments().stream().mapToLong(SegmentEntry::bytes).sum();
        sizes.append(String.format(Locale.ROOT, "- %s: segments %,d bytes of SQL, %,d bytes gzip (%.1f%%); %.1f bytes of SQL "
                + "per change, %.1f gzip; the workload wrote %,d bytes of WAL (%.1f per change): SQL %.1f%% of it, gzip %.1f%%%n",
                workload, sqlBytes, gzipBytes, 100.0 * gzipBytes / sqlBytes, (double) sqlBytes / changeCount,
                (double) gzipBytes / changeCount, walBytes, (double) walBytes / changeCount, 100.0 * sqlBytes / walBytes,
                100.0 * gzipBytes / walBytes));
        PgTools tools = PgTools.locate("");
        List<String> methods = new ArrayList<>(List.of(PGSCRIBE, PGSCRIBE_GZIP, PGSCRIBE_ENCRYPTED, NAIVE, ONE_TX));
        Path legacy = null;
        String jarMethod = null;
        if (compareJar != null) {
            // the same segments as the earlier pgscribe wrote them: both restores get the same text
            legacy = dir.resolve("backup-" + workload + "-0.1").toAbsolutePath();
            LocalCluster.deleteTree(legacy);
            copyTree(backup, legacy);
            LegacyShapes.rewrite(legacy);
            jarMethod = "pgscribe " + compareJar.getFileName() + " restore, 0.1 SQL";
            methods.add(SAME_SQL);
            methods.add(jarMethod);
        }
        if (onlyMethods != null) {
            methods.retainAll(onlyMethods.stream().map(String::strip).map(x -> x.equals("jar") ? null : x).toList());
            if (onlyMethods.contains("jar") && jarMethod != null) {
                methods.add(jarMethod);
            }
        }
        for (int w = 0; w < warmup; w++) {
            String copy = db + "_copy";
            apply(PGSCRIBE, cluster, db, backup, base, segments, copy, tools, Decryption.NONE);
            drop(cluster, copy);
            log("%s: warm-up restore %d done", workload, w + 1);
        }
        Measurements m = new Measurements();
        for (int round = 0; round < repeats; round++) {
            for (int i = 0; i < methods.size(); i++) {
                String method = methods.get((i + round) % methods.size());
                String copy = db + "_copy";
                Path set = method.equals(PGSCRIBE_GZIP) ? gzipped : method.equals(PGSCRIBE_ENCRYPTED) ? encrypted
                        : method.equals(SAME_SQL) || method.equals(jarMethod) ? legacy : backup;
                double s = method.equals(jarMethod) ? applyWithJar(cluster, db, set, copy)
                        : apply(method, cluster, db, set, base, segments, copy, tools, decryption);
                Map<String, TableChecksum> got = Verifier.checksums(cluster.connection(copy));
                expected.keySet().stream().filter(t -> !t.startsWith("pgscribe.")).forEach(t -> {
                    if (!expected.get(t).equals(got.get(t))) {
                        throw new IllegalStateException(method + " restored " + t + " differently: " + got.get(t)
                                + " instead of " + expected.get(t));
                    }
                });
                drop(cluster, copy);
                m.add(method, s);
                log("%s round %d: %-24s %.2f s", workload, round + 1, method, s);
            }
        }
        StringBuilder rows = new StringBuilder();
        for (String method : methods) {
            double med = m.median(method);
            rows.append(String.format(Locale.ROOT, "| %s | %,d | %,d | %d | %s | %.2f | %,.0f | %s | %s | %s |%n",
                    workload + (owner.equals("role") ? ", tables of a role" : ""), changeCount,
                    txCount, segments.size(), method.startsWith(PGSCRIBE) ? "**" + method + "**" : "`" + method + "`", med,
                    changeCount / med, Measurements.runsText(m.runs(method)),
                    !methods.contains(NAIVE) ? "-" : method.equals(NAIVE) ? "1.00"
                            : String.format(Locale.ROOT, "%.2f×", m.speedup(method, NAIVE)),
                    jarMethod == null || !methods.contains(jarMethod) ? "-"
                            : String.format(Locale.ROOT, "%.2f", 1 / m.speedup(method, jarMethod))));
        }
        if (!keepBackups) {
            LocalCluster.deleteTree(backup);
            LocalCluster.deleteTree(gzipped);
            LocalCluster.deleteTree(encrypted);
            if (legacy != null) {
                LocalCluster.deleteTree(legacy);
            }
        }
        try (Connection c = Pg.connect(cluster.connection("postgres"), "bench")) {
            Pg.execute(c, "DROP DATABASE " + db + " WITH (FORCE)");
        }
        return rows.toString();
    }

    /** A version 4 Ed25519/X25519 key pair, as gpg makes by default from 2.3 on, written to the two files. */
    private static Decryption encryptionKey(Path publicKey, Path secretKey) throws IOException {
        try {
            org.bouncycastle.openpgp.api.OpenPGPKey key = new org.bouncycastle.openpgp.api.bc.BcOpenPGPApi().generateKey(4)
                    .ed25519x25519Key("bench <bench@example.org>").build(null);
            java.nio.file.Files.writeString(publicKey, key.toCertificate().toAsciiArmoredString());
            java.nio.file.Files.writeString(secretKey, key.toAsciiArmoredString());
            java.nio.file.Files.setPosixFilePermissions(secretKey, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        } catch (org.bouncycastle.openpgp.PGPException e) {
            throw new IOException(e);
        }
        return Decryption.of(secretKey, null, null);
    }

    /** Applies the segments by one method into a fresh copy of the base; the seconds spent on the segments. */
    private static double apply(String method, LocalCluster cluster, String source, Path backup, Path base, List<Path> segments, String copy,
                                PgTools tools, Decryption decryption) throws SQLException, IOException, InterruptedException {
        ConnectionSpec target = cluster.connection(copy);
        if (method.startsWith(PGSCRIBE)) {
            Restorer.Summary s = new Restorer(tools, new PrintStream(OutputStream.nullOutputStream()), io.pgscribe.testing.TestKeys.reader())
                    .decryptingWith(decryption).run(new Restorer.Options(backup, cluster.connection(source),
                            cluster.connection("postgres"), copy));
            return s.applying().toNanos() / 1e9;
        }
        try (Connection c = Pg.connect(cluster.connection("postgres"), "bench")) {
            Pg.execute(c, "CREATE DATABASE " + copy + " TEMPLATE template0");
        }
        run(List.of(tools.path("psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-1", "-d", target.conninfo("bench"), "-f",
                base.toString()), null, target);
        long t0 = System.nanoTime();
        for (Path seg : segments) {
            if (method.equals(NAIVE)) {
                run(List.of(tools.path("psql"), "-X", "-q", "-d", target.conninfo("bench")), seg, target);
            } else {
                run(List.of(tools.path("psql"), "-X", "-q", "-1", "-d", target.conninfo("bench"), "-f", seg.toString()), null,
                        target);
            }
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    /** The earlier jar's restore in its own JVM; the seconds it reports applying segments (its start-up is not counted). */
    private double applyWithJar(LocalCluster cluster, String source, Path backup, String copy) throws Exception {
        ConnectionSpec src = cluster.connection(source);
        List<String> cmd = List.of("java", "-jar", compareJar.toAbsolutePath().toString(), "-s", "pgscribe.source.host=" + src.host(),
                "-s", "pgscribe.source.port=" + src.port(), "-s", "pgscribe.source.database=" + source,
                "-s", "pgscribe.backup.dir=" + backup, "restore", "--to-db", copy);
        // run beside the backup, not here: the earlier jar must not read this version's application.properties
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).directory(backup.toAbsolutePath().getParent().toFile());
        pb.environment().put("PGSCRIBE_SOURCE_PASSWORD", src.password());
        Process proc = pb.start();
        String out = new String(proc.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (proc.waitFor() != 0) {
            throw new IllegalStateException(compareJar + " restore failed:\n" + out);
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("segments applied in ([0-9.]+) s").matcher(out);
        if (!m.find()) {
            throw new IllegalStateException(compareJar + " restore printed no time:\n" + out);
        }
        return Double.parseDouble(m.group(1));
    }

    private static void run(List<String> command, Path stdin, ConnectionSpec target) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(command)).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.INHERIT);
        pb.environment().putAll(target.toolEnvironment());
        if (stdin != null) {
            pb.redirectInput(stdin.toFile());
        } else {
            pb.redirectInput(new File("/dev/null"));
        }
        int rc = pb.start().waitFor();
        if (rc != 0) {
            throw new IllegalStateException(String.join(" ", command.subList(0, 2)) + " failed with exit code " + rc);
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (var walk = Files.walk(from)) {
            for (Path p : walk.toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else if (!Files.isSymbolicLink(p)) {
                    Files.copy(p, t, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    private static void drop(LocalCluster cluster, String db) throws SQLException {
        try (Connection c = Pg.connect(cluster.connection("postgres"), "bench")) {
            Pg.execute(c, "DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
        }
    }

    static void log(String format, Object... args) {
        System.err.println(String.format(Locale.ROOT, format, args));
    }
}
