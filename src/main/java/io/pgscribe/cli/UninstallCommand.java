package io.pgscribe.cli;

import io.pgscribe.ExitCode;
import io.pgscribe.config.Setting;
import io.pgscribe.config.Settings;
import io.pgscribe.init.Uninstaller;
import io.pgscribe.pg.ConnectionSpec;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(name = "uninstall", mixinStandardHelpOptions = true,
        description = {"Remove the pipeline from the source server: drop its replication slot (so it stops holding WAL) "
                + "and the pgscribe schema with its event triggers. The backup directory is not touched."})
final class UninstallCommand implements Callable<Integer> {

    @ParentCommand
    PgscribeCommand parent;

    @Option(names = "--dry-run", description = "Say what would be dropped, drop nothing.")
    boolean dryRun;

    @Override
    public Integer call() throws Exception {
        PgscribeCommand.quietLogs();
        Settings s = parent.settings();
        java.nio.file.Path dir = s.getPath(Setting.BACKUP_DIR);
        // a runtime holds the set's lock for its life, also while pg_recvlogical restarts and the slot looks idle
        io.pgscribe.storage.BackupSetLock lock = java.nio.file.Files.isDirectory(dir)
                ? io.pgscribe.storage.BackupSetLock.acquire(dir.toAbsolutePath(), "uninstall") : null;
        if (lock == null) {
            System.err.println("pgscribe: no backup set at " + dir + " here, so no runtime lock was checked: a runtime "
                    + "elsewhere is seen only while it is connected (not in the seconds between its restarts, or after a "
                    + "server restart before it reconnects)");
        }
        try {
            Uninstaller.run(ConnectionSpec.source(s), s.get(Setting.SLOT_NAME), dryRun, System.out);
        } finally {
            if (lock != null) {
                lock.close();
            }
        }
        return ExitCode.OK;
    }
}
