package io.pgscribe.base;

import io.pgscribe.manifest.GlobalsEntry;
import io.pgscribe.manifest.ManifestStore;
import io.pgscribe.pg.ConnectionSpec;
import io.pgscribe.pg.PgTools;
import io.pgscribe.pg.SourceIdentity;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The scheduled globals dump ({@code pg_dumpall --globals-only}) around camel-exec: see routes/globals.camel.yaml. */
public final class GlobalsJob {

    private static final Logger LOG = LoggerFactory.getLogger(GlobalsJob.class);
    static final String RUN = "pgscribeGlobalsRun";

    private final ConnectionSpec spec;
    private final PgTools tools;
    private final ManifestStore store;
    private final boolean noRolePasswords;
    private final Duration timeout;
    private final Clock clock;

    public GlobalsJob(ConnectionSpec spec, PgTools tools, ManifestStore store, boolean noRolePasswords, Duration timeout,
                      Clock clock) {
        this.spec = spec;
        this.tools = tools;
        this.store = store;
        this.noRolePasswords = noRolePasswords;
        this.timeout = timeout;
        this.clock = clock;
    }

    record Run(String name, Instant startedAt, ExecDump dump) {
    }

    public void prepare(Exchange exchange) throws java.sql.SQLException {
        SourceIdentity.verify(spec, store.load().source().identity(), store.file().getParent().toString());
        Instant now = clock.instant();
        String name = GlobalsDump.fileName(now);
        ExecDump dump = new ExecDump("pg_dumpall --globals-only", store.file().getParent().resolve("globals").resolve(name),
                spec);
        exchange.setProperty(RUN, new Run(name, now, dump));
        dump.setCommand(exchange, tools.path("pg_dumpall"),
                GlobalsDump.arguments(dump.conninfo(spec, "pgscribe-globals"), noRolePasswords), timeout);
    }

    public GlobalsEntry publish(Exchange exchange) {
        Run run = exchange.getProperty(RUN, Run.class);
        DumpFiles.Published p = run.dump().publish(exchange);
        GlobalsEntry entry = GlobalsDump.entry(run.name(), run.startedAt(), p);
        store.update(m -> m.withGlobals(entry));
        LOG.info("Globals {} ({} bytes)", entry.file(), entry.bytes());
        exchange.getMessage().setBody(entry);
        return entry;
    }

    public void release(Exchange exchange) {
        Run run = exchange.getProperty(RUN, Run.class);
        if (run != null) {
            exchange.removeProperty(RUN);
            run.dump().close();
        }
    }
}
