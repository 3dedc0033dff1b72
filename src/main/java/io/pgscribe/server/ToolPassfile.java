package io.pgscribe.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * A libpq password file for one run of a tool that cannot be given an environment (camel-exec
 * passes none): owner-only, named in the tool's connection string by {@code passfile=}, and
 * deleted when the run ends. The password never appears on a command line.
 */
public final class ToolPassfile implements AutoCloseable {

    private final Path file;

    private ToolPassfile(Path file) {
        this.file = file;
    }

    /** A passfile holding {@code spec}'s password, or none when the spec has no password. */
    public static ToolPassfile forSpec(ConnectionSpec spec) {
        if (spec.password() == null) {
            return new ToolPassfile(null);
        }
        try {
            Path f = Files.createTempFile("pgscribe-", ".pgpass",
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
