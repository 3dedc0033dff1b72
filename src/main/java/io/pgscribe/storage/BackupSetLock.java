package io.pgscribe.storage;

import io.pgscribe.ExitCode;
import io.pgscribe.PgscribeException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Set;

/**
 * One writer per backup set: an OS lock on {@value #FILE} in the set's directory, held for a
 * runtime's whole life (and by init while it works). The OS lets it go when the process ends,
 * however it ends, so a killed runtime never leaves a stale lock. The file says who holds it.
 * Readers (restore, verify, status) take no lock. On a network file system the lock is only as
 * good as that file system's locking.
 */
public final class BackupSetLock implements AutoCloseable {

    public static final String FILE = ".pgscribe.lock";

    /**
     * The sets this JVM holds, by lock file, with the holder's note. A second channel on a locked
     * file must never be opened here: closing it would release the JVM's lock (POSIX locks belong
     * to the process, not the channel).
     */
    private static final java.util.Map<Path, String> HELD = new java.util.HashMap<>();

    private final FileChannel channel;
    private final FileLock lock;
    private final Path key;
    private final Object fileKey;
    private final String purpose;

    private BackupSetLock(FileChannel channel, FileLock lock, Path key, String purpose) {
        this.channel = channel;
        this.lock = lock;
        this.key = key;
        this.fileKey = fileKey(key);
        this.purpose = purpose;
    }

    private static Object fileKey(Path file) {
        try {
            return Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
                    .fileKey();
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Whether the lock file is still the one this lock holds: a lock on a file someone deleted (or
     * replaced) keeps no second runtime out.
     */
    public boolean intact() {
        Object now = fileKey(key);
        return now != null && now.equals(fileKey);
    }

    /** A lock on the set's lock file as it is now (after it was deleted or replaced), or refused as {@link #acquire}. */
    public BackupSetLock renewed() {
        synchronized (HELD) {
            close();
            return acquireHeld(key.getParent(), purpose);
        }
    }

    private static PgscribeException inUse(Path dir, String holder) {
        return new PgscribeException("the backup set in " + dir + " is in use" + (holder.isEmpty() ? "" : " by " + holder)
                + ": one runtime, or init, writes a backup set at a time",
                "Stop that one first, or give this one its own pgscribe.backup.dir. (Restore, verify and status "
                        + "may read the set while it runs.)", ExitCode.REFUSED, null);
    }

    /** Takes the lock of the set in {@code dir} for {@code purpose} (e.g. "run"), or refuses at once (exit 4). */
    public static BackupSetLock acquire(Path dir, String purpose) {
        synchronized (HELD) {
            return acquireHeld(dir, purpose);
        }
    }

    private static BackupSetLock acquireHeld(Path dir, String purpose) {
        Path file = dir.resolve(FILE);
        Path key = file.toAbsolutePath().normalize();
        if (HELD.containsKey(key)) {
            throw inUse(dir, HELD.get(key));
        }
        FileChannel ch;
        try {
            if (!Files.isDirectory(dir)) {
                DurableFiles.ownerOnlyDirectory(dir);
            }
            if (Files.isSymbolicLink(file)) {
                throw new PgscribeException(file + " is a symbolic link", "Remove it: pgscribe makes that file itself.",
                        ExitCode.REFUSED, null);
            }
            ch = FileChannel.open(file, Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE,
                    LinkOption.NOFOLLOW_LINKS), PosixFilePermissions.asFileAttribute(DurableFiles.OWNER_FILE));
        } catch (IOException | UncheckedIOException e) {
            Throwable cause = e instanceof UncheckedIOException u ? u.getCause() : e;
            String why = cause instanceof java.nio.file.AccessDeniedException ? "permission denied"
                    : cause instanceof java.nio.file.FileSystemException f && f.getReason() != null ? f.getReason()
                    : String.valueOf(cause.getMessage());
            throw new PgscribeException("backup directory " + dir + " cannot be written (" + why + " on " + file + ")",
                    "pgscribe.backup.dir must be a directory this user (" + System.getProperty("user.name")
                            + ") can create files in: fix its owner or permissions, or point pgscribe.backup.dir elsewhere.",
                    ExitCode.USAGE, null);
        }
        FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (IOException | OverlappingFileLockException e) {
            close(ch);
            throw new UncheckedIOException("cannot lock " + file, e instanceof IOException io ? io : new IOException(e));
        }
        if (lock == null) {
            String holder = holder(ch);
            close(ch); // this process holds no lock on the file: closing releases nothing
            throw inUse(dir, holder);
        }
        String note = "pid " + ProcessHandle.current().pid() + " on " + hostname() + " (" + purpose + ", since "
                + Instant.now() + ")";
        try {
            ch.truncate(0);
            ch.write(ByteBuffer.wrap((note + "\n").getBytes(StandardCharsets.UTF_8)), 0);
            ch.force(false);
        } catch (IOException e) {
            // the lock holds whether or not the note could be written
        }
        HELD.put(key, note);
        return new BackupSetLock(ch, lock, key, purpose);
    }

    /**
     * Whether some process holds the lock of the set in {@code dir} (this JVM included); empty
     * when that cannot be told (no lock file, or it cannot be opened). Takes no lock: probes only.
     */
    public static java.util.Optional<Boolean> isHeld(Path dir) {
        Path file = dir.resolve(FILE);
        synchronized (HELD) {
            if (HELD.containsKey(file.toAbsolutePath().normalize())) {
                return java.util.Optional.of(true); // a second channel here would release this JVM's lock at its close
            }
            if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                return java.util.Optional.empty();
            }
            try (FileChannel ch = FileChannel.open(file, Set.of(StandardOpenOption.READ, StandardOpenOption.WRITE,
                    LinkOption.NOFOLLOW_LINKS))) {
                FileLock probe = ch.tryLock();
                if (probe == null) {
                    return java.util.Optional.of(true);
                }
                probe.release();
                return java.util.Optional.of(false);
            } catch (IOException | OverlappingFileLockException e) {
                return java.util.Optional.empty();
            }
        }
    }

    private static String holder(FileChannel ch) {
        try {
            ByteBuffer b = ByteBuffer.allocate(512);
            int n = ch.read(b, 0);
            return n <= 0 ? "" : new String(b.array(), 0, n, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            return "";
        }
    }

    private static String hostname() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "this host";
        }
    }

    private static void close(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException e) {
            // nothing held
        }
    }

    @Override
    public void close() {
        synchronized (HELD) {
            if (!channel.isOpen()) {
                return;
            }
            try {
                lock.release();
            } catch (IOException e) {
                // the channel's close releases it too
            }
            close(channel);
            HELD.remove(key);
        }
    }
}
