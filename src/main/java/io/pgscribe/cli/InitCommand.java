package io.pgscribe.cli;

import io.pgscribe.ExitCode;
import io.pgscribe.init.Initializer;
import io.pgscribe.pg.ReplicaIdentityAudit;
import java.time.Clock;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(name = "init", mixinStandardHelpOptions = true,
        description = {"Check the server, install the DDL capture, audit replica identity, create the slot and take the "
                + "first base through the slot's snapshot; for every database of pgscribe.databases (or --database). Running it "
                + "again changes nothing."})
final class InitCommand implements Callable<Integer> {

    @ParentCommand
    PgscribeCommand parent;

    @Option(names = "--replica-identity", paramLabel = "refuse|full|ignore", defaultValue = "refuse",
            description = "Tables whose UPDATE/DELETE cannot be decoded: refuse (default), full (set REPLICA IDENTITY FULL "
                    + "on them), ignore (record them as a known gap).")
    String replicaIdentity;

    @Option(names = "--if-needed", description = "Only the databases whose backup directory holds no backup set yet; "
            + "the others are left alone, not even checked (for a container's entrypoint, at every start).")
    boolean ifNeeded;

    @Option(names = "--no-role-passwords", description = "Dump globals without role passwords (for roles that cannot read them).")
    boolean noRolePasswords;

    @Override
    public Integer call() throws Exception {
        PgscribeCommand.quietLogs();
        ReplicaIdentityAudit.Mode mode;
        try {
            mode = ReplicaIdentityAudit.Mode.valueOf(replicaIdentity.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            System.err.println("pgscribe: error: --replica-identity must be refuse, full or ignore");
            return ExitCode.USAGE;
        }
        java.util.List<io.pgscribe.config.Settings> pipelines = parent.allSettings().pipelines();
        for (io.pgscribe.config.Settings p : pipelines) {
            if (pipelines.size() > 1) {
                System.out.println("== database " + p.pipeline() + " ==");
            }
            java.nio.file.Path dir = p.getPath(io.pgscribe.config.Setting.BACKUP_DIR).toAbsolutePath();
            if (ifNeeded && new io.pgscribe.manifest.ManifestStore(dir).exists()) {
                System.out.println("Backup set present in " + dir + ": nothing to do");
                continue;
            }
            new Initializer(p, System.out, Clock.systemUTC()).run(new Initializer.Options(mode, noRolePasswords));
        }
        return ExitCode.OK;
    }
}
