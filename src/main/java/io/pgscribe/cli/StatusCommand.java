package io.pgscribe.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pgscribe.alert.Severity;
import io.pgscribe.config.Setting;
import io.pgscribe.config.Settings;
import io.pgscribe.manifest.Manifest;
import io.pgscribe.manifest.ManifestStore;
import io.pgscribe.monitor.DecoderAllowance;
import io.pgscribe.monitor.Finding;
import io.pgscribe.monitor.HealthRules;
import io.pgscribe.monitor.Monitor;
import io.pgscribe.monitor.PipelineFigures;
import io.pgscribe.monitor.Thresholds;
import io.pgscribe.pg.ConnectionSpec;
import io.pgscribe.pg.OutputPluginAllowlist;
import io.pgscribe.pg.Pg;
import io.pgscribe.pg.SlotSample;
import io.pgscribe.restore.Progress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"The slot, the capture and the backup set at a glance, with the alert rules applied. Exit code as a "
                + "Nagios check: 0 OK, 1 WARNING, 2 CRITICAL or EMERGENCY, 3 UNKNOWN (configuration, server or backup set "
                + "unreadable)."})
final class StatusCommand implements Callable<Integer> {

    static final int OK = 0;
    static final int WARNING = 1;
    static final int CRITICAL = 2;
    static final int UNKNOWN = 3;

    @ParentCommand
    PgscribeCommand parent;

    @Option(names = "--json", description = "Print it as one JSON object.")
    boolean json;

    @Override
    public Integer call() {
        try {
            return check();
        } catch (io.pgscribe.PgscribeException e) {
            // a check that cannot run is UNKNOWN to a monitoring system, whatever made it fail
            return unknown(e.getMessage() + (e.hint() == null ? "" : " (" + e.hint() + ")"));
        }
    }

    private int check() {
        PgscribeCommand.quietLogs();
        Settings s;
        try {
            s = parent.settings();
        } catch (io.pgscribe.PgscribeException e) {
            // a check that cannot run is UNKNOWN to a monitoring system, not CRITICAL (which the usage exit 2 would read as)
            return unknown("configuration: " + e.getMessage() + (e.hint() == null ? "" : " (" + e.hint() + ")"));
        }
        Path backupDir = s.getPath(Setting.BACKUP_DIR).toAbsolutePath();
        String slotName = s.get(Setting.SLOT_NAME);
        ConnectionSpec spec = ConnectionSpec.source(s);
        Instant now = Instant.now();
        Manifest m;
        try {
            m = ManifestStore.readUnverified(backupDir.resolve(ManifestStore.FILE_NAME));
        } catch (RuntimeException e) {
            return unknown("cannot read the backup set: " + e.getMessage());
        }
        SlotSample slot;
        OutputPluginAllowlist allowlist;
        try (Connection c = Pg.connect(spec, "pgscribe-status")) {
            slot = SlotSample.read(c, slotName);
            allowlist = OutputPluginAllowlist.read(c).orElse(null);
        } catch (Exception e) {
            return unknown("cannot query " + spec.describe() + ": " + e.getMessage());
        }
        Optional<Long> pid = recvlogicalPid(backupDir.resolve("spool"));
        boolean up = pid.isPresent() || (slot != null && slot.active());
        PipelineFigures p = figures(m, slot, up, backupDir, now);
        // from outside, a refusal shows as a list without the plugin while nothing reads the slot
        DecoderAllowance decoder = slot == null ? null
                : new DecoderAllowance(spec.host() + ":" + spec.port(), slot.plugin(), allowlist, null);
        List<Finding> findings = new java.util.ArrayList<>(HealthRules.evaluate(slotName, slot, null, p, decoder,
                Thresholds.fromSettings(s)));
        if (!up && io.pgscribe.storage.BackupSetLock.isHeld(backupDir).orElse(false)) {
            // the running runtime's view of why: how pg_recvlogical last ended
            io.pgscribe.monitor.PipelineFaults.readDown(backupDir).ifPresent(e ->
                    findings.replaceAll(f -> io.pgscribe.monitor.Monitor.withLastError(f, e)));
        }
        findings.addAll(io.pgscribe.monitor.PipelineFaults.holes(m));
        copyFinding(backupDir).ifPresent(findings::add);
        if (up && io.pgscribe.storage.BackupSetLock.isHeld(backupDir).orElse(true) == Boolean.FALSE) {
            // a killed runtime's pg_recvlogical goes on streaming: nothing closes segments, takes bases or alerts
            findings.add(new Finding(io.pgscribe.monitor.PipelineFaults.RUNTIME_GONE, Severity.CRITICAL, "pg_recvlogical "
                    + pid.map(x -> "(pid " + x + ") ").orElse("") + "reads the slot " + slotName + ", but no pgscribe runtime "
                    + "holds the backup set " + backupDir + ": nothing closes segments, takes bases, ships or alerts",
                    "Start the runtime (pgscribe run): it stops that pg_recvlogical and takes over."));
        }
        io.pgscribe.monitor.PipelineFaults.readFault(backupDir).flatMap(f -> io.pgscribe.monitor.PipelineFaults
                .captureFailing(f, ", as the runtime last reported at " + f.last())).ifPresent(findings::add);
        if (!up) {
            // halted by the runtime until a person acts: say why, rather than only that nothing reads the slot
            io.pgscribe.monitor.PipelineFaults.readHalted(backupDir).ifPresent(findings::add);
        }
        Severity worst = HealthRules.worst(findings);
        if (json) {
            printJson(m, slotName, slot, up, pid, p, findings, worst, spec);
        } else {
            printTable(m, slotName, slot, up, pid, p, findings, worst, spec);
        }
        return switch (worst) {
            case OK -> OK;
            case WARNING -> WARNING;
            default -> CRITICAL;
        };
    }

