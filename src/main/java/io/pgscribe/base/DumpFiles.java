package io.pgscribe.base;

import io.pgscribe.ExitCode;
import io.pgscribe.PgscribeException;
import io.pgscribe.pg.PgTools;
import io.pgscribe.storage.DurableFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Runs a dump tool into a {@code .partial} file and publishes it (fsync, owner-only,
 * atomic rename) only when the tool succeeded, so no partial dump ever looks complete.
 */
final class DumpFiles {

    private DumpFiles() {
    }

    /** A published dump file: its size and sha256. */
    record Published(Path file, long bytes, String sha256) {
    }

    /** Where a dump into {@code target} is written until it is complete. */
    static Path partialOf(Path target) {
        return target.resolveSibling(target.getFileName() + ".partial");
    }

    static Published run(String what, List<String> commandWithoutFile, Path target, Map<String, String> env,
                         Duration timeout) {
        Path partial = partialOf(target);
        DurableFiles.ownerOnlyDirectory(target.getParent());
        List<String> cmd = new java.util.ArrayList<>(commandWithoutFile);
        cmd.add("--file=" + partial);
        createPartial(partial);
        PgTools.Result r = PgTools.run(cmd, env, timeout);
        if (!r.ok()) {
            deleteQuietly(partial);
            throw failed(what, r.exitCode(), r.stderr());
        }
        return publish(partial, target);
    }

    /** The error for a dump tool that exited with {@code exitCode}; its stderr says why. */
    static PgscribeException failed(String what, int exitCode, String stderr) {
        String how = exitCode > 128 && exitCode < 160 ? "exit " + exitCode + ", killed by signal " + (exitCode - 128)
                : "exit " + exitCode;
        return new PgscribeException(what + " failed (" + how + ")" + (stderr.isBlank() ? "" : ": " + stderr.strip()),
                "Fix the cause named above; no partial " + what + " was kept, and the next run starts afresh.",
                ExitCode.FAILED, null);
    }

    /**
     * Creates the empty {@code .partial} owner-only before the tool runs: the tool opens it for
     * writing and keeps its mode, so no byte of a dump is ever readable by others, whatever the umask.
     */
    static void createPartial(Path partial) {
        try {
            Files.deleteIfExists(partial); // a leftover, or a link planted there: removed, never followed
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + partial, e);
        }
        DurableFiles.writeNew(partial, new byte[0]);
    }

    /** Makes a finished {@code .partial} dump durable, owner-only, and visible under its final name. */
    static Published publish(Path partial, Path target) {
        try {
            if (!Files.isRegularFile(partial)) {
                throw new PgscribeException("the dump tool reported success but wrote no " + partial,
                        "Check the disk and the tool's version.", ExitCode.FAILED, null);
            }
            DurableFiles.ownerOnly(partial);
            DurableFiles.fsync(partial);
            DurableFiles.moveDurably(partial, target, false);
            return new Published(target, Files.size(target), DurableFiles.sha256(target));
        } catch (IOException e) {
            deleteQuietly(partial);
            throw new UncheckedIOException("cannot publish " + target, e);
        }
    }

    /** Removes what a dump interrupted by a crash of the runtime left: {@code .partial} files are never part of a backup set. */
    static List<Path> removePartials(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (var files = Files.list(dir)) {
            List<Path> partials = files.filter(f -> f.getFileName().toString().endsWith(".partial")).toList();
            partials.forEach(DumpFiles::deleteQuietly);
            return partials;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    static void deleteQuietly(Path p) {
        if (p == null) {
            return;
        }
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // best effort: a .partial file is never part of the backup set
        }
    }
}
