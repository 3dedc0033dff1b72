package io.pgscribe.spool;

import io.pgscribe.storage.DurableFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * The spool directory: decoder output as pg_recvlogical wrote it, fsync'd before the
 * server is told. pg_recvlogical writes to the symlink {@code current}; to rotate, the
 * link is pointed at the next file, created empty beforehand (so its directory entry is
 * durable before any data lands there), and pg_recvlogical reopens it on SIGHUP.
 * A file is finished once a later file holds data: pg_recvlogical never writes to an
 * older file after opening a newer one.
 */
public final class SpoolDirectory {

    public static final String CURRENT = "current";

    private final Path dir;
    private final String extension;
    private final SpoolFraming framing;
    /** The highest seq and run this set has used: a spool made again never reuses a name. */
    private long seqFloor;
    private long runFloor;

    public SpoolDirectory(Path dir, String extension) {
        this(dir, extension, SpoolFraming.LINES);
    }

    public SpoolDirectory(Path dir, String extension, SpoolFraming framing) {
        this.dir = dir;
        this.extension = extension;
        this.framing = framing;
    }

    /** How its records are told apart. */
    public SpoolFraming framing() {
        return framing;
    }

    public Path path() {
        return dir;
    }

    /** New files come after {@code f} even if it is gone: a lost spool's names stay unique. */
    public synchronized void continueAfter(SpoolFile f) {
        seqFloor = Math.max(seqFloor, f.seq());
        runFloor = Math.max(runFloor, f.run());
    }

    /** Whether the file {@code position} names is here and holds at least its offset. */
    public boolean holds(io.pgscribe.manifest.SpoolPosition position) {
        SpoolFile f = SpoolFile.parse(position.file());
        if (f == null) {
            return false;
        }
        try {
            return Files.isRegularFile(resolve(f), java.nio.file.LinkOption.NOFOLLOW_LINKS) && Files.size(resolve(f)) >= position.offset();
        } catch (IOException e) {
            return false;
        }
    }

    /** Whether the file pg_recvlogical writes ({@code current}'s target) is still in the directory. */
    public boolean currentPresent() {
        try {
            Path target = Files.readSymbolicLink(current());
            return Files.isRegularFile(dir.resolve(target), java.nio.file.LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            return false;
        }
    }

    public Path current() {
        return dir.resolve(CURRENT);
    }

    public Path resolve(SpoolFile f) {
        return dir.resolve(f.name());
    }

    public String extension() {
        return extension;
    }

    /** Spool files in order. */
    public List<SpoolFile> list() {
        List<SpoolFile> files = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return files;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                SpoolFile f = SpoolFile.parse(p.getFileName().toString());
                if (f != null && f.extension().equals(extension)) {
                    files.add(f);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list spool " + dir, e);
        }
        files.sort(null);
        return files;
    }

    public SpoolFile last() {
        List<SpoolFile> files = list();
        return files.isEmpty() ? null : files.get(files.size() - 1);
    }

    /** Whether a file after {@code f} holds data, which means {@code f} is finished. */
    public SpoolFile laterFileWithData(SpoolFile f) {
        for (SpoolFile later : list()) {
            if (later.seq() > f.seq()) {
                try {
                    if (Files.size(resolve(later)) > 0) {
                        return later;
                    }
                } catch (IOException e) {
                    // deleted meanwhile: keep looking
                }
            }
        }
        return null;
    }

    /**
     * Creates the next spool file (empty, owner-only, its directory entry fsync'd) and
     * points {@code current} at it. {@code newRun}: a new pg_recvlogical process will write it.
     */
    public SpoolFile advance(boolean newRun) {
        DurableFiles.ownerOnlyDirectory(dir);
        SpoolFile next;
        synchronized (this) {
            SpoolFile last = last();
            long lastSeq = Math.max(last == null ? 0 : last.seq(), seqFloor);
            long lastRun = Math.max(last == null ? 0 : last.run(), runFloor);
            long seq = lastSeq + 1;
            long run = lastRun == 0 ? 1 : (newRun ? lastRun + 1 : lastRun);
            next = new SpoolFile(seq, run, extension);
            seqFloor = seq;
            runFloor = run;
        }
        Path file = resolve(next);
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(DurableFiles.OWNER_FILE));
            Path link = dir.resolve("." + CURRENT + ".new");
            Files.deleteIfExists(link);
            Files.createSymbolicLink(link, file.getFileName());
            DurableFiles.moveDurably(link, current(), true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot advance spool in " + dir, e);
        }
        return next;
    }

