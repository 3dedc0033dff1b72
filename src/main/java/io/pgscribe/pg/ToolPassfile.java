package io.pgscribe.pg;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * A libpq password file for one run of a tool that cannot be given an environment (camel-exec
 * passes none): owner-only, in the backup set's owner-only {@code .credentials} directory (not
 * the machine's shared temporary directory), named in the tool's connection string by
 * {@code passfile=}, and deleted when the run ends, or at the next start after a crash. The
 * password never appears on a command line.
 */
public final class ToolPassfile implements AutoCloseable {

    private final Path file;

    private ToolPassfile(Path file) {
        this.file = file;
    }

    public static final String DIRECTORY = ".credentials";

    /** A passfile in {@code backupDir}'s credentials directory holding {@code spec}'s password, or none without one. */
    public static ToolPassfile forSpec(ConnectionSpec spec, Path backupDir) {
        if (spec.password() == null) {
            return new ToolPassfile(null);
        }
        try {
            Path dir = io.pgscribe.storage.DurableFiles.ownerOnlyDirectory(backupDir.resolve(DIRECTORY));
            Path f = Files.createTempFile(dir, "pgscribe-", ".pgpass",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            // one connection uses this file: any host, port, database and user
            Files.writeString(f, "*:*:*:*:" + escape(spec.password()) + "\n", StandardCharsets.UTF_8);
            return new ToolPassfile(f);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a temporary password file", e);
        }
    }

    /** The tool's connection string: {@code spec}'s, plus the passfile (this one, or the configured one). */
    public String conninfo(ConnectionSpec spec, String applicationName) {
        String base = spec.conninfo(applicationName);
        if (file != null) {
            return base + " passfile=" + ConnectionSpec.quote(file.toString());
        }
        if (spec.passfile() != null) {
            return base + " passfile=" + ConnectionSpec.quote(spec.passfile());
        }
        return base;
    }

    /** At start, before any tool runs: the passfiles of runs a crash ended. */
    public static List<Path> removeLeftovers(Path backupDir) {
        Path dir = backupDir.resolve(DIRECTORY);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (var files = Files.list(dir)) {
            List<Path> left = files.toList();
            for (Path f : left) {
                Files.deleteIfExists(f);
            }
            return left;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clean " + dir, e);
        }
    }

    static String escape(String password) {
        return password.replace("\\", "\\\\").replace(":", "\\:");
    }

    @Override
    public void close() {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // it is owner-only in the temporary directory; nothing else can be done
            }
        }
    }
}
