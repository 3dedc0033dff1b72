package io.pgscribe.capture;

import io.pgscribe.Backoff;
import io.pgscribe.pg.ConnectionSpec;
import io.pgscribe.pg.OutputPluginAllowlist;
import io.pgscribe.pg.PgTools;
import io.pgscribe.spool.SpoolDirectory;
import io.pgscribe.spool.SpoolFile;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one pg_recvlogical running for the slot. It writes the spool through the symlink
 * {@code spool/current} with {@code --fsync-interval}, so the server is told a position
 * only once it is on disk. Never a pipe: written to a pipe, pg_recvlogical reports as
 * flushed whatever it has written.
 *
 * <ul>
 *   <li>Each process gets a new spool file (a new run): whatever an ended process left
 *       unfinished stays behind in its own file.</li>
 *   <li>A process left running by a runtime that was killed (its pid is in
 *       {@code spool/pg_recvlogical.pid}) is stopped first: it holds the slot.</li>
 *   <li>The spool file is rotated by size: the link moves to a new file and SIGHUP makes
 *       pg_recvlogical fsync, close, and reopen through the link.</li>
 *   <li>It restarts after it exits, waiting longer after each quick failure.</li>
 * </ul>
 */
public final class RecvlogicalSupervisor {

    private static final Logger LOG = LoggerFactory.getLogger(RecvlogicalSupervisor.class);
    private static final Logger TOOL_LOG = LoggerFactory.getLogger("io.pgscribe.capture.pg_recvlogical");

    /** Session settings the decoder's text depends on, pinned on the walsender. */
    static final String PINNED_SESSION = "-c DateStyle=ISO,MDY -c TimeZone=UTC -c IntervalStyle=postgres "
            + "-c extra_float_digits=3 -c bytea_output=hex -c lc_monetary=C";

    /** How the supervisor is set up. */
    public record Options(int fsyncIntervalSeconds, int statusIntervalSeconds, long rotateBytes, Duration restartDelay,
                          Duration maxRestartDelay) {
    }

    /** One process that ended: how, after how long, and the end of what it printed. */
    public record Exit(int exitCode, Duration uptime, String stderrTail, long restarts) {
    }

    private final PgTools tools;
    private final ConnectionSpec spec;
    private final String slot;
    private final List<String> decoderOptions;
    private final SpoolDirectory spool;
    private final RecvlogicalPidFile pidFile;
    private final Options options;
    private final Consumer<Exit> onExit;

    /** How long a new process must stream before an earlier refusal of the plugin counts as over. */
    static final Duration REFUSAL_OVER_AFTER = Duration.ofSeconds(5);

    private volatile boolean running;
    private volatile Process process;
    private volatile long processStartedNanos;
    private volatile Exit lastExit;
    private Thread thread;
    private final AtomicLong restarts = new AtomicLong();

    /** What must hold before pg_recvlogical starts; throws when it does not. */
    @FunctionalInterface
    public interface Guard {
        Guard NONE = () -> { };

        void check() throws java.sql.SQLException;

        /** After pg_recvlogical ended: nothing streams the slot until the next start. */
        default void exited() {
        }
    }

    private final Guard beforeStart;
    /** Why pg_recvlogical is not started again (null: it is, as usual): a person must act first. */
    private volatile String halted;

    /**
     * {@code decoderOptions}: as recorded in the manifest when the backup set was started;
     * {@code beforeStart}: checked before every start (the set's source, the spool's position). A
     * refusal from it (exit 4 or 5) halts the capture until the runtime is restarted.
     */
    public RecvlogicalSupervisor(PgTools tools, ConnectionSpec spec, String slot, List<String> decoderOptions,
                                 SpoolDirectory spool, Options options, Consumer<Exit> onExit, Guard beforeStart) {
        if (options.fsyncIntervalSeconds() <= 0) {
            throw new IllegalArgumentException("pgscribe.spool.fsync-interval must be at least 1: with 0 pg_recvlogical "
                    + "never fsyncs, and would report unsynced positions as durable");
        }
        this.tools = tools;
        this.spec = spec;
        this.slot = slot;
        this.decoderOptions = List.copyOf(decoderOptions);
        this.spool = spool;
        this.pidFile = new RecvlogicalPidFile(spool.path(), slot);
        this.options = options;
        this.onExit = onExit;
        this.beforeStart = beforeStart;
    }

