package io.pgscribe.monitor;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.pgscribe.alert.AlertEvent;
import io.pgscribe.alert.Severity;
import io.pgscribe.capture.CaptureSink;
import io.pgscribe.capture.RecvlogicalComponent;
import io.pgscribe.manifest.Manifest;
import io.pgscribe.manifest.ManifestStore;
import io.pgscribe.pg.ConnectionSpec;
import io.pgscribe.pg.OutputPluginAllowlist;
import io.pgscribe.pg.Pg;
import io.pgscribe.pg.SlotSample;
import io.pgscribe.ship.Shipper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.ToDoubleFunction;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The monitor route's bean (routes/monitor.camel.yaml): samples the slot and the pipeline, keeps the
 * figures the metrics endpoint and the health check read, and reports each rule's state to the
 * alert route (firing while it holds, resolved once when it clears). Slot metrics carry
 * postgres_exporter's names and labels, so its dashboards work on them.
 */
public final class Monitor {

    private static final Logger LOG = LoggerFactory.getLogger(Monitor.class);
    private static final List<String> WAL_STATUSES = List.of("reserved", "extended", "unreserved", "lost");

    /** The last sample: the slot (null if missing), the pipeline, the findings, when. */
    public record Snapshot(SlotSample slot, PipelineFigures pipeline, List<Finding> findings, Instant at, String error) {
        public Severity worst() {
            return HealthRules.worst(findings);
        }
    }

    private final ConnectionSpec spec;
    private final String slotName;
    private final String database;
    private final ManifestStore store;
    private final Path spoolDir;
    private final RecvlogicalComponent.Capture recvlogical;
    private final CaptureSink sink;
    private final Shipper shipper;
    private final Thresholds thresholds;
    private final Clock clock;
    private final Instant startedAt;

    private volatile Snapshot last;
    private Instant inactiveSince;
    private Instant downSince;
    private Set<String> firing = new HashSet<>();
    private boolean metersRegistered;

    public Monitor(ConnectionSpec spec, String slotName, ManifestStore store, Path spoolDir, RecvlogicalComponent.Capture recvlogical,
                   CaptureSink sink, Shipper shipper, Thresholds thresholds, Clock clock) {
        this.spec = spec;
        this.slotName = slotName;
        this.database = spec.database();
        this.store = store;
        this.spoolDir = spoolDir;
        this.recvlogical = recvlogical;
        this.sink = sink;
        this.shipper = shipper;
        this.thresholds = thresholds;
        this.clock = clock;
        this.startedAt = clock.instant();
    }

    private io.pgscribe.capture.CaptureFault fault;
    private String routePrefix;
    private io.pgscribe.capture.CaptureFault.State lastWrittenFault;
    private String lastWrittenHalt;
    private String lastWrittenDown;
    private boolean downWritten;
    private boolean haltWritten;

    /** Also reports {@code fault} (the capture's repeating error) and this pipeline's stopped routes. */
    public Monitor watching(io.pgscribe.capture.CaptureFault fault, String routePrefix) {
        this.fault = fault;
        this.routePrefix = routePrefix;
        return this;
    }

    private io.pgscribe.storage.LockWatch lockWatch;

    /** Also reports a lock on the backup set that this runtime lost. */
    public Monitor watchingLock(io.pgscribe.storage.LockWatch lock) {
        this.lockWatch = lock;
        return this;
    }

    public Snapshot last() {
        return last;
    }

    /** Findings on what keeps failing, is halted, lost or stopped. */
    private List<Finding> faults(Manifest m, Exchange exchange) {
        List<Finding> out = new ArrayList<>();
        io.pgscribe.capture.CaptureFault.State f = fault == null ? null : fault.current().orElse(null);
        if (!java.util.Objects.equals(f, lastWrittenFault)) {
            PipelineFaults.writeFault(store.file().getParent(), f);
            lastWrittenFault = f;
        }
        PipelineFaults.captureFailing(f, "").ifPresent(out::add);
        if (recvlogical.supervisor() != null) {
            String halt = recvlogical.supervisor().halted().orElse(null);
            if (!haltWritten || !java.util.Objects.equals(halt, lastWrittenHalt)) {
                // also once at the first run: a halt file a stopped runtime left is the past now
                PipelineFaults.writeHalted(store.file().getParent(), halt, Instant.now());
                lastWrittenHalt = halt;
                haltWritten = true;
            }
            if (halt != null) {
                out.add(PipelineFaults.halted(halt));
            }
        }
        if (m != null) {
            out.addAll(PipelineFaults.holes(m));
        }
        String lockLost = lockWatch == null ? null : lockWatch.problem();
        if (lockLost != null) {
            out.add(new Finding(PipelineFaults.LOCK_LOST, Severity.EMERGENCY, lockLost, "Two runtimes write this backup set: "
                    + "stop the other one (its capture refuses to start while this one streams), then restart this one."));
        }
        if (routePrefix != null && exchange != null && exchange.getContext().getStatus().isStarted()) {
            List<String> stopped = new ArrayList<>();
            for (org.apache.camel.Route r : exchange.getContext().getRoutes()) {
                String id = r.getId();
                if ((routePrefix.isEmpty() || id.startsWith(routePrefix)) && r.isAutoStartup()
                        && !exchange.getContext().getRouteController().getRouteStatus(id).isStarted()) {
                    stopped.add(id + " (" + exchange.getContext().getRouteController().getRouteStatus(id) + ")");
                }
            }
            if (!stopped.isEmpty()) {
                out.add(new Finding(HealthRules.ROUTE_STOPPED, Severity.CRITICAL, "route(s) " + String.join(", ", stopped)
                        + " stopped by themselves: what they do (bases, pruning, shipping, capture) no longer happens",
                        "See the log for why; fix it and restart pgscribe."));
            }
        }
        return out;
    }

