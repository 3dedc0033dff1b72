package io.pgscribe.cli;

import io.pgscribe.ExitCode;
import io.pgscribe.config.Setting;
import io.pgscribe.config.Settings;
import io.pgscribe.manifest.ManifestStore;
import io.pgscribe.retention.Pruner;
import io.pgscribe.retention.RetentionSettings;
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
        ManifestStore store = new ManifestStore(s.getPath(Setting.BACKUP_DIR).toAbsolutePath());
        ManifestStore.read(store.file());
        new Pruner(store, RetentionSettings.policy(s), Clock.systemUTC(), s.getBoolean(Setting.SHIP_ENABLED))
                .prune(dryRun, System.out);
        return ExitCode.OK;
    }
}
