package io.pgscribe.base;

import io.pgscribe.decode.DecoderPlugin;
import io.pgscribe.manifest.BaseEntry;
import io.pgscribe.manifest.Manifest;
import io.pgscribe.manifest.ManifestStore;
import io.pgscribe.pg.ConnectionSpec;
import io.pgscribe.pg.PgTools;
import io.pgscribe.pg.SlotCreation;
import io.pgscribe.pg.SlotManager;
import io.pgscribe.pg.SourceIdentity;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A scheduled base, in three steps around camel-exec running pg_dump (routes/base.camel.yaml):
 * {@link #prepare} creates a temporary slot on a replication connection, which exports a
 * snapshot at its consistent point, reads the metadata through that snapshot and sets
 * pg_dump's command line; {@link #publish} publishes the dump, its sidecars and its manifest
 * entry; {@link #release} always runs, closing that connection (the server drops the
 * temporary slot) and removing what a failed run left.
 */
public final class BaseJob {

    private static final Logger LOG = LoggerFactory.getLogger(BaseJob.class);
    static final String RUN = "pgscribeBaseRun";

    private final ConnectionSpec spec;
    private final PgTools tools;
    private final ManifestStore store;
    private final boolean checksums;
    private final Duration timeout;
    private final Clock clock;
    private final BaseBackup.Format format;

    public BaseJob(ConnectionSpec spec, PgTools tools, ManifestStore store, boolean checksums, Duration timeout, Clock clock,
                   BaseBackup.Format format) {
        this.format = format;
        this.spec = spec;
        this.tools = tools;
        this.store = store;
        this.checksums = checksums;
        this.timeout = timeout;
        this.clock = clock;
    }

    /** What one base run holds between its steps. */
    record Run(SlotCreation slot, BaseSnapshot snapshot, String name, Instant startedAt, ExecDump dump)
            implements AutoCloseable {
        @Override
        public void close() {
            try {
                dump.close();
            } finally {
                slot.close();
            }
        }
    }

    public void prepare(Exchange exchange) throws SQLException {
        Manifest m = store.load();
        SourceIdentity.verify(spec, m.source().identity(), store.file().getParent().toString());
        Instant now = clock.instant();
        String tempSlot = temporarySlotName(m.slot(), now);
        SlotCreation slot = SlotManager.createTemporaryWithSnapshot(spec, tempSlot, m.decoder());
        try {
            boolean specials = DecoderPlugin.fromName(m.decoder()) == DecoderPlugin.WAL2JSON
                    && !m.decoderOptions().contains(DecoderPlugin.WAL2JSON_NUMBERS_AS_STRINGS);
            BaseSnapshot snapshot = BaseSnapshot.read(spec, slot.snapshotName(), checksums, specials);
            String name = BaseBackup.fileName(slot.consistentPoint(), now, format);
            Path target = store.file().getParent().resolve("base").resolve(name);
            ExecDump dump = new ExecDump("pg_dump", target, spec);
            exchange.setProperty(RUN, new Run(slot, snapshot, name, now, dump));
            dump.setCommand(exchange, tools.path("pg_dump"),
                    BaseBackup.arguments(slot.snapshotName(), dump.conninfo(spec, "pgscribe-base"), format), timeout);
            LOG.info("Taking a base at consistent point {} (temporary slot {}, snapshot {})", slot.consistentPoint(), tempSlot,
                    slot.snapshotName());
        } catch (RuntimeException | SQLException e) {
            if (exchange.getProperty(RUN) == null) {
                slot.close();
            }
            throw e;
        }
    }

    public BaseEntry publish(Exchange exchange) {
        Run run = exchange.getProperty(RUN, Run.class);
        Manifest m = store.load();
        DumpFiles.Published p = run.dump().publish(exchange);
        BaseEntry entry = BaseBackup.entry(run.name(), run.slot().consistentPoint(), run.slot().snapshotName(),
                run.startedAt(), p, format);
        BaseEntry withSidecars = BaseSidecars.write(store.file().getParent(), entry, run.snapshot(), m.decoder(),
                m.decoderOptions(), m.slot());
        store.update(current -> current.withBase(withSidecars));
        LOG.info("Base {} ({} bytes), consistent point {}, taken in {} s", withSidecars.file(), withSidecars.bytes(),
                withSidecars.consistentPoint(), Duration.between(run.startedAt(), clock.instant()).toSeconds());
        exchange.getMessage().setBody(withSidecars);
        return withSidecars;
    }

    public void release(Exchange exchange) {
        Run run = exchange.getProperty(RUN, Run.class);
        if (run != null) {
            exchange.removeProperty(RUN);
            run.close();
        }
    }

    /**
     * At start (no run is in progress yet): stops the dump tools a killed runtime left running
     * (they still write into the set), then removes the dumps a crash interrupted and their passfiles.
     */
    public void removeLeftovers() {
        Path dir = store.file().getParent();
        for (long pid : OrphanedDumps.stop(dir)) {
            LOG.warn("Stopped pg_dump/pg_dumpall (pid {}): left running by a runtime that was killed", pid);
        }
        for (Path p : io.pgscribe.pg.ToolPassfile.removeLeftovers(dir)) {
            LOG.warn("Removed {}: the password file of a dump a crash ended", dir.relativize(p));
        }
        for (String sub : java.util.List.of("base", "globals")) {
            for (Path p : DumpFiles.removePartials(dir.resolve(sub))) {
                LOG.warn("Removed {}: a dump interrupted by a crash, never part of the backup set", dir.relativize(p));
            }
        }
    }

    /** Temporary slot names are unique per run; 63 characters at most. */
    static String temporarySlotName(String slot, Instant now) {
        String suffix = "_base_" + now.getEpochSecond();
        String head = slot.length() + suffix.length() > 63 ? slot.substring(0, 63 - suffix.length()) : slot;
        return head + suffix;
    }
}