    /**
     * The manifest without its whole second copy, or read from it: as the runtime's monitor says
     * it. A difference is looked at twice, since a write replaces the manifest a moment before its copy.
     */
    static Optional<Finding> copyFinding(Path backupDir) {
        Path file = backupDir.resolve(ManifestStore.FILE_NAME);
        if (ManifestStore.damageOf(file) != null) {
            return Optional.of(new Finding(io.pgscribe.monitor.HealthRules.BACKUP_SET_UNREADABLE, Severity.WARNING, file
                    + " is missing or damaged: the set is read from its copy " + ManifestStore.COPY_NAME, "Find out what "
                    + "removed or changed it; a running runtime writes it again at its next write of the set."));
        }
        String problem = ManifestStore.copyProblemOf(file);
        if (problem != null) {
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            problem = ManifestStore.copyProblemOf(file);
        }
        return problem == null ? Optional.empty() : Optional.of(new Finding(io.pgscribe.monitor.HealthRules.BACKUP_SET_UNREADABLE,
                Severity.WARNING, problem + " in " + backupDir + ": the manifest has no whole second copy to fall back to",
                "Find out what keeps it from being written (the disk, a file in the way); `pgscribe verify --backup`."));
    }

    private int unknown(String why) {
        if (json) {
            System.out.println("{\"severity\":\"UNKNOWN\",\"error\":" + quote(why) + "}");
        } else {
            System.out.println("UNKNOWN: " + why);
        }
        return UNKNOWN;
    }

