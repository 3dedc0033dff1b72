package io.pgscribe.cli;

import io.pgscribe.ExitCode;
import io.pgscribe.PgscribeException;
import io.pgscribe.config.Setting;
import io.pgscribe.config.Settings;
import io.pgscribe.manifest.Manifest;
import io.pgscribe.manifest.ManifestStore;
import io.pgscribe.manifest.SetTrust;
import io.pgscribe.pg.ConnectionSpec;
import io.pgscribe.pg.SourceIdentity;
import io.pgscribe.retention.Pruner;
import io.pgscribe.retention.RetentionSettings;
import io.pgscribe.signing.SetKeys;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(name = "prune", mixinStandardHelpOptions = true,
        description = {"Apply the retention policy (pgscribe.retention.*) to the backup set: remove the bases, segments and "
                + "globals no kept restore point needs. The manifest is updated before any file is deleted. "
                + "--dry-run prints what would go and why."})
final class PruneCommand implements Callable<Integer> {

    @ParentCommand
    PgscribeCommand parent;

    @Option(names = "--dry-run", description = "Print what would be removed and why; change nothing.")
    boolean dryRun;

    @Override
    public Integer call() {
        PgscribeCommand.quietLogs();
        Settings s = parent.settings();
        io.pgscribe.storage.SetPermissions.require(s.getPath(Setting.BACKUP_DIR).toAbsolutePath());
        ManifestStore store = new ManifestStore(s.getPath(Setting.BACKUP_DIR).toAbsolutePath(),
                SetTrust.writer(SetKeys.signing(s)));
        Manifest m = store.load();
        requireSource(s, m, store);
        new Pruner(store, RetentionSettings.policy(s), Clock.systemUTC(), s.getBoolean(Setting.SHIP_ENABLED))
                .prune(dryRun, System.out);
        return ExitCode.OK;
    }

    /**
     * Prune applies this pipeline's retention: never to a set of another database. The server's
     * identity is checked when it can be reached; prune itself needs no server.
     */
    private static void requireSource(Settings s, Manifest m, ManifestStore store) {
        ConnectionSpec spec = ConnectionSpec.source(s);
        String where = store.file().getParent().toString();
        if (!spec.database().equals(m.source().database())) {
            new SourceIdentity(m.source().systemIdentifier(), spec.database())
                    .requireRecorded(m.source().identity(), where, spec.host() + ":" + spec.port());
        }
        try {
            SourceIdentity.verify(spec, m.source().identity(), where);
        } catch (PgscribeException e) {
            if (e.exitCode() == ExitCode.REFUSED) {
                throw e;
            }
            System.out.println("note: cannot reach " + spec.describe() + " to check that it is the backup set's source; "
                    + "pruning by the manifest alone");
        } catch (java.sql.SQLException e) {
            System.out.println("note: cannot check that " + spec.describe() + " is the backup set's source (" + e.getMessage()
                    + "); pruning by the manifest alone");
        }
    }
}
