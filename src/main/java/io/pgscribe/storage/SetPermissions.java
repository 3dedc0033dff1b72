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
import java.util.Set;
import java.util.stream.Stream;

/**
 * What every writer checks before it writes a backup set: the directory and everything in it
 * belong to this OS user, and nobody else can write them. Whoever else could would change
 * what the runtime signs, or what a restore runs, while it works there. No link inside the
 * set but the spool's own {@code current} (and {@code .current.new} while it is replaced), which
 * names a file beside it.
 */
public final class SetPermissions {

    private static final int SHOWN = 5;

    private SetPermissions() {
    }

    /** The problems with {@code dir} (its real path), its parents and what is in it; empty when it is this user's alone. */
    public static List<String> problems(Path dir) {
        return problems(dir, Set.of(me()));
    }

    private static String me() {
        return System.getProperty("user.name");
    }

    /**
     * The problems for someone who trusts only {@code trusted} (and root) with the set: an entry
     * another user owns, or one that group or others can write, or a link inside it; a parent
     * that another user owns, or that others can write without the sticky bit (they could swap
     * the whole directory between a check and a read).
     */
    static List<String> problems(Path dir, Set<String> trusted) {
        Set<String> who = new java.util.HashSet<>(trusted);
        who.add("root");
        List<String> out = new ArrayList<>();
        try {
            // the path as given: a link on it that another user made (or may replace) sends every write elsewhere
            Path given = dir.toAbsolutePath().normalize();
            for (int i = 1; i <= given.getNameCount(); i++) {
                Path p = given.getRoot().resolve(given.subpath(0, i));
                if (Files.isSymbolicLink(p)) {
                    String owner = Files.getOwner(p, LinkOption.NOFOLLOW_LINKS).getName();
                    if (!who.contains(owner)) {
                        out.add(p + " is a link of " + owner);
                    }
                    parentProblem(p.getParent().toRealPath(), who).ifPresent(out::add);
                }
            }
            if (!Files.exists(dir)) {
                // a set yet to be made: what it will be made in must be as safe as its parents later
                Path existing = given.getParent();
                while (existing != null && !Files.exists(existing)) {
                    existing = existing.getParent();
                }
                for (Path a = existing == null ? null : existing.toRealPath(); a != null; a = a.getParent()) {
                    parentProblem(a, who).ifPresent(out::add);
                }
                return out;
            }
            Path real = dir.toRealPath();
            for (Path parent = real.getParent(); parent != null; parent = parent.getParent()) {
                parentProblem(parent, who).ifPresent(out::add);
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
                    if (!who.contains(a.owner().getName()) || (p.equals(real) && !trusted.contains(a.owner().getName()))) {
                        out.add(p + " belongs to " + a.owner().getName() + ", not to " + String.join(" or ", trusted));
                    } else if (a.permissions().contains(PosixFilePermission.GROUP_WRITE)
                            || a.permissions().contains(PosixFilePermission.OTHERS_WRITE)) {
                        out.add(p + " can be written by others (" + java.nio.file.attribute.PosixFilePermissions
                                .toString(a.permissions()) + ")");
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot check " + dir, e);
        }
        return out;
    }

    /** A directory that holds the set (or a link to it): another user's, or writable by others without the sticky bit. */
    private static java.util.Optional<String> parentProblem(Path parent, Set<String> who) throws IOException {
        PosixFileAttributes a = Files.readAttributes(parent, PosixFileAttributes.class);
        boolean othersWrite = a.permissions().contains(PosixFilePermission.GROUP_WRITE)
                || a.permissions().contains(PosixFilePermission.OTHERS_WRITE);
        if (!who.contains(a.owner().getName())) {
            return java.util.Optional.of("its parent " + parent + " belongs to " + a.owner().getName());
        }
        if (othersWrite && !sticky(parent)) {
            return java.util.Optional.of("its parent " + parent + " can be written by others (" + java.nio.file.attribute
                    .PosixFilePermissions.toString(a.permissions()) + ", no sticky bit)");
        }
        return java.util.Optional.empty();
    }

    private static boolean sticky(Path dir) throws IOException {
        Object mode = Files.getAttribute(dir, "unix:mode");
        return mode instanceof Integer m && (m & 01000) != 0;
    }

    private static boolean isSpoolCurrent(Path set, Path p) throws IOException {
        // .current.new is the same link while the capture rotates it (made, then renamed over current)
        String name = p.getFileName().toString();
        return p.getParent().equals(set.resolve("spool")) && (name.equals("current") || name.equals(".current.new"))
                && !Files.readSymbolicLink(p).toString().contains("/");
    }

    /** Refuses (exit 4) a backup set someone else could write: for every writer. */
    public static void require(Path dir) {
        refuse(dir, problems(dir), me() + "'s alone");
        List<String> readable = readableByOthers(dir);
        if (!readable.isEmpty()) {
            // a set made wider on purpose (a backup agent's group) is the operator's choice: said, not refused
            org.slf4j.LoggerFactory.getLogger(SetPermissions.class).warn("The backup set in {} can be read by others than "
                    + "its owner: {}{}; its segments and bases hold every row and DDL text (passwords in it too, unless "
                    + "encrypted). chmod -R go-rwx it unless that is meant", dir,
                    String.join("; ", readable.subList(0, Math.min(SHOWN, readable.size()))),
                    readable.size() > SHOWN ? "; and " + (readable.size() - SHOWN) + " more" : "");
        }
    }

    /** Entries of the set (its directory first) that group or others can read or enter; pgscribe makes none. */
    public static List<String> readableByOthers(Path dir) {
        List<String> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        Set<PosixFilePermission> wide = Set.of(PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_EXECUTE,
                PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_EXECUTE);
        try (Stream<Path> walk = Files.walk(dir.toRealPath())) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                PosixFileAttributes a = Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                if (!a.isSymbolicLink() && a.permissions().stream().anyMatch(wide::contains)) {
                    out.add(p + " (" + java.nio.file.attribute.PosixFilePermissions.toString(a.permissions()) + ")");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot check " + dir, e);
        }
        return out;
    }

    /**
     * Refuses (exit 4) a local set that anyone but its owner (the runtime's user), this user or
     * root could change while it is read: restore and verify read each file again after checking
     * it, and the signature vouches only for what was checked.
     */
    public static void requireForReading(Path dir) {
        if (!Files.isDirectory(dir)) {
            return; // the reader says what is missing
        }
        String owner;
        try {
            owner = Files.getOwner(dir.toRealPath()).getName();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + dir, e);
        }
        refuse(dir, problems(dir, new java.util.TreeSet<>(List.of(owner, me()))), "only its owner's (" + owner
                + ") to change");
    }

    private static void refuse(Path dir, List<String> p, String what) {
        if (p.isEmpty()) {
            return;
        }
        throw new PgscribeException("the backup set in " + dir + " is not " + what + ": "
                + String.join("; ", p.subList(0, Math.min(SHOWN, p.size())))
                + (p.size() > SHOWN ? "; and " + (p.size() - SHOWN) + " more" : ""),
                "Whoever else can write it can change what pgscribe signs and what a restore runs. Find out who made "
                        + "these, check them (pgscribe verify --backup), then give them to the set's user alone (chown, "
                        + "chmod go-w; a link replaced by what it names). Or restore from a copy (--from-s3).",
                ExitCode.REFUSED, null);
    }
}
