package io.pgscribe.pg;

import io.pgscribe.ExitCode;
import io.pgscribe.PgscribeException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Finds a password in a libpq password file ({@code host:port:database:user:password}, {@code *}
 * matching anything, {@code \} escaping {@code :} and {@code \}), the way libpq does, for the
 * JDBC connections: pgjdbc reads only PGPASSFILE or ~/.pgpass, never a file named per connection,
 * while pgscribe.source.passfile may differ per database.
 */
public final class PassfileReader {

    private PassfileReader() {
    }

    public static Optional<String> password(Path file, String host, int port, String database, String user) {
        Set<PosixFilePermission> perms;
        List<String> lines;
        try {
            perms = Files.getPosixFilePermissions(file);
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new PgscribeException("the password file " + file + " does not exist",
                    "Fix pgscribe.source.passfile, or create it (host:port:database:user:password, mode 0600).",
                    ExitCode.USAGE, e);
        } catch (IOException e) {
            throw new PgscribeException("cannot read the password file " + file + ": " + e.getMessage(),
                    "Check that pgscribe can read it.", ExitCode.USAGE, e);
        }
        // libpq ignores a file others can read, so the tools would fail to log in: say it once, here
        if (perms.stream().anyMatch(p -> p.name().startsWith("GROUP_") || p.name().startsWith("OTHERS_"))) {
            throw new PgscribeException("the password file " + file + " can be read by group or others, so libpq ignores it",
                    "chmod 0600 " + file, ExitCode.USAGE, null);
        }
        for (String line : lines) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            List<String> f = fields(line);
            if (f.size() == 5 && matches(f.get(0), host) && matches(f.get(1), Integer.toString(port))
                    && matches(f.get(2), database) && matches(f.get(3), user)) {
                return Optional.of(f.get(4));
            }
        }
        return Optional.empty();
    }

    private static boolean matches(String field, String value) {
        return field.equals("*") || field.equals(value);
    }

    private static List<String> fields(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\\' && i + 1 < line.length()) {
                cur.append(line.charAt(++i));
            } else if (c == ':' && out.size() < 4) {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        out.add(cur.toString());
        return out;
    }
}
