package io.pgscribe.cli;

import io.pgscribe.demo.Demo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"The whole cycle with no configuration: start a throwaway cluster from the PostgreSQL server "
                + "binaries on this machine, init, capture a workload, restore into a new database, verify, clean up."})
final class DemoCommand implements Callable<Integer> {

    @Option(names = "--keep", description = "Keep the (stopped) cluster and the backup set to look at afterwards.")
    boolean keep;

    @Option(names = "--dir", paramLabel = "DIR", description = "Where to put the cluster and the backup set (default: a new temp directory).")
    Path dir;

    @Override
    public Integer call() throws Exception {
        PgscribeCommand.quietLogs();
        Path work = dir != null ? dir : Files.createTempDirectory("pgscribe-demo-");
        return new Demo(System.out).run(work, keep);
    }
}
