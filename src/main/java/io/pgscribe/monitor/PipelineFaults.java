package io.pgscribe.monitor;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgscribe.ExitCode;
import io.pgscribe.alert.Severity;
import io.pgscribe.capture.CaptureFault;
import io.pgscribe.manifest.CaptureState;
import io.pgscribe.manifest.Manifest;
import io.pgscribe.pg.Lsn;
import io.pgscribe.storage.DurableFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The rules on what keeps failing or is missing, beside {@link HealthRules}' figures: a capture
 * error that repeats, a capture halted until a person acts, a hole in the backup set, a route
 * that stopped. The runtime keeps its capture fault in {@value #FAULT_FILE} and why it halted
 * the capture in {@value #HALT_FILE} too, so that {@code pgscribe status} (another process)
 * shows them.
 */
public final class PipelineFaults {

    public static final String FAULT_FILE = ".capture-fault.json";
    /** Why the runtime halted the capture (RecvlogicalSupervisor#halted), for status; absent while it is not. */
    public static final String HALT_FILE = ".capture-halted.json";
    public static final String CAPTURE_HALTED = "capture-halted";
    public static final String LOCK_LOST = "backup-set-unlocked";
    public static final String RUNTIME_GONE = "runtime-not-running";

    private static final ObjectMapper JSON = new ObjectMapper().findAndRegisterModules();

    private PipelineFaults() {
    }

    /** A capture error seen more than once: CRITICAL, EMERGENCY when the backup set is damaged. */
    public static Optional<Finding> captureFailing(CaptureFault.State f, String reportedBy) {
        if (f == null || f.count() < 2) {
            return Optional.empty();
        }
        Severity sev = f.exitCode() == ExitCode.DAMAGED ? Severity.EMERGENCY : Severity.CRITICAL;
        return Optional.of(new Finding(HealthRules.CAPTURE_FAILING, sev, f.headline() + " (the capture has failed "
                + f.count() + " times since " + f.since() + reportedBy + "; no new segment closes meanwhile)",
                f.hint() != null ? f.hint() : "Fix the cause; the capture retries by itself and this alert is resolved once "
                        + "it moves again. Nothing the server sent is lost while it retries: the slot keeps it."));
    }

    public static Finding halted(String why) {
        int hint = why.indexOf(" HINT: ");
        return new Finding(CAPTURE_HALTED, Severity.EMERGENCY, hint < 0 ? why : why.substring(0, hint),
                hint < 0 ? "See the log, fix the cause and restart pgscribe." : why.substring(hint + 7));
    }

    /** Holes no base has closed yet: a restore past them is impossible until a base is taken after them. */
    public static List<Finding> holes(Manifest m) {
        List<Finding> out = new ArrayList<>();
        if (m.capture() == null) {
            return out;
        }
        Lsn newestBase = m.bases().stream().map(b -> Lsn.valueOf(b.consistentPoint())).max(Lsn::compareTo).orElse(null);
        for (CaptureState.Hole h : m.capture().holes()) {
            Lsn before = h.beforeLsn() == null ? null : Lsn.valueOf(h.beforeLsn());
            if (before != null && newestBase != null && !newestBase.isBefore(before)) {
                continue; // a base after the hole starts a whole chain again
            }
            if (before == null) {
                // still open: its cause goes on (a narrowed publication), and no base can close it yet
                out.add(new Finding(HealthRules.BACKUP_HOLE, Severity.EMERGENCY, "the backup set has a hole: transactions "
                        + "committed after " + (h.afterLsn() == null ? "its first base" : h.afterLsn()) + " may be in no segment, "
                        + "and it is still open (" + h.cause() + ", found " + h.detectedAt() + ")",
                        "Remove the cause (the log and the capture-halted alert give the statement that sets the publication "
                                + "back), then restart pgscribe if its capture halted (it does not start again by itself); the "
                                + "publication check after that ends the hole. Then take a new base. Points before "
                                + (h.afterLsn() == null ? "the hole" : h.afterLsn()) + " can still be restored."));
                continue;
            }
            out.add(new Finding(HealthRules.BACKUP_HOLE, Severity.EMERGENCY, "the backup set has a hole: transactions "
                    + "committed after " + (h.afterLsn() == null ? "its first base" : h.afterLsn()) + " and before "
                    + h.beforeLsn() + " are in no segment (" + h.cause() + ", found " + h.detectedAt() + ")",
                    "Take a new base now (restart the runtime with -s \"pgscribe.base.cron=0 * * * * ?\" for one run): "
                            + "points after it can be restored again. Points before " + (h.afterLsn() == null ? "the hole"
                            : h.afterLsn()) + " still can."));
        }
        return out;
    }

    /** Keeps the runtime's capture fault where status reads it (best effort: a full disk may refuse it). */
    public static void writeFault(Path backupDir, CaptureFault.State f) {
        Path file = backupDir.resolve(FAULT_FILE);
        try {
            if (f == null) {
                Files.deleteIfExists(file);
                return;
            }
            DurableFiles.writeAtomically(file, JSON.writeValueAsBytes(new Stored(f.headline(), f.hint(), f.since().toString(),
                    f.last().toString(), f.count(), f.exitCode())));
        } catch (IOException | RuntimeException e) {
            // status then lacks it; the runtime's own alert does not
        }
    }

    /** The fault the runtime last kept, if any. */
    public static Optional<CaptureFault.State> readFault(Path backupDir) {
        Path file = backupDir.resolve(FAULT_FILE);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            Stored s = JSON.readValue(file.toFile(), Stored.class);
            return Optional.of(new CaptureFault.State(s.headline(), s.hint(), Instant.parse(s.since()), Instant.parse(s.last()),
                    s.count(), s.exitCode()));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    record Stored(String headline, String hint, String since, String last, long count, int exitCode) {
    }

    /** Keeps why the capture is halted where status reads it; null removes it (best effort, as {@link #writeFault}). */
    public static void writeHalted(Path backupDir, String why, Instant since) {
        Path file = backupDir.resolve(HALT_FILE);
        try {
            if (why == null) {
                Files.deleteIfExists(file);
                return;
            }
            DurableFiles.writeAtomically(file, JSON.writeValueAsBytes(new Halted(why, since.toString())));
        } catch (IOException | RuntimeException e) {
            // status then shows the capture as down, with the generic hint; the runtime's own alert has it
        }
    }

    /** Why the runtime last said the capture is halted, as a finding that says when. */
    public static Optional<Finding> readHalted(Path backupDir) {
        Path file = backupDir.resolve(HALT_FILE);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            Halted h = JSON.readValue(file.toFile(), Halted.class);
            Finding f = halted(h.why());
            return Optional.of(new Finding(f.rule(), f.severity(), f.message() + " (halted since " + h.since()
                    + ", as the runtime last reported)", f.hint()));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    record Halted(String why, String since) {
    }

    /** How pg_recvlogical last ended while the capture is down (a full disk, a refused login), for status. */
    public static final String DOWN_FILE = ".capture-down.json";

    /** Keeps pg_recvlogical's last error while the capture is down; null removes it (best effort). */
    public static void writeDown(Path backupDir, String lastError) {
        Path file = backupDir.resolve(DOWN_FILE);
        try {
            if (lastError == null) {
                Files.deleteIfExists(file);
                return;
            }
            DurableFiles.writeAtomically(file, JSON.writeValueAsBytes(new Down(lastError)));
        } catch (IOException | RuntimeException e) {
            // status then says only that it is not running; the runtime's own alert has the cause
        }
    }

    public static Optional<String> readDown(Path backupDir) {
        Path file = backupDir.resolve(DOWN_FILE);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            return Optional.ofNullable(JSON.readValue(file.toFile(), Down.class).lastError());
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    record Down(String lastError) {
    }
}
