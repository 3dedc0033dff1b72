package io.pgscribe.manifest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.pgscribe.ExitCode;
import io.pgscribe.storage.DurableFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.function.UnaryOperator;

/**
 * Reads and writes {@code manifest.json} of a backup directory. Every write replaces the
 * whole file atomically and carries a sha256 of its own content, so a torn or edited
 * manifest is detected on load, and, with a signing key ({@link SetTrust}), a signature that
 * a manifest written by anyone else fails. Writers are serialized across threads and processes (the
 * runtime and a {@code pgscribe prune} beside it) by a lock on {@code manifest.lock}; a
 * manifest another writer replaced is read again before it is changed.
 *
 * <p>Every write leaves the same bytes in {@code manifest.json.copy} too, after the manifest
 * (pgBackRest keeps its backup.manifest.copy the same way). A reader falls back to the copy when
 * the manifest is missing, unreadable or fails its checksum, never when it fails its signature:
 * a lost or torn file is an accident, a forged one an attack the operator must see.
 */
public final class ManifestStore {

    public static final String FILE_NAME = "manifest.json";
    /** The second copy of the manifest, beside it. */
    public static final String COPY_NAME = FILE_NAME + ".copy";
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ManifestStore.class);

    /** What to do: the manifest is the set's record of its own files, and is never rebuilt from them (README). */
    static final String LOST_MANIFEST_HINT = "Put back a copy of manifest.json: the S3 copy (s3://BUCKET/PREFIX/manifest.json, "
            + "when shipping is on) or your file backup of the directory. Without one, see \"A lost manifest\" in the README.";

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private static final java.util.concurrent.ConcurrentHashMap<Path, Object> JVM_LOCKS = new java.util.concurrent.ConcurrentHashMap<>();

    private final Path file;
    private final SetTrust trust;
    private Manifest cached;
    private Object cachedKey;
    private boolean cachedFromCopy;
    private Object comparedKey;
    private String copyProblem;

    /** A writer of unsigned sets (it refuses a signed one). */
    public ManifestStore(Path backupDir) {
        this(backupDir, SetTrust.writer(null));
    }

    public ManifestStore(Path backupDir, SetTrust trust) {
        this.file = backupDir.resolve(FILE_NAME);
        this.trust = trust;
    }

    public SetTrust trust() {
        return trust;
    }

    public Path file() {
        return file;
    }

    /** Whether the directory holds a manifest: this file or its copy (the set is there even when one is lost). */
    public boolean exists() {
        return Files.exists(file, LinkOption.NOFOLLOW_LINKS) || Files.exists(copyOf(file), LinkOption.NOFOLLOW_LINKS);
    }

    /**
     * Whether the directory holds segments, whatever became of its manifest: only a capture writes
     * them, so it is a set (an init that failed leaves at most a base).
     */
    public boolean holdsSegments() {
        try (var entries = Files.list(file.getParent().resolve("segments"))) {
            return entries.findAny().isPresent();
        } catch (java.nio.file.NoSuchFileException | java.nio.file.NotDirectoryException e) {
            return false;
        } catch (IOException e) {
            return true; // cannot tell: treat it as a set, which refuses rather than starts a new one over it
        }
    }

    /** The manifest as last read or written here, read again if another writer replaced it or its copy since. */
    public synchronized Manifest load() {
        Object key = filesKey();
        // keyed on both files: while the manifest is missing, another writer's write shows only in the copy
        if (cached == null || !key.equals(cachedKey)) {
            Read r = readEither(file);
            if (!r.from().equals(file) && olderThanCached(r.manifest(), key)) {
                // the copy this store wrote or saw last, while the manifest then was newer: never go back to it
                LOG.warn("{} is older than the manifest this process last wrote or read (its write failed: {}); "
                        + "the next write of the set writes {} from that state", COPY_NAME, copyProblem, FILE_NAME);
                cachedKey = key;
                return cached;
            }
            trust.check(r.manifest(), r.from());
            cached = r.manifest();
            cachedKey = key;
            cachedFromCopy = !r.from().equals(file);
        }
        return cached;
    }

    /**
     * Whether {@code copy} (read because manifest.json is missing or damaged) is older than what
     * this store holds: the copy is the same file as at the last read or write here, and that
     * write or read was of a manifest.json with other content (the copy's write failed, or it
     * already differed).
     */
    private boolean olderThanCached(Manifest copy, Object key) {
        if (cached == null || cachedFromCopy || cachedKey == null) {
            return false;
        }
        Object copyNow = ((java.util.List<?>) key).get(1);
        Object copyThen = ((java.util.List<?>) cachedKey).get(1);
        return copyNow != null && copyNow.equals(copyThen) && !java.util.Objects.equals(copy.sha256(), cached.sha256());
    }

    /**
     * Whether the manifest last loaded here came from its copy, because manifest.json is missing or
     * damaged: the copy can be one write older, so what it does not list must not be deleted.
     */
    public synchronized boolean readFromCopy() {
        return cachedFromCopy;
    }

    /**
     * Why the copy is not the manifest's twin (missing, unreadable, other bytes), or null when it
     * is, or when the manifest itself does not read; compared again only when either file changed.
     */
    public synchronized String copyProblem() {
        Object key = filesKey();
        if (!key.equals(comparedKey)) {
            copyProblem = copyProblemOf(file);
            comparedKey = key;
        }
        return copyProblem;
    }

    /** As {@link #copyProblem()}, for the manifest {@code file} of any set. */
    public static String copyProblemOf(Path file) {
        Path copy = copyOf(file);
        try {
            if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
                return null;
            }
            if (!Files.exists(copy, LinkOption.NOFOLLOW_LINKS)) {
                return COPY_NAME + " is missing";
            }
            if (java.util.Arrays.equals(Files.readAllBytes(file), Files.readAllBytes(copy))) {
                return null;
            }
        } catch (IOException e) {
            return "cannot compare " + FILE_NAME + " with " + COPY_NAME + ": " + e.getMessage();
        }
        return COPY_NAME + " is not the same as " + FILE_NAME + " (an older write, or another set's)";
    }

    /**
     * The refusal of a writer that would delete files in {@code dir} the manifest does not list,
     * while the manifest was read from its copy: the copy can be older than the manifest was.
     */
    public static io.pgscribe.PgscribeException olderCopyRefusal(Path dir, java.util.List<String> unlisted) {
        return new io.pgscribe.PgscribeException(FILE_NAME + " is missing or damaged, and its copy, read instead, "
                + "does not list " + String.join(", ", unlisted) + ": the copy is older than the manifest was, and "
                + "pgscribe does not delete what it cannot prove is written again",
                "Put back manifest.json (the S3 copy, or your file backup of the directory). Or, if you accept losing "
                + "what those files hold, move them out of " + dir + " and start again.", ExitCode.DAMAGED, null);
    }

    /** Applies {@code change} to the current manifest and writes the result durably, holding the lock. */
    public Manifest update(UnaryOperator<Manifest> change) {
        return locked(() -> {
            Manifest next = change.apply(load());
            write(next);
            return next;
        });
    }

    public void save(Manifest manifest) {
        locked(() -> {
            write(manifest);
            return null;
        });
    }

    private synchronized void write(Manifest manifest) {
        Manifest sealed = trust.sign(seal(manifest.withWrittenAt(java.time.Instant.now().toString())));
        byte[] json;
        try {
            json = JSON.writeValueAsBytes(sealed);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
        DurableFiles.writeAtomically(file, json);
        cached = sealed; // the set's state from here on, whatever becomes of the copy
        cachedFromCopy = false;
        try {
            DurableFiles.writeAtomically(copyOf(file), json); // after it: a crash between leaves the manifest the newer
            copyProblem = null;
        } catch (RuntimeException e) {
            // the manifest holds the change: failing the writer now would make it forget what it recorded
            copyProblem = "cannot write " + COPY_NAME + ": " + e.getMessage();
            LOG.warn("{} ({} is written; the next write of the set tries its copy again)", copyProblem, FILE_NAME);
        }
        cachedKey = filesKey();
        comparedKey = cachedKey;
    }

    private <T> T locked(java.util.function.Supplier<T> action) {
        Path lockFile = file.resolveSibling("manifest.lock");
        Object jvmLock = JVM_LOCKS.computeIfAbsent(lockFile.toAbsolutePath().normalize(), k -> new Object());
        synchronized (jvmLock) {
            try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(lockFile,
                    java.util.Set.of(java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE),
                    java.nio.file.attribute.PosixFilePermissions.asFileAttribute(DurableFiles.OWNER_FILE));
                 java.nio.channels.FileLock ignored = ch.lock()) {
                synchronized (this) {
                    return action.get();
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot lock " + lockFile, e);
            }
        }
    }

    /** Identifies the manifest's and the copy's current versions (a null for one that is missing). */
    private Object filesKey() {
        return java.util.Arrays.asList(fileKey(file), fileKey(copyOf(file)));
    }

    /** Identifies a file's current version: every write replaces it by a rename, so its inode changes. */
    private static Object fileKey(Path f) {
        try {
            var attrs = Files.readAttributes(f, java.nio.file.attribute.BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            return java.util.List.of(String.valueOf(attrs.fileKey()), attrs.lastModifiedTime(), attrs.size());
        } catch (IOException e) {
            return null;
        }
    }

    /** Reads a manifest file, checks its sha256, and refuses it unless {@code trust} takes its signature (or its lack of one). */
    public static Manifest read(Path file, SetTrust trust) {
        Read r = readEither(file);
        trust.check(r.manifest(), r.from()); // named as read: a refused copy is the copy
        return r.manifest();
    }

    /**
     * Reads a manifest file and checks its sha256, not who wrote it: only for what reports on a
     * set or watches it, never to restore from it or to write it again.
     */
    public static Manifest readUnverified(Path file) {
        return readEither(file).manifest();
    }

    /** A manifest and the file it was read from: {@code manifest.json} or its copy. */
    private record Read(Manifest manifest, Path from) {
    }

    private static Read readEither(Path file) {
        try {
            return new Read(readOne(file), file);
        } catch (Damage e) {
            Path copy = copyOf(file);
            if (!Files.exists(copy, LinkOption.NOFOLLOW_LINKS)) {
                throw e.missing ? noSetOrLost(file) : e;
            }
            Manifest m;
            try {
                m = readOne(copy);
            } catch (ManifestException alsoCopy) {
                // the copy is there, so a set is: never "run pgscribe init" over it
                throw new ManifestException(e.getMessage() + "; its copy " + copy.getFileName() + " too: "
                        + alsoCopy.getMessage(), LOST_MANIFEST_HINT);
            }
            LOG.warn("{}: read its copy {} instead (a runtime's next write of the set writes {} again; find out what "
                    + "damaged it)", e.getMessage(), copy, FILE_NAME);
            return new Read(m, copy);
        }
    }

    /** A manifest that is missing, unreadable or torn: what its copy stands in for (a format it cannot read is not). */
    private static final class Damage extends ManifestException {
        final boolean missing;

        Damage(String message, String hint, boolean missing) {
            super(message, hint);
            this.missing = missing;
        }
    }

    private static ManifestException noSetOrLost(Path file) {
        Path dir = file.getParent();
        if (dir != null && (Files.isDirectory(dir.resolve("segments")) || Files.isDirectory(dir.resolve("base")))) {
            return new ManifestException("the backup set in " + dir + " has lost its manifest (" + FILE_NAME
                    + ") and its copy (" + COPY_NAME + ")", LOST_MANIFEST_HINT);
        }
        return new ManifestException("no backup set in " + (dir == null ? file : dir) + " (no " + FILE_NAME + ")",
                "Run `pgscribe init` to start one, or point pgscribe.backup.dir at an existing one.", ExitCode.REFUSED);
    }

    /** Why {@code file} itself (not its copy) does not read, or is refused by {@code trust}; null when neither. */
    public static String problemOf(Path file, SetTrust trust) {
        try {
            trust.check(readOne(file), file);
            return null;
        } catch (io.pgscribe.PgscribeException e) {
            return e.getMessage();
        }
    }

    /** Why {@code file} does not read as a whole manifest (missing, unreadable, torn), or null; its signature aside. */
    public static String damageOf(Path file) {
        try {
            readOne(file);
            return null;
        } catch (io.pgscribe.PgscribeException e) {
            return e.getMessage();
        }
    }

    /** The copy of the manifest {@code file}. */
    public static Path copyOf(Path file) {
        return file.resolveSibling(file.getFileName() + ".copy");
    }

    private static Manifest readOne(Path file) {
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new Damage(file.getFileName() + " of " + file.getParent() + " is missing", LOST_MANIFEST_HINT, true);
        }
        Manifest m;
        try {
            m = JSON.readValue(file.toFile(), Manifest.class);
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new Damage("manifest " + file + " is not readable JSON: " + firstLine(e.getOriginalMessage()),
                    LOST_MANIFEST_HINT, false);
        } catch (IOException e) {
            throw new Damage("cannot read manifest " + file + ": " + e, "Check the file's owner and mode (pgscribe "
                    + "reads it as the user that runs it), and the disk.", false);
        }
        if (m.format() != Manifest.FORMAT) {
            throw new ManifestException("manifest " + file + " has format " + m.format() + ", this pgscribe reads format "
                    + Manifest.FORMAT, "Use the pgscribe version that wrote this backup set.", ExitCode.REFUSED);
        }
        String expected = checksumOf(m);
        if (m.sha256() == null || !m.sha256().equals(expected)) {
            throw new Damage("manifest " + file + " fails its checksum (it was modified or torn)",
                    LOST_MANIFEST_HINT + " Do not edit manifest.json by hand.", false);
        }
        return m;
    }

    /** The manifest as a file would hold it, sealed and signed as this store writes (the store's copy of a backup set). */
    public byte[] sealedJson(Manifest m) {
        return jsonOf(trust.sign(seal(m)));
    }

    static Manifest seal(Manifest m) {
        return m.withSha256(checksumOf(m));
    }

    static byte[] jsonOf(Manifest m) {
        try {
            return JSON.writeValueAsBytes(m);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // over neither the checksum nor the signature, so that a manifest of pgscribe 0.1 (which knows no signature) still checks
    private static String checksumOf(Manifest m) {
        return DurableFiles.sha256(jsonOf(m.withSha256(null)));
    }
}
