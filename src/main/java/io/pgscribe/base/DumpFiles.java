package io.pgscribe.base;

import io.pgscribe.ExitCode;
import io.pgscribe.PgscribeException;
import io.pgscribe.server.PgTools;
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

    static Published run(String what, List<String> commandWithoutFile, Path target, Map<String, String> env,
                         Duration timeout) {
        Path partial = target.resolveSibling(target.getFileName() + ".partial");
        DurableFiles.ownerOnlyDirectory(target.getParent());
        List<String> cmd = new java.util.ArrayList<>(commandWithoutFile);
        cmd.add("--file=" + partial);
        PgTools.Result r = PgTools.run(cmd, env, timeout);
        if (!r.ok()) {
            deleteQuietly(partial);
            throw new PgscribeException(what + " failed (exit " + r.exitCode() + "): " + r.stderr().strip(),
                    "Fix the cause named above and run the command again; no partial " + what + " was kept.",
                    ExitCode.FAILED, null);
        }
        try {
            DurableFiles.ownerOnly(partial);
            DurableFiles.fsync(partial);
            DurableFiles.moveDurably(partial, target, false);
            return new Published(target, Files.size(target), DurableFiles.sha256(target));
        } catch (IOException e) {
            deleteQuietly(partial);
            throw new UncheckedIOException("cannot publish " + target, e);
        }
    }

    static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // best effort: a .partial file is never part of the backup set
        }
    }
}
