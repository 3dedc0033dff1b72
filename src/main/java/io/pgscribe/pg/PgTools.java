package io.pgscribe.pg;

import io.pgscribe.ExitCode;
import io.pgscribe.PgscribeException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The PostgreSQL client programs pgscribe runs (pg_dump, pg_dumpall, pg_recvlogical, psql),
 * found in the configured directory, else {@code pg_config --bindir}, else on PATH.
 */
public final class PgTools {

    private static final Pattern VERSION = Pattern.compile("\\(PostgreSQL\\)\\s+(\\d+)(?:\\.(\\d+))?");

    private final Path bindir; // null: PATH

    private PgTools(Path bindir) {
        this.bindir = bindir;
    }

    public static PgTools locate(String configured) {
        if (configured != null && !configured.isBlank()) {
            Path dir = Path.of(configured);
            if (!Files.isDirectory(dir)) {
                throw new PgscribeException("pgscribe.pg.bindir is " + configured + ", which is not a directory",
                        "Set it to the directory holding pg_dump and pg_recvlogical (e.g. /usr/lib/postgresql/15/bin).",
                        ExitCode.USAGE, null);
            }
            return new PgTools(dir);
        }
        Path fromPgConfig = pgConfigBindir();
        return new PgTools(fromPgConfig);
    }

    /** {@code pg_config --bindir}, or null when pg_config is not on PATH. */
    public static Path pgConfigBindir() {
        Result r;
        try {
            r = run(List.of("pg_config", "--bindir"), Map.of(), Duration.ofSeconds(30));
        } catch (PgscribeException e) {
            return null; // not on PATH
        }
        String out = r.stdout().strip();
        return r.ok() && !out.isEmpty() && Files.isDirectory(Path.of(out)) ? Path.of(out) : null;
    }

    /** The executable for {@code tool}, or an error saying where it was looked for. */
    public String path(String tool) {
        if (bindir != null) {
            Path p = bindir.resolve(tool);
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        String fromPath = onPath(tool);
        if (fromPath != null) {
            return fromPath;
        }
        throw new PgscribeException(tool + " was not found" + (bindir == null ? " on PATH" : " in " + bindir + " or on PATH"),
                "Install the PostgreSQL client tools (e.g. apt-get install postgresql-client-15) or set pgscribe.pg.bindir.",
                ExitCode.REFUSED, null);
    }

    private static String onPath(String tool) {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String dir : path.split(java.io.File.pathSeparator)) {
            Path p = Path.of(dir, tool);
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        return null;
    }

    /** Major version of a tool from {@code tool --version}, e.g. 15. */
    public int majorVersion(String tool) {
        Result r = run(List.of(path(tool), "--version"), Map.of(), Duration.ofSeconds(30));
        Matcher m = VERSION.matcher(r.stdout());
        if (r.exitCode() != 0 || !m.find()) {
            throw new PgscribeException("cannot tell the version of " + tool + ": " + r.stdout().strip() + r.stderr().strip(),
                    "Check that " + path(tool) + " runs.", ExitCode.FAILED, null);
        }
        return Integer.parseInt(m.group(1));
    }

    /** What a finished tool run left: exit code, standard output and the end of standard error. */
    public record Result(int exitCode, String stdout, String stderr) {
        public boolean ok() {
            return exitCode == 0;
        }
    }

    /** Runs a command to completion; output is kept up to 1 MB, standard error's last 64 kB. */
    public static Result run(List<String> command, Map<String, String> env, Duration timeout) {
        return run(command, env, timeout, null);
    }

    /**
     * As {@link #run(List, Map, Duration)}, with {@code stdin} fed to the command's standard
     * input and closed at its end. If reading {@code stdin} fails (damage, a failed producer),
     * the command is killed before it sees the end of its input, so a psql with
     * {@code --single-transaction} never commits a part; the result says why.
     */
    public static Result run(List<String> command, Map<String, String> env, Duration timeout, InputStream stdin) {
        ProcessBuilder pb = io.pgscribe.pg.ChildEnvironment.apply(new ProcessBuilder(new ArrayList<>(command)), env);
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new PgscribeException("cannot start " + command.get(0) + ": " + e.getMessage(),
                    "Check that the program exists and is executable.", ExitCode.FAILED, e);
        }
        Feed feed = null;
        if (stdin == null) {
            try {
                p.getOutputStream().close(); // no input, so a prompt cannot block
            } catch (IOException ignored) {
                // the process may already be gone
            }
        } else {
            feed = new Feed(stdin, p);
            feed.start();
        }
        Tail err = new Tail(p.getErrorStream(), 64 * 1024);
        Tail out = new Tail(p.getInputStream(), 1024 * 1024);
        err.start();
        out.start();
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor();
                err.join();
                out.join();
                return new Result(-1, out.text(), err.text() + "\n(killed after " + timeout.toSeconds() + " s)");
            }
            err.join();
            out.join();
            if (feed != null) {
                feed.join();
                if (feed.failure != null) {
                    return new Result(-1, out.text(), err.text() + "\n(its input could not be read: " + feed.failure
                            + "; it was stopped before the end of its input)");
                }
            }
        } catch (InterruptedException e) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new PgscribeException(command.get(0) + " was interrupted", "Run the command again.", ExitCode.FAILED, e);
        }
        return new Result(p.exitValue(), out.text(), err.text());
    }

    /** Copies an input stream into a process's standard input, on its own thread. */
    static final class Feed extends Thread {
        private final InputStream source;
        private final Process process;
        volatile String failure;

        Feed(InputStream source, Process process) {
            this.source = source;
            this.process = process;
            setDaemon(true);
            setName("pgscribe-tool-input");
        }

        @Override
        public void run() {
            OutputStream sink = process.getOutputStream();
            byte[] buf = new byte[1 << 16];
            boolean sinkOpen = true;
            try (source) {
                int n;
                while ((n = source.read(buf)) > 0) {
                    if (sinkOpen) {
                        try {
                            sink.write(buf, 0, n);
                        } catch (IOException closed) {
                            sinkOpen = false; // the process stopped reading (it failed); its exit code says why
                        }
                    }
                }
            } catch (IOException | RuntimeException e) {
                failure = e.getMessage() == null ? e.toString() : e.getMessage();
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            }
            try {
                sink.close();
            } catch (IOException ignored) {
                // the process is gone
            }
        }
    }

    /** Keeps the last {@code limit} bytes of a stream, read on its own thread. */
    public static final class Tail extends Thread {
        private final InputStream in;
        private final int limit;
        private final ByteArrayOutputStream kept = new ByteArrayOutputStream();

        public Tail(InputStream in, int limit) {
            this.in = in;
            this.limit = limit;
            setDaemon(true);
            setName("pgscribe-tool-output");
        }

        @Override
        public void run() {
            byte[] buf = new byte[8192];
            try {
                int n;
                while ((n = in.read(buf)) > 0) {
                    synchronized (kept) {
                        kept.write(buf, 0, n);
                        if (kept.size() > 2 * limit) {
                            byte[] all = kept.toByteArray();
                            kept.reset();
                            kept.write(all, all.length - limit, limit);
                        }
                    }
                }
            } catch (IOException e) {
                // the process ended
            }
        }

        public String text() {
            synchronized (kept) {
                byte[] all = kept.toByteArray();
                int from = Math.max(0, all.length - limit);
                return new String(all, from, all.length - from, StandardCharsets.UTF_8);
            }
        }
    }
}
