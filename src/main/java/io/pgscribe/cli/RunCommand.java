package io.pgscribe.cli;

import io.pgscribe.ExitCode;
import io.pgscribe.runtime.PgscribeRuntime;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Run the Camel runtime: the routes in routes/*.camel.yaml capture every committed change into segments, "
                + "for every database of pgscribe.databases (or --database). Stops gracefully on SIGTERM or Ctrl-C."})
final class RunCommand implements Callable<Integer> {

    @ParentCommand
    PgscribeCommand parent;

    @Override
    public Integer call() throws Exception {
        PgscribeRuntime.create(parent.allSettings()).run();
        return ExitCode.OK;
    }
}
