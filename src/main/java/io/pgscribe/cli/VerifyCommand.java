package io.pgscribe.cli;

import io.pgscribe.ExitCode;
import io.pgscribe.config.Settings;
import io.pgscribe.server.ConnectionSpec;
import io.pgscribe.verify.Verifier;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Compare a restored database with the source, table by table: row count and an order-independent "
                + "checksum of the content. Exits with 3 on any difference."})
final class VerifyCommand implements Callable<Integer> {

    @ParentCommand
    PgscribeCommand parent;

    @Option(names = "--db", required = true, paramLabel = "NAME", description = "The restored database.")
    String db;

    @Option(names = "--against", paramLabel = "NAME", description = "Database to compare with (default: the source database).")
    String against;

    @Option(names = "--target-host", paramLabel = "HOST", description = "Server of --db (default: the source server).")
    String targetHost;

    @Option(names = "--target-port", paramLabel = "PORT", description = "Its port.")
    Integer targetPort;

    @Option(names = "--target-user", paramLabel = "USER", description = "Role to read --db as. Password: PGSCRIBE_TARGET_PASSWORD.")
    String targetUser;

    @Override
    public Integer call() throws Exception {
        PgscribeCommand.quietLogs();
        Settings s = parent.settings();
        ConnectionSpec source = ConnectionSpec.source(s);
        ConnectionSpec a = against == null ? source : source.withDatabase(against);
        ConnectionSpec b = RestoreCommand.targetServer(source, targetHost, targetPort, targetUser).withDatabase(db);
        Verifier.Report report = Verifier.compare(a, b);
        Verifier.print(report, a.database(), b.database(), System.out);
        return report.same() ? ExitCode.OK : ExitCode.DIFFERENT;
    }
}
