package io.pgscribe.cli;

import io.pgscribe.ExitCode;
import io.pgscribe.config.Settings;
import io.pgscribe.pg.ConnectionSpec;
import io.pgscribe.verify.Verifier;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Compare a restored database with the source (or with checksums saved earlier, e.g. those recorded "
                + "with each base), table by table: row count and an order-independent checksum of the content. Exits "
                + "with 3 on any difference. --backup checks the files of the backup set instead."})
final class VerifyCommand implements Callable<Integer> {

    @ParentCommand
    PgscribeCommand parent;

    @Option(names = "--db", paramLabel = "NAME", description = "The database to check (e.g. a restored one).")
    String db;

    @Option(names = "--backup", description = "Instead: check every file of the backup set against the manifest "
            + "(no server needed). Exits with 5 when a file is damaged or missing.")
    boolean backup;

    @Option(names = "--checksums", paramLabel = "FILE", description = "Compare --db with checksums saved in FILE instead of a database.")
    java.nio.file.Path checksums;

    @Option(names = "--save-checksums", paramLabel = "FILE",
            description = "Only save the checksums of --db to FILE (e.g. of the source when a base is taken), compare nothing.")
    java.nio.file.Path saveChecksums;

    @Option(names = "--against", paramLabel = "NAME", description = "Database to compare with (default: the source database).")
    String against;

    @Option(names = "--target-host", paramLabel = "HOST", description = "Server of --db (default: the source server).")
    String targetHost;

    @Option(names = "--target-port", paramLabel = "PORT", description = "Its port.")
    Integer targetPort;

    @Option(names = "--target-user", paramLabel = "USER", description = "Role to read --db as. Password: PGSCRIBE_TARGET_PASSWORD.")
    String targetUser;

    @Option(names = "--max-age", paramLabel = "DURATION", description = "With --backup: fail (exit 5) when the manifest "
            + "was last written longer ago than this (90s, 30m, 2h, 7d): an older set put in place of this one, or a runtime "
            + "that stopped writing.")
    String maxAge;

    @picocli.CommandLine.Mixin
    FromS3Option fromS3 = new FromS3Option();

    @picocli.CommandLine.Mixin
    TrustOption trust = new TrustOption();

    @Override
    public Integer call() throws Exception {
        PgscribeCommand.quietLogs();
        Settings s = parent.settings();
        if (backup) {
            java.nio.file.Path staging = null;
            io.pgscribe.manifest.SetTrust setTrust = trust.trust(s);
            try {
                if (fromS3.active()) {
                    try {
                        staging = fromS3.stage(s, null, setTrust, System.out);
                    } catch (io.pgscribe.PgscribeException e) {
                        if (e.exitCode() != ExitCode.DAMAGED) {
                            throw e;
                        }
                        System.out.println("DAMAGED  " + e.getMessage());
                        return ExitCode.DAMAGED;
                    }
                }
                // a local manifest that fails its checksum or signature is an error (exit 5) before any file is read
                var checks = io.pgscribe.verify.BackupVerifier.check(staging != null ? staging
                        : s.getPath(io.pgscribe.config.Setting.BACKUP_DIR).toAbsolutePath(), setTrust,
                        io.pgscribe.encryption.Decryption.fromSettings(s));
                io.pgscribe.verify.BackupVerifier.print(checks, System.out);
                io.pgscribe.verify.BackupVerifier.printHoles(staging != null ? staging
                        : s.getPath(io.pgscribe.config.Setting.BACKUP_DIR).toAbsolutePath(), System.out);
                boolean ok = checks.stream().allMatch(io.pgscribe.verify.BackupVerifier.Check::ok);
                if (maxAge != null) {
                    java.nio.file.Path dir = staging != null ? staging
                            : s.getPath(io.pgscribe.config.Setting.BACKUP_DIR).toAbsolutePath();
                    String stale = io.pgscribe.verify.Freshness.problem(io.pgscribe.manifest.ManifestStore.readUnverified(
                            dir.resolve(io.pgscribe.manifest.ManifestStore.FILE_NAME)), io.pgscribe.verify.Freshness.parse(maxAge,
                            "--max-age"), java.time.Instant.now());
                    if (stale != null) {
                        System.out.println("STALE    " + stale);
                        ok = false;
                    }
                }
                return ok ? ExitCode.OK : ExitCode.DAMAGED;
            } finally {
                if (staging != null) {
                    io.pgscribe.ship.RemoteBackupSet.remove(staging);
                }
            }
        }
        if (fromS3.active()) {
            System.err.println("pgscribe: error: --from-s3 goes with --backup (or with restore)");
            return ExitCode.USAGE;
        }
        if (db == null) {
            System.err.println("pgscribe: error: verify needs --db NAME (or --backup)");
            return ExitCode.USAGE;
        }
        ConnectionSpec source = ConnectionSpec.source(s);
        ConnectionSpec b = RestoreCommand.targetServer(source, targetHost, targetPort, targetUser, parent.environment()).withDatabase(db);
        if (saveChecksums != null) {
            var sums = Verifier.checksums(b);
            Verifier.save(sums, saveChecksums);
            System.out.println("Saved the checksums of " + sums.size() + " table(s) of " + db + " to " + saveChecksums);
            return ExitCode.OK;
        }
        Verifier.Report report;
        String nameA;
        if (checksums != null) {
            report = Verifier.compare(Verifier.load(checksums), Verifier.checksums(b));
            nameA = checksums.getFileName().toString();
        } else {
            ConnectionSpec a = against == null ? source : source.withDatabase(against);
            report = Verifier.compare(a, b);
            nameA = a.database();
        }
        Verifier.print(report, nameA, b.database(), System.out);
        return report.same() ? ExitCode.OK : ExitCode.DIFFERENT;
    }
}