    private static String quote(String s) {
        try {
            return new ObjectMapper().writeValueAsString(s);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static PipelineFigures figures(Manifest m, SlotSample slot, boolean up, Path backupDir, Instant now) {
        Manifest.Shipping sh = m.shippingState();
        Integer backlog = sh.shipped().isEmpty() ? null : (int) (m.segments().stream().filter(x -> !sh.isShipped(x.file())).count()
                + m.bases().stream().filter(b -> !sh.isShipped(b.file())).count());
        // seen from outside, how long the capture has been down is not known: down is down
        return PipelineFigures.of(m, slot, up, up ? 0L : Long.MAX_VALUE, null, null,
                Monitor.spoolBytes(backupDir.resolve("spool")), backlog, now);
    }

    /** pg_recvlogical of a runtime on this machine, from the spool's pidfile. */
    static Optional<Long> recvlogicalPid(Path spool) {
        Path pidFile = spool.resolve("pg_recvlogical.pid");
        try {
            long pid = Long.parseLong(Files.readString(pidFile).strip());
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                    .filter(h -> h.info().command().map(c -> c.endsWith("pg_recvlogical")).orElse(false)).map(h -> pid);
        } catch (Exception e) {
            return Optional.empty();
        }
    }

    private void printTable(Manifest m, String slotName, SlotSample slot, boolean up, Optional<Long> pid, PipelineFigures p,
                            List<Finding> findings, Severity worst, ConnectionSpec spec) {
        System.out.println("pgscribe status of " + m.source().database() + " on " + spec.host() + ":" + spec.port() + ": " + worst);
        if (slot == null) {
            System.out.println("slot      " + slotName + ": MISSING");
        } else {
            System.out.println("slot      " + slotName + ": " + (slot.active() ? "active" : "inactive") + ", wal_status "
                    + slot.walStatus() + ", retains " + size(slot.retainedBytes()) + ", unconfirmed " + size(slot.unconfirmedBytes())
                    + (slot.safeWalSize() == null ? "" : ", safe_wal_size " + size(slot.safeWalSize()))
                    + (slot.catalogXminAge() == null ? "" : ", catalog_xmin age " + slot.catalogXminAge()));
        }
        System.out.println("capture   " + (up ? "running" + pid.map(x -> " (pg_recvlogical pid " + x + ")").orElse(" (the slot is read)")
                : "STOPPED: no pg_recvlogical reads the slot") + "; spool " + Progress.bytes(p.spoolBytes()));
        System.out.println("segments  " + p.segments() + (p.newestSegmentAgeSeconds() == null ? ""
                : ", newest last commit " + ago(p.newestSegmentAgeSeconds()))
                + (p.uncoveredWalBytes() == null ? "" : ", server WAL past them " + size(p.uncoveredWalBytes())));
        System.out.println("bases     " + m.bases().size() + (p.lastBaseAgeSeconds() == null ? "" : ", newest taken "
                + ago(p.lastBaseAgeSeconds())));
        System.out.println("shipping  " + (p.shipBacklog() == null ? "nothing shipped" : p.shipBacklog() + " file(s) not yet shipped"));
        for (Finding f : findings) {
            System.out.println(f.severity() + "  " + f.rule() + ": " + f.message() + "\n          " + f.hint());
        }
    }

    private void printJson(Manifest m, String slotName, SlotSample slot, boolean up, Optional<Long> pid, PipelineFigures p,
                           List<Finding> findings, Severity worst, ConnectionSpec spec) {
        ObjectMapper om = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = om.createObjectNode();
        root.put("severity", worst.name());
        root.put("database", m.source().database());
        root.put("server", spec.host() + ":" + spec.port());
        ObjectNode sl = root.putObject("slot");
        sl.put("name", slotName);
        sl.put("exists", slot != null);
        if (slot != null) {
            sl.put("active", slot.active());
            sl.put("walStatus", slot.walStatus());
            putNullable(sl, "retainedBytes", slot.retainedBytes());
            putNullable(sl, "unconfirmedBytes", slot.unconfirmedBytes());
            putNullable(sl, "safeWalSize", slot.safeWalSize());
            putNullable(sl, "catalogXminAge", slot.catalogXminAge());
        }
        ObjectNode cap = root.putObject("capture");
        cap.put("up", up);
        pid.ifPresent(x -> cap.put("recvlogicalPid", x));
        cap.put("spoolBytes", p.spoolBytes());
        ObjectNode seg = root.putObject("segments");
        seg.put("count", p.segments());
        putNullable(seg, "newestAgeSeconds", p.newestSegmentAgeSeconds());
        putNullable(seg, "uncoveredWalBytes", p.uncoveredWalBytes());
        ObjectNode bases = root.putObject("bases");
        bases.put("count", m.bases().size());
        putNullable(bases, "newestAgeSeconds", p.lastBaseAgeSeconds());
        ObjectNode ship = root.putObject("shipping");
        if (p.shipBacklog() != null) {
            ship.put("waiting", p.shipBacklog());
        }
        ship.put("remotePendingDeletes", m.shippingState().remotePendingDeletes().size());
        ArrayNode fs = root.putArray("findings");
        for (Finding f : findings) {
            ObjectNode o = fs.addObject();
            o.put("rule", f.rule());
            o.put("severity", f.severity().name());
            o.put("message", f.message());
            o.put("hint", f.hint());
        }
        try {
            System.out.println(om.writeValueAsString(root));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static String ago(long seconds) {
        if (seconds < 120) {
            return seconds + " s ago";
        }
        if (seconds < 7200) {
            return seconds / 60 + " min ago";
        }
        return seconds < 172800 ? seconds / 3600 + " h ago" : seconds / 86400 + " days ago";
    }

    private static void putNullable(ObjectNode o, String k, Long v) {
        if (v == null) {
            o.putNull(k);
        } else {
            o.put(k, v);
        }
    }

    private static String size(Long b) {
        return b == null ? "-" : Progress.bytes(Math.max(0, b));
    }
}
