package io.pgscribe.cli;

import io.pgscribe.ExitCode;
import io.pgscribe.config.Setting;
import io.pgscribe.config.Settings;
import io.pgscribe.restore.Restorer;
import io.pgscribe.server.ConnectionSpec;
import io.pgscribe.server.PgTools;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(name = "restore", mixinStandardHelpOptions = true,
        description = {"Rebuild the database into a new one: the newest base, then every segment after it. "
                + "Every file is checked against the manifest first; a failed restore drops what it built."})
final class RestoreCommand implements Callable<Integer> {

    @ParentCommand
    PgscribeCommand parent;

    @Option(names = "--to-db", required = true, paramLabel = "NAME", description = "New database to create; must not exist.")
    String toDb;

    @Option(names = "--target-host", paramLabel = "HOST", description = "Server to restore to (default: the source server).")
    String targetHost;

    @Option(names = "--target-port", paramLabel = "PORT", description = "Its port (default: the source's).")
    Integer targetPort;

    @Option(names = "--target-user", paramLabel = "USER",
            description = "Role to restore as, a superuser (default: the source's). Its password: PGSCRIBE_TARGET_PASSWORD.")
    String targetUser;

    @Option(names = "--keep-progress", description = "Keep the record of the last applied transaction in the target "
            + "(schema pgscribe_restore), so that --continue can apply later segments.")
    boolean keepProgress;

    @Option(names = "--continue", description = "Apply to --to-db (restored with --keep-progress) only the transactions "
            + "after the last one it holds.")
    boolean continueExisting;

    @Override
    public Integer call() throws Exception {
        PgscribeCommand.quietLogs();
        Settings s = parent.settings();
        ConnectionSpec source = ConnectionSpec.source(s);
        Restorer.Options o = new Restorer.Options(s.getPath(Setting.BACKUP_DIR).toAbsolutePath(), source,
                targetServer(source, targetHost, targetPort, targetUser), toDb, keepProgress || continueExisting,
                continueExisting);
        new Restorer(PgTools.locate(s.get(Setting.PG_BINDIR)), System.out).run(o);
        return ExitCode.OK;
    }

    static ConnectionSpec targetServer(ConnectionSpec source, String host, Integer port, String user) {
        if (host == null && port == null && user == null) {
            return source;
        }
        String password = System.getenv("PGSCRIBE_TARGET_PASSWORD");
        return new ConnectionSpec(host == null ? source.host() : host, port == null ? source.port() : port,
                source.database(), user == null ? source.user() : user, password != null ? password : source.password(),
                source.passfile(), source.sslmode());
    }
}