    /**
     * The file the next pg_recvlogical process writes: a new one (new run), unless the
     * last file is still empty, because a process that wrote nothing left nothing unfinished.
     */
    public SpoolFile advanceForNewProcess() {
        SpoolFile last = last();
        try {
            if (last != null && Files.size(resolve(last)) == 0 && Files.isSymbolicLink(current())
                    && Files.readSymbolicLink(current()).toString().equals(last.name())) {
                return last;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot inspect spool " + dir, e);
        }
        return advance(true);
    }

    private static final String SESSION = ".session-";

    private Path sessionFile(io.pgscribe.manifest.SpoolPosition at) {
        return dir.resolve(at.file() + SESSION + at.offset());
    }

    /**
     * Keeps what a decoder learnt from its process's output up to {@code at} (pgoutput's
     * Relation messages), durably and before a checkpoint at {@code at} is recorded: a
     * capture resuming there reads it back instead of the output before it, which may be gone.
     */
    public void saveSessionState(io.pgscribe.manifest.SpoolPosition at, byte[] state) {
        // its sha256 first: a changed byte would otherwise map a table's columns wrongly, silently
        byte[] sum = DurableFiles.newSha256().digest(state);
        byte[] all = new byte[sum.length + state.length];
        System.arraycopy(sum, 0, all, 0, sum.length);
        System.arraycopy(state, 0, all, sum.length, state.length);
        DurableFiles.writeAtomically(sessionFile(at), all);
    }

    /** The state kept for {@code at}, or null; a state whose checksum fails is refused. */
    public byte[] sessionState(io.pgscribe.manifest.SpoolPosition at) {
        Path f = sessionFile(at);
        byte[] all;
        try {
            if (!Files.isRegularFile(f, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                return null;
            }
            all = Files.readAllBytes(f);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + f, e);
        }
        int n = 32;
        byte[] state = all.length < n ? null : java.util.Arrays.copyOfRange(all, n, all.length);
        if (state == null || !java.security.MessageDigest.isEqual(java.util.Arrays.copyOf(all, n),
                DurableFiles.newSha256().digest(state))) {
            throw new io.pgscribe.PgscribeException("the decoder's session state " + f + " is damaged (its checksum fails)",
                    LOST_STATE_HINT, io.pgscribe.ExitCode.DAMAGED, null);
        }
        return state;
    }

    /** What to do when the session state the capture resumes with is gone or damaged. */
    public static final String LOST_STATE_HINT = "Stop the runtime, move the spool directory aside and start it again: the "
            + "runtime asks the slot for what the spool held, or records a hole (README, \"A lost spool\").";

    /** Deletes the states kept for any position but {@code keep} (null: all). */
    public void deleteSessionStatesBut(io.pgscribe.manifest.SpoolPosition keep) {
        String kept = keep == null ? null : sessionFile(keep).getFileName().toString();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*" + SESSION + "*")) {
            for (Path p : ds) {
                if (!p.getFileName().toString().equals(kept)) {
                    Files.deleteIfExists(p);
                }
            }
        } catch (java.nio.file.NoSuchFileException e) {
            // no spool yet
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete session states in " + dir, e);
        }
    }

    /** Deletes every spool file before {@code keepFrom}: all their transactions are in closed segments. */
    public int deleteBefore(SpoolFile keepFrom) {
        int n = 0;
        for (SpoolFile f : list()) {
            if (f.seq() < keepFrom.seq()) {
                try {
                    Files.deleteIfExists(resolve(f));
                    n++;
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot delete spool file " + f.name(), e);
                }
            }
        }
        if (n > 0) {
            try {
                DurableFiles.fsyncDirectory(dir);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return n;
    }

    public long totalBytes() {
        long total = 0;
        for (SpoolFile f : list()) {
            try {
                total += Files.size(resolve(f));
            } catch (IOException e) {
                // deleted meanwhile
            }
        }
        return total;
    }
}
