package io.pgscribe.storage;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Set;

/**
 * Local files the way a backup needs them: owner-only, fsync'd, and replaced only by an
 * atomic rename, so a crash leaves either the old file or the new one, never half of one.
 */
public final class DurableFiles {

    public static final Set<PosixFilePermission> OWNER_FILE = PosixFilePermissions.fromString("rw-------");
    public static final Set<PosixFilePermission> OWNER_DIR = PosixFilePermissions.fromString("rwx------");

    private DurableFiles() {
    }

    /** Creates the directory (and parents) if missing, owner-only; refuses one another user owns. */
    public static Path ownerOnlyDirectory(Path dir) {
        try {
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir);
            }
            String owner = Files.getOwner(dir).getName();
            if (!owner.equals(System.getProperty("user.name"))) {
                // chmod would leave its owner able to change it back, and to rename what is in it
                throw new io.pgscribe.PgscribeException("directory " + dir + " belongs to " + owner + ", not to "
                        + System.getProperty("user.name"), "Give pgscribe a directory of its own OS user (chown), or "
                        + "remove this one and let pgscribe create it.", io.pgscribe.ExitCode.REFUSED, null);
            }
            Files.setPosixFilePermissions(dir, OWNER_DIR);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create directory " + dir, e);
        }
    }

    /** Writes {@code bytes} to a temporary file beside {@code target}, fsyncs it, renames it over {@code target}. */
    public static void writeAtomically(Path target, byte[] bytes) {
        Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp");
        try {
            Files.deleteIfExists(tmp); // a leftover, or a link planted there: removed, never followed
            createNew(tmp, bytes);
            moveDurably(tmp, target, true);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp); // a full disk leaves no torn temporary file behind
            } catch (IOException | RuntimeException ignored) {
                // the next write removes it first
            }
            throw new UncheckedIOException("cannot write " + target, e);
        }
    }

    /** Creates {@code file}, which must not exist (not even as a link), owner-only from its first byte, durably. */
    public static void writeNew(Path file, byte[] bytes) {
        try {
            createNew(file, bytes);
            fsyncDirectory(file.toAbsolutePath().getParent());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private static void createNew(Path file, byte[] bytes) throws IOException {
        try (FileChannel ch = FileChannel.open(file, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS), PosixFilePermissions.asFileAttribute(OWNER_FILE))) {
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        }
    }

    /** Renames {@code from} to {@code to} atomically and fsyncs the directory; refuses to overwrite unless told. */
    public static void moveDurably(Path from, Path to, boolean replace) throws IOException {
        if (!replace && Files.exists(to)) {
            throw new FileAlreadyExistsException(to.toString());
        }
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("the file system of " + to.getParent() + " cannot rename atomically", e);
        }
        fsyncDirectory(to.toAbsolutePath().getParent());
    }

    public static void fsync(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
    }

    /** Makes a created, renamed or deleted directory entry durable. */
    public static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    public static String sha256(Path file) {
        MessageDigest md = newSha256();
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    public static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(newSha256().digest(bytes));
    }

    public static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    public static void ownerOnly(Path file) {
        try {
            Files.setPosixFilePermissions(file, OWNER_FILE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot restrict permissions of " + file, e);
        }
    }
}