    /** One sample; returns the events for the alert route. */
    public synchronized List<AlertEvent> sample(Exchange exchange) {
        registerMeters(exchange);
        Instant now = clock.instant();
        Manifest m;
        try {
            m = store.load();
        } catch (RuntimeException e) {
            // a manifest gone or damaged while running: every writer of the set fails until it is back
            io.pgscribe.PgscribeException p = e instanceof io.pgscribe.PgscribeException x ? x : null;
            List<Finding> findings = new ArrayList<>(faults(null, exchange));
            findings.add(new Finding(HealthRules.BACKUP_SET_UNREADABLE, Severity.EMERGENCY, e.getMessage(),
                    p != null && p.hint() != null ? p.hint() : "Put manifest.json back from a copy."));
            last = new Snapshot(last == null ? null : last.slot(), last == null ? null : last.pipeline(), findings, now, null);
            return report(findings, last == null ? null : last.slot());
        }
        SlotSample slot;
        OutputPluginAllowlist allowlist;
        try (Connection c = Pg.connect(spec, "pgscribe-monitor")) {
            slot = SlotSample.read(c, slotName);
            allowlist = OutputPluginAllowlist.read(c).orElse(null);
        } catch (Exception e) {
            String error = e.getMessage();
            LOG.warn("Cannot read the slot {} from {}: {}", slotName, spec.describe(), e.getMessage());
            List<AlertEvent> events = new ArrayList<>();
            events.add(AlertEvent.firing("server-unreachable", Severity.CRITICAL, "pgscribe cannot query " + spec.describe()
                    + ": " + e.getMessage(), "Check the server and the network; capture resumes by itself when it is back."));
            last = new Snapshot(last == null ? null : last.slot(), last == null ? null : last.pipeline(),
                    last == null ? List.of() : last.findings(), now, error);
            return events;
        }
        if (slot != null && !slot.active()) {
            inactiveSince = inactiveSince == null ? now : inactiveSince;
        } else {
            inactiveSince = null;
        }
        boolean up = recvlogical.supervisor() != null && recvlogical.supervisor().streaming();
        downSince = up ? null : downSince == null ? now : downSince;
        PipelineFigures p = figures(m, slot, up, now);
        Long inactiveSeconds = inactiveSince == null ? null : Duration.between(inactiveSince, now).toSeconds();
        DecoderAllowance decoder = slot == null ? null : new DecoderAllowance(spec.host() + ":" + spec.port(), slot.plugin(),
                allowlist, recvlogical.supervisor() == null ? null : recvlogical.supervisor().decoderRefusal().orElse(null));
        List<Finding> findings = new ArrayList<>(HealthRules.evaluate(slotName, slot, inactiveSeconds, p, decoder, thresholds));
        if (recvlogical.supervisor() != null) {
            String lastError = recvlogical.supervisor().lastError().orElse(null);
            findings.replaceAll(f -> withLastError(f, lastError));
            String down = up ? null : lastError;
            if (!downWritten || !java.util.Objects.equals(down, lastWrittenDown)) {
                PipelineFaults.writeDown(store.file().getParent(), down); // for status, another process
                lastWrittenDown = down;
                downWritten = true;
            }
        }
        findings.addAll(faults(m, exchange));
        if (store.readFromCopy()) {
            // the capture's next checkpoint writes it again
            findings.add(new Finding(HealthRules.BACKUP_SET_UNREADABLE, Severity.WARNING, store.file() + " is missing or "
                    + "damaged: the set is read from its copy " + ManifestStore.COPY_NAME + " until a write of the set "
                    + "(a closed segment, a base, a prune) replaces it", "Find out what removed or changed it (a clean-up "
                    + "job, a hand, the disk)."));
        } else if (store.copyProblem() != null) {
            findings.add(new Finding(HealthRules.BACKUP_SET_UNREADABLE, Severity.WARNING, store.copyProblem() + " in "
                    + store.file().getParent() + ": the manifest has no whole second copy to fall back to until the next "
                    + "write of the set", "Find out what changed it; check the disk (`pgscribe verify --backup`)."));
        }
        last = new Snapshot(slot, p, findings, now, null);
        return report(findings, slot);
    }