    public synchronized void start() {
        if (running) {
            return;
        }
        running = true;
        thread = new Thread(this::superviseLoop, "pgscribe-recvlogical-" + slot);
        thread.setDaemon(true);
        thread.start();
    }

    /** Stops pg_recvlogical with SIGINT (it fsyncs and exits), killing it if it does not within 15 s. */
    public void stop() {
        Thread t;
        synchronized (this) {
            running = false;
            t = thread;
            thread = null;
        }
        Process p = process;
        if (p != null && p.isAlive()) {
            RecvlogicalPidFile.signal(p.pid(), "INT");
        }
        if (t != null) {
            t.interrupt();
            try {
                t.join(Duration.ofSeconds(20).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Tells the guard that pg_recvlogical ended, on a thread of its own: the stop interrupts this
     * one, and an interrupted thread cannot write a file (the record would be lost, and a slot
     * moved by hand afterwards would go unseen).
     */
    private void recordExit() {
        Thread rec = new Thread(() -> {
            try {
                beforeStart.exited();
            } catch (RuntimeException e) {
                LOG.warn("Could not record where slot {} stood when pg_recvlogical ended: {}", slot, e.getMessage());
            }
        }, "pgscribe-slot-at-exit-" + slot);
        rec.start();
        boolean interrupted = false;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (rec.isAlive()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                LOG.warn("Recording where slot {} stood took over 15 s; the next start may not see a slot moved by hand", slot);
                break;
            }
            try {
                rec.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            } catch (InterruptedException e) {
                interrupted = true; // the stop: the record is still wanted, and it is short
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** The running process, if any. */
    public Optional<ProcessHandle> process() {
        Process p = process;
        return p != null && p.isAlive() ? Optional.of(p.toHandle()) : Optional.empty();
    }

    /**
     * How long a restarted process must live before the capture counts as up again: one that fails
     * on its first write (a full disk) or its first read lives a moment, and would resolve and raise
     * capture-down at every restart.
     */
    static final Duration STEADY_AFTER = Duration.ofSeconds(5);

    /** Whether pg_recvlogical streams: it runs, and, if an earlier one ended, for {@link #STEADY_AFTER}. */
    public boolean streaming() {
        Process p = process;
        if (p == null || !p.isAlive()) {
            return false;
        }
        return lastExit == null || System.nanoTime() - processStartedNanos >= STEADY_AFTER.toNanos();
    }

    /** The error pg_recvlogical last ended with, in its own words (what capture-down tells the on-call person). */
    public Optional<String> lastError() {
        Exit e = lastExit;
        return e == null ? Optional.empty() : Optional.ofNullable(errorLine(e.stderrTail()));
    }

    /** The last line of {@code stderr} that says why, not the "disconnected" that follows every error. */
    static String errorLine(String stderr) {
        if (stderr == null || stderr.isBlank()) {
            return null;
        }
        List<String> lines = stderr.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
        return lines.stream().filter(l -> l.contains("error:") && !l.endsWith("error: disconnected"))
                .reduce((a, b) -> b).orElse(lines.get(lines.size() - 1));
    }

    /** Why pg_recvlogical stays stopped until the runtime is restarted, if it does. */
    public Optional<String> halted() {
        return Optional.ofNullable(halted);
    }

    public long restarts() {
        return restarts.get();
    }

    /**
     * The server's words when it last refused the slot's output plugin (output_plugin_libraries),
     * while that stands: until a later process has streamed for {@link #REFUSAL_OVER_AFTER}
     * (a refused one ends within moments of its start).
     */
    public Optional<String> decoderRefusal() {
        Exit e = lastExit;
        if (e == null || !OutputPluginAllowlist.isRefusal(e.stderrTail())) {
            return Optional.empty();
        }
        Process p = process;
        if (p != null && p.isAlive() && System.nanoTime() - processStartedNanos >= REFUSAL_OVER_AFTER.toNanos()) {
            return Optional.empty();
        }
        return Optional.of(refusalText(e.stderrTail()));
    }

    /** The server's own sentence out of pg_recvlogical's standard error. */
    static String refusalText(String stderr) {
        String line = stderr.lines().filter(OutputPluginAllowlist::isRefusal).findFirst().orElse(stderr).strip();
        int error = line.lastIndexOf("ERROR:");
        return error >= 0 ? line.substring(error + "ERROR:".length()).strip() : line;
    }

    private void superviseLoop() {
        Backoff backoff = new Backoff(options.restartDelay(), options.maxRestartDelay());
        while (running) {
            long started = System.nanoTime();
            Exit exit;
            try {
                exit = runOnce();
            } catch (RuntimeException e) {
                LOG.error("Could not run pg_recvlogical: {}", e.getMessage());
                exit = new Exit(-1, Duration.ZERO, e.getMessage(), restarts.get());
            }
            if (exit == null) {
                return; // stopped
            }
            lastExit = exit;
            if (OutputPluginAllowlist.isRefusal(exit.stderrTail())) {
                LOG.error("The server refuses the output plugin of slot {}: {} HINT: its {} must list the plugin; "
                        + "see pgscribe status", slot, refusalText(exit.stderrTail()), OutputPluginAllowlist.PARAMETER);
            }
            try {
                onExit.accept(exit);
            } catch (RuntimeException e) {
                LOG.warn("Exit handler failed: {}", e.toString());
            }
            if (!running) {
                return;
            }
            String missing = missingPublication(exit.stderrTail());
            if (missing != null) {
                // the server decodes each change with the catalog of its time: where the publication did not exist
                // (dropped or renamed, then made again or renamed back), every later start fails at the same place
                halted = "pgoutput cannot decode slot " + slot + " past a point where its publication " + missing + " did not "
                        + "exist (it was dropped or renamed, then made again or renamed back): every start fails there. "
                        + "HINT: Start a new backup set (pgscribe init with another slot name and backup directory) and keep "
                        + "this one for what it holds; then drop this slot (pgscribe uninstall).";
                LOG.error("pg_recvlogical is not started again for slot {}: {}", slot, halted);
                return;
            }
            Duration ran = Duration.ofNanos(System.nanoTime() - started);
            if (ran.compareTo(Duration.ofMinutes(1)) > 0) {
                backoff.succeeded(); // it ran a while: the next quick failure waits the first delay again
            }
            Duration delay = backoff.failed();
            LOG.warn("pg_recvlogical for slot {} exited with {}; starting it again in {} s", slot, exit.exitCode(),
                    delay.toSeconds());
            try {
                Thread.sleep(delay.toMillis());
            } catch (InterruptedException e) {
                if (!running) {
                    return;
                }
            }
            restarts.incrementAndGet();
        }
    }

    /** The publication the server said does not exist while decoding, or null. */
    static String missingPublication(String stderr) {
        if (stderr == null) {
            return null;
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("publication \"((?:[^\"]|\"\")*)\" does not exist")
                .matcher(stderr);
        return m.find() ? m.group(1) : null;
    }

    /** Runs one process to its end; null when stopped on request. */
    private Exit runOnce() {
        try {
            pidFile.stopOrphan();
            beforeStart.check();
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("cannot check " + spec.describe() + " before starting pg_recvlogical: "
                    + e.getMessage(), e);
        } catch (io.pgscribe.PgscribeException e) {
            if (e.exitCode() == io.pgscribe.ExitCode.REFUSED || e.exitCode() == io.pgscribe.ExitCode.DAMAGED) {
                halted = e.getMessage() + (e.hint() == null ? "" : " HINT: " + e.hint());
                LOG.error("pg_recvlogical is not started for slot {}: {}", slot, halted);
                return null;
            }
            throw e;
        }
        SpoolFile file = spool.advanceForNewProcess();
        List<String> cmd = new ArrayList<>(List.of(tools.path("pg_recvlogical"),
                "--dbname=" + spec.conninfo("pgscribe-" + slot),
                "--slot=" + slot, "--start", "--no-loop",
                "--file=" + spool.current(),
                "--fsync-interval=" + options.fsyncIntervalSeconds(),
                "--status-interval=" + options.statusIntervalSeconds()));
        for (String o : decoderOptions) {
            cmd.add("--option=" + o);
        }
        java.util.Map<String, String> env = new java.util.HashMap<>(spec.toolEnvironment());
        env.put("PGOPTIONS", PINNED_SESSION);
        ProcessBuilder pb = io.pgscribe.pg.ChildEnvironment.apply(new ProcessBuilder(cmd), env);
        pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        long t0 = System.nanoTime();
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + cmd.get(0) + ": " + e.getMessage(), e);
        }
        processStartedNanos = System.nanoTime();
        process = p;
        pidFile.write(p.pid());
        LOG.info("Started pg_recvlogical (pid {}) for slot {}, writing {}", p.pid(), slot, file.name());
        Deque<String> tail = new ArrayDeque<>();
        Thread errReader = new Thread(() -> pumpStderr(p, tail), "pgscribe-recvlogical-stderr");
        errReader.setDaemon(true);
        errReader.start();
        try {
            while (!p.waitFor(1, TimeUnit.SECONDS)) {
                if (!running) {
                    RecvlogicalPidFile.signal(p.pid(), "INT");
                    if (!p.waitFor(15, TimeUnit.SECONDS)) {
                        LOG.warn("pg_recvlogical (pid {}) did not stop within 15 s; killing it", p.pid());
                        p.destroyForcibly();
                        p.waitFor();
                    }
                    break;
                }
                if (!spool.currentPresent()) {
                    // the server learns positions as pg_recvlogical fsyncs a file no longer in the spool: stop
                    // it telling the server so; what it wrote is still read from the file the capture holds open
                    p.destroyForcibly();
                    p.waitFor();
                    halted = "the spool " + spool.path() + " lost the file pg_recvlogical was writing (deleted while it "
                            + "ran); pg_recvlogical was stopped so that the server keeps every change not yet read. HINT: "
                            + "Restart pgscribe: on start it asks the server for what the spool lost, or records the hole "
                            + "in the backup set.";
                    LOG.error("{}", halted);
                    break;
                }
                rotateIfBig(p);
            }
            errReader.join(2000);
        } catch (InterruptedException e) {
            if (running) {
                Thread.currentThread().interrupt();
            }
            RecvlogicalPidFile.signal(p.pid(), "INT");
            try {
                if (!p.waitFor(15, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException ie) {
                p.destroyForcibly();
            }
        } finally {
            process = null;
            pidFile.delete();
            recordExit();
        }
        if (!running || halted != null) {
            LOG.info("Stopped pg_recvlogical for slot {}", slot);
            return null;
        }
        String stderr;
        synchronized (tail) {
            stderr = String.join("\n", tail);
        }
        return new Exit(p.isAlive() ? -1 : p.exitValue(), Duration.ofNanos(System.nanoTime() - t0), stderr, restarts.get());
    }

    private void rotateIfBig(Process p) {
        try {
            Path target = spool.current().resolveSibling(Files.readSymbolicLink(spool.current()));
            if (Files.exists(target) && Files.size(target) >= options.rotateBytes()) {
                SpoolFile next = spool.advance(false);
                RecvlogicalPidFile.signal(p.pid(), "HUP");
                LOG.info("Rotated the spool to {}", next.name());
            }
        } catch (IOException e) {
            LOG.warn("Could not check the spool size: {}", e.toString());
        }
    }

    private void pumpStderr(Process p, Deque<String> tail) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (running) {
                    TOOL_LOG.warn("{}", line);
                } else {
                    TOOL_LOG.info("{} (stopping on request)", line); // SIGINT ends its stream "unexpectedly"
                }
                synchronized (tail) {
                    tail.addLast(line);
                    while (tail.size() > 20) {
                        tail.removeFirst();
                    }
                }
            }
        } catch (IOException e) {
            // the process ended
        }
    }
}
