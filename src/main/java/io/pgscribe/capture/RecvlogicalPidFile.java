package io.pgscribe.capture;

import io.pgscribe.ExitCode;
import io.pgscribe.PgscribeException;
import io.pgscribe.pg.PgTools;
import io.pgscribe.storage.BackupSetLock;
import io.pgscribe.storage.DurableFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The spool's {@code pg_recvlogical.pid}: the process a runtime started, so that the next
 * runtime stops one a killed runtime left holding the slot, and refuses to run beside one
 * another live runtime still supervises.
 */
public final class RecvlogicalPidFile {

    static final String NAME = "pg_recvlogical.pid";
    private static final Logger LOG = LoggerFactory.getLogger(RecvlogicalPidFile.class);

    private final Path spoolDir;
    private final String slot;

    RecvlogicalPidFile(Path spoolDir, String slot) {
        this.spoolDir = spoolDir;
        this.slot = slot;
    }

    /**
     * Refuses (exit 4) when the pg_recvlogical of the pid file in {@code spoolDir} still runs under
     * another live pgscribe: its lock file was deleted, or the set is reached by another path.
     */
    public static void refuseAnotherRuntime(Path spoolDir, String slot) {
        long pid;
        try {
            pid = Long.parseLong(Files.readString(spoolDir.resolve(NAME)).strip());
        } catch (IOException | NumberFormatException e) {
            return;
        }
        Optional<ProcessHandle> parent = recvlogical(pid).flatMap(ProcessHandle::parent).filter(ProcessHandle::isAlive)
                .filter(x -> x.pid() != ProcessHandle.current().pid())
                .filter(x -> x.info().command().map(c -> c.endsWith("java")).orElse(false));
        if (parent.isPresent()) {
            throw new PgscribeException("pg_recvlogical (pid " + pid + ") of another running pgscribe (pid "
                    + parent.get().pid() + ") streams this backup set's slot " + slot, "Run one runtime per backup set: "
                    + "stop one of them. (Its lock file " + spoolDir.getParent().resolve(BackupSetLock.FILE)
                    + " may have been deleted.)", ExitCode.REFUSED, null);
        }
    }

    private static Optional<ProcessHandle> recvlogical(long pid) {
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                .filter(x -> x.info().command().map(c -> c.endsWith("pg_recvlogical")).orElse(false));
    }

    /** A pg_recvlogical left running by a runtime that was killed still holds the slot: stop it. */
    void stopOrphan() {
        Path pidFile = spoolDir.resolve(NAME);
        if (!Files.exists(pidFile)) {
            return;
        }
        try {
            long pid = Long.parseLong(Files.readString(pidFile).strip());
            Optional<ProcessHandle> h = recvlogical(pid);
            if (h.isPresent()) {
                refuseAnotherRuntime(spoolDir, slot);
                LOG.warn("pg_recvlogical (pid {}) of an earlier run is still running; stopping it", pid);
                signal(pid, "INT");
                try {
                    h.get().onExit().get(15, TimeUnit.SECONDS);
                } catch (Exception e) {
                    h.get().destroyForcibly();
                    h.get().onExit().get(15, TimeUnit.SECONDS);
                }
            }
        } catch (PgscribeException e) {
            throw e;
        } catch (Exception e) {
            LOG.warn("Could not check {}: {}", pidFile, e.toString());
        }
        delete();
    }

    void write(long pid) {
        try {
            DurableFiles.writeAtomically(spoolDir.resolve(NAME), (pid + "\n").getBytes(StandardCharsets.US_ASCII));
        } catch (RuntimeException e) {
            LOG.warn("Could not write {}: {}", NAME, e.toString());
        }
    }

    void delete() {
        try {
            Files.deleteIfExists(spoolDir.resolve(NAME));
        } catch (IOException e) {
            LOG.warn("Could not delete {}: {}", NAME, e.toString());
        }
    }

    /** Sends SIG{@code signal} (INT: pg_recvlogical flushes and ends; HUP: it reopens its output file). */
    static void signal(long pid, String signal) {
        try {
            // a process that ended meanwhile makes kill fail: nothing to signal then
            PgTools.run(List.of("kill", "-" + signal, Long.toString(pid)), Map.of(), Duration.ofSeconds(10));
        } catch (PgscribeException e) {
            LOG.warn("Could not send SIG{} to {}: {}", signal, pid, e.getMessage());
        }
    }
}