    /** capture-down with pg_recvlogical's own last error: the cause, not "look at the log". */
    public static Finding withLastError(Finding f, String lastError) {
        if (!f.rule().equals(HealthRules.CAPTURE_DOWN) || lastError == null) {
            return f;
        }
        return new Finding(f.rule(), f.severity(), f.message() + "; it last ended with: " + lastError, f.hint());
    }

    /** Each finding as a firing event; each rule that fired last time and not now as resolved. */
    private List<AlertEvent> report(List<Finding> findings, SlotSample slot) {
        List<AlertEvent> events = new ArrayList<>();
        Set<String> now_ = new HashSet<>();
        for (Finding f : findings) {
            now_.add(f.rule());
            events.add(AlertEvent.firing(f.rule(), f.severity(), f.message(), f.hint()));
        }
        // the alert route drops a resolved event for a rule that was not firing
        events.add(AlertEvent.resolved("server-unreachable", "pgscribe reaches " + spec.describe() + " again"));
        for (String rule : firing) {
            if (!now_.contains(rule) && HealthRules.RULES.contains(rule)) {
                events.add(AlertEvent.resolved(rule, resolvedText(rule, slot)));
            }
        }
        firing = now_;
        return events;
    }

    private String resolvedText(String rule, SlotSample slot) {
        if (rule.equals(HealthRules.RETAINED_WAL) && slot != null && slot.retainedBytes() != null) {
            return "the slot " + slotName + " retains " + HealthRules.mb(slot.retainedBytes()) + " of WAL again";
        }
        return rule + " on slot " + slotName + " is back to normal";
    }

    PipelineFigures figures(Manifest m, SlotSample slot, boolean up, Instant now) {
        Integer backlog = shipper != null && shipper.enabled() ? shipper.state().waiting() : null;
        return PipelineFigures.of(m, slot, up, up ? 0L : Duration.between(downSince, now).toSeconds(),
                recvlogical.supervisor() == null ? null : recvlogical.supervisor().restarts(),
                sink == null ? null : sink.changesWritten(), spoolBytes(spoolDir), backlog, now);
    }

    public static long spoolBytes(Path dir) {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (var files = Files.list(dir)) {
            return files.filter(f -> !Files.isSymbolicLink(f) && Files.isRegularFile(f)).mapToLong(f -> {
                try {
                    return Files.size(f);
                } catch (IOException e) {
                    return 0;
                }
            }).sum();
        } catch (IOException e) {
            return 0;
        }
    }

    /** Health: up only while the capture runs and nothing is at CRITICAL or worse. */
    public boolean healthy() {
        Snapshot s = last;
        return s != null && s.error() == null && s.pipeline() != null && Boolean.TRUE.equals(s.pipeline().captureUp())
                && !s.worst().atLeast(Severity.CRITICAL);
    }

