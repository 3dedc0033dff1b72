package io.pgscribe.base;

import io.pgscribe.pg.ConnectionSpec;
import io.pgscribe.pg.ToolPassfile;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.camel.Exchange;
import org.apache.camel.component.exec.ExecBinding;
import org.apache.camel.component.exec.ExecResult;

/**
 * One run of a dump tool through camel-exec: the command line goes into the exchange's
 * headers (the password into a temporary passfile, never the command line), the tool
 * writes {@code <target>.partial}, and only a zero exit publishes it under its final name.
 */
final class ExecDump implements AutoCloseable {

    private final String what;
    private final Path target;
    private final Path partial;
    private final ToolPassfile passfile;

    ExecDump(String what, Path target, ConnectionSpec spec) {
        this.what = what;
        this.target = target;
        this.partial = DumpFiles.partialOf(target);
        // base/ or globals/ sits in the backup set, whose .credentials holds the passfile
        this.passfile = ToolPassfile.forSpec(spec, target.toAbsolutePath().getParent().getParent());
    }

    String conninfo(ConnectionSpec spec, String applicationName) {
        return passfile.conninfo(spec, applicationName);
    }

    /** Sets the command line for the exec endpoint that follows. */
    void setCommand(Exchange exchange, String executable, List<String> argumentsWithoutFile, Duration timeout) {
        io.pgscribe.storage.DurableFiles.ownerOnlyDirectory(target.getParent());
        List<String> args = new ArrayList<>(argumentsWithoutFile);
        args.add("--file=" + partial);
        DumpFiles.createPartial(partial);
        // camel-exec hands a child the runtime's whole environment (S3 and SMTP secrets included): env -i gives it only its own
        List<String> cmd = io.pgscribe.pg.ChildEnvironment.viaEnv(executable, args, java.util.Map.of());
        exchange.getMessage().setHeader(ExecBinding.EXEC_COMMAND_EXECUTABLE, cmd.get(0));
        exchange.getMessage().setHeader(ExecBinding.EXEC_COMMAND_ARGS, cmd.subList(1, cmd.size()));
        exchange.getMessage().setHeader(ExecBinding.EXEC_COMMAND_TIMEOUT, timeout.toMillis());
    }

    /** After the exec endpoint: the published file, or the tool's failure with its stderr. */
    DumpFiles.Published publish(Exchange exchange) {
        ExecResult result = exchange.getMessage().getBody(ExecResult.class);
        if (result == null) {
            throw new IllegalStateException(what + ": the exec step left no result (is the route's exec endpoint in place?)");
        }
        if (result.getExitValue() != 0) {
            DumpFiles.deleteQuietly(partial);
            throw DumpFiles.failed(what, result.getExitValue(), text(result.getStderr()));
        }
        return DumpFiles.publish(partial, target);
    }

    Path target() {
        return target;
    }

    /** Removes the passfile and whatever part of the dump is left. */
    @Override
    public void close() {
        passfile.close();
        DumpFiles.deleteQuietly(partial);
    }

    private static String text(InputStream in) {
        if (in == null) {
            return "";
        }
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
