package io.pgscribe.storage;

import io.pgscribe.ExitCode;
import io.pgscribe.PgscribeException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * What every writer checks before it writes a backup set: the directory and everything in it
 * belong to this OS user, and nobody else can write them. Whoever else could would change
 * what the runtime signs, or what a restore runs, while it works there. No link inside the
 * set but the spool's own {@code current}, which names a file beside it.
 */
public final class SetPermissions {

    private static final int SHOWN = 5;

    private SetPermissions() {
    }

    /** The problems with {@code dir} (its real path) and what is in it; empty when it is this user's alone. */
    public static List<String> problems(Path dir) {
        String me = System.getProperty("user.name");
        List<String> out = new ArrayList<>();
        Path real;
        try {
            real = dir.toRealPath();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot resolve " + dir, e);
        }
        try (Stream<Path> walk = Files.walk(real)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                PosixFileAttributes a = Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                if (a.isSymbolicLink()) {
                    if (!isSpoolCurrent(real, p)) {
                        out.add(p + " is a symbolic link (to " + Files.readSymbolicLink(p) + ")");
                    }
                    continue;
                }
                if (!a.owner().getName().equals(me)) {
                    out.add(p + " belongs to " + a.owner().getName() + ", not to " + me);
                } else if (a.permissions().contains(PosixFilePermission.GROUP_WRITE)
                        || a.permissions().contains(PosixFilePermission.OTHERS_WRITE)) {
                    out.add(p + " can be written by others (" + java.nio.file.attribute.PosixFilePermissions
                            .toString(a.permissions()) + ")");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + real, e);
        }
        return out;
    }

    private static boolean isSpoolCurrent(Path set, Path p) throws IOException {
        return p.getParent().equals(set.resolve("spool")) && p.getFileName().toString().equals("current")
                && !Files.readSymbolicLink(p).toString().contains("/");
    }

    /** Refuses (exit 4) a backup set someone else could write. */
    public static void require(Path dir) {
        if (!Files.isDirectory(dir)) {
            return;
        }
        List<String> p = problems(dir);
        if (p.isEmpty()) {
            return;
        }
        throw new PgscribeException("the backup set in " + dir + " is not " + System.getProperty("user.name")
                + "'s alone: " + String.join("; ", p.subList(0, Math.min(SHOWN, p.size())))
                + (p.size() > SHOWN ? "; and " + (p.size() - SHOWN) + " more" : ""),
                "Whoever else can write it can change what pgscribe signs and what a restore runs. Find out who made "
                        + "these, check them (pgscribe verify --backup), then give them to this user alone (chown, chmod "
                        + "go-w; a link replaced by what it names).", ExitCode.REFUSED, null);
    }
}