    private void registerMeters(Exchange exchange) {
        if (metersRegistered || exchange == null) {
            return;
        }
        metersRegistered = true;
        MeterRegistry registry = exchange.getContext().getRegistry().findSingleByType(MeterRegistry.class);
        if (registry == null) {
            LOG.info("No metrics registry in this runtime (camel.metrics.enabled=false): slot and pipeline figures are not exported");
            return;
        }
        Tags slotTags = Tags.of("slot_name", slotName, "slot_type", "logical");
        slotGauge(registry, "pg_replication_slot_slot_current_wal_lsn", "current wal lsn value", slotTags, s -> s.currentWalLsn());
        slotGauge(registry, "pg_replication_slot_slot_confirmed_flush_lsn", "last lsn confirmed flushed to the replication slot",
                slotTags, s -> s.confirmedFlushLsn() == null ? Double.NaN : s.confirmedFlushLsn());
        slotGauge(registry, "pg_replication_slot_slot_is_active", "whether the replication slot is active or not", slotTags,
                s -> s.active() ? 1 : 0);
        slotGauge(registry, "pg_replication_slot_safe_wal_size_bytes",
                "number of bytes that can be written to WAL such that this slot is not in danger of getting in state lost",
                slotTags, s -> s.safeWalSize() == null ? Double.NaN : s.safeWalSize());
        for (String status : WAL_STATUSES) {
            slotGauge(registry, "pg_replication_slot_wal_status", "availability of WAL files claimed by this slot",
                    slotTags.and("wal_status", status), s -> status.equals(s.walStatus()) ? 1 : 0);
        }
        Tags tags = Tags.of("slot_name", slotName, "database", database);
        slotGauge(registry, "pgscribe_slot_retained_wal_bytes", "WAL the server keeps for the slot (from restart_lsn)", tags,
                s -> s.retainedBytes() == null ? Double.NaN : s.retainedBytes());
        slotGauge(registry, "pgscribe_slot_unconfirmed_wal_bytes", "WAL written since the slot's confirmed_flush_lsn", tags,
                s -> s.unconfirmedBytes() == null ? Double.NaN : s.unconfirmedBytes());
        slotGauge(registry, "pgscribe_slot_catalog_xmin_age", "age in transactions of the slot's catalog_xmin", tags,
                s -> s.catalogXminAge() == null ? Double.NaN : s.catalogXminAge());
        slotGauge(registry, "pgscribe_slot_spill_bytes", "bytes the server's decoding spilled to disk for the slot "
                + "(pg_stat_replication_slots, PostgreSQL 14+)", tags, s -> s.spillBytes() == null ? Double.NaN : s.spillBytes());
        slotGauge(registry, "pgscribe_slot_decoded_bytes", "bytes the server decoded for the slot (pg_stat_replication_slots)",
                tags, s -> s.totalBytes() == null ? Double.NaN : s.totalBytes());
        gauge(registry, "pgscribe_slot_inactive_seconds", "seconds since the slot was last seen active (0 while active)", tags,
                x -> inactiveSince == null ? 0 : Duration.between(inactiveSince, clock.instant()).toSeconds());
        gauge(registry, "pgscribe_slot_exists", "1 while the server has the slot", tags,
                x -> last != null && last.slot() != null ? 1 : 0);
        pipelineGauge(registry, "pgscribe_capture_up", "1 while pg_recvlogical runs for the slot", tags,
                p -> Boolean.TRUE.equals(p.captureUp()) ? 1 : 0);
        pipelineGauge(registry, "pgscribe_recvlogical_restarts", "times pg_recvlogical was started again", tags,
                p -> p.recvlogicalRestarts() == null ? Double.NaN : p.recvlogicalRestarts());
        pipelineGauge(registry, "pgscribe_spool_bytes", "bytes in the spool, not yet in closed segments", tags,
                PipelineFigures::spoolBytes);
        pipelineGauge(registry, "pgscribe_segment_newest_age_seconds", "age of the last commit in the newest closed segment", tags,
                p -> p.newestSegmentAgeSeconds() == null ? Double.NaN : p.newestSegmentAgeSeconds());
        pipelineGauge(registry, "pgscribe_uncovered_wal_bytes", "WAL the server wrote past what closed segments cover", tags,
                p -> p.uncoveredWalBytes() == null ? Double.NaN : p.uncoveredWalBytes());
        pipelineGauge(registry, "pgscribe_segments", "closed segments in the backup set", tags, PipelineFigures::segments);
        pipelineGauge(registry, "pgscribe_ship_backlog_files", "closed files not yet shipped", tags,
                p -> p.shipBacklog() == null ? Double.NaN : p.shipBacklog());
        pipelineGauge(registry, "pgscribe_base_newest_age_seconds", "age of the newest base", tags,
                p -> p.lastBaseAgeSeconds() == null ? Double.NaN : p.lastBaseAgeSeconds());
        gauge(registry, "pgscribe_health_severity", "worst alert severity now: 0 OK, 1 WARNING, 2 CRITICAL, 3 EMERGENCY", tags,
                x -> last == null ? Double.NaN : last.worst().ordinal());
        if (sink != null) {
            FunctionCounter.builder("pgscribe_changes_written", sink, CaptureSink::changesWritten)
                    .description("row changes written into segments").tags(tags).register(registry);
            FunctionCounter.builder("pgscribe_transactions_written", sink, CaptureSink::transactionsWritten)
                    .description("transactions written into segments").tags(tags).register(registry);
        }
    }

    private void slotGauge(MeterRegistry r, String name, String help, Tags tags, ToDoubleFunction<SlotSample> f) {
        gauge(r, name, help, tags, x -> last == null || last.slot() == null ? Double.NaN : f.applyAsDouble(last.slot()));
    }

    private void pipelineGauge(MeterRegistry r, String name, String help, Tags tags, ToDoubleFunction<PipelineFigures> f) {
        gauge(r, name, help, tags, x -> last == null || last.pipeline() == null ? Double.NaN : f.applyAsDouble(last.pipeline()));
    }

    private void gauge(MeterRegistry r, String name, String help, Tags tags, ToDoubleFunction<Monitor> f) {
        Gauge.builder(name, this, f).description(help).tags(tags).strongReference(true).register(r);
    }
}
