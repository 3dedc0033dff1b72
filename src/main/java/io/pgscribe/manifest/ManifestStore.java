package io.pgscribe.manifest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.pgscribe.ExitCode;
import io.pgscribe.storage.DurableFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
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

    public boolean exists() {
        return Files.exists(file);
    }

    /** The manifest as last read or written here, read again if another writer replaced it since. */
    public synchronized Manifest load() {
        Object key = fileKey();
        if (cached == null || !java.util.Objects.equals(key, cachedKey)) {
            cached = read(file, trust);
            cachedKey = key;
        }
        return cached;
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
        Manifest sealed = trust.sign(seal(manifest));
        byte[] json;
        try {
            json = JSON.writeValueAsBytes(sealed);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
        DurableFiles.writeAtomically(file, json);
        DurableFiles.writeAtomically(copyOf(file), json); // after it: a crash between leaves the manifest the newer

        cached = sealed;
        cachedKey = fileKey();
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

    /** Identifies the file's current version: every write replaces it by a rename, so its inode changes. */
    private Object fileKey() {
        try {
            var attrs = Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class);
            return java.util.List.of(String.valueOf(attrs.fileKey()), attrs.lastModifiedTime(), attrs.size());
        } catch (IOException e) {
            return null;
        }
    }

    /** Reads a manifest file, checks its sha256, and refuses it unless {@code trust} takes its signature (or its lack of one). */
    public static Manifest read(Path file, SetTrust trust) {
        Manifest m = readUnverified(file);
        trust.check(m, file);
        return m;
    }

    /**
     * Reads a manifest file and checks its sha256, not who wrote it: only for what reports on a
     * set or watches it, never to restore from it or to write it again.
     */
    public static Manifest readUnverified(Path file) {
        try {
            return readOne(file);
        } catch (ManifestException e) {
            Path copy = copyOf(file);
            if (!Files.exists(copy)) {
                throw e;
            }
            Manifest m;
            try {
                m = readOne(copy);
            } catch (ManifestException alsoCopy) {
                throw new ManifestException(e.getMessage() + "; its copy " + copy.getFileName() + " too: "
                        + alsoCopy.getMessage(), e.hint(), e.exitCode());
            }
            LOG.warn("{}: read its copy {} instead ({})", e.getMessage(), copy,
                    "the next write of the set puts the manifest back; find out what damaged it");
            return m;
        }
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

    /** The copy of the manifest {@code file}. */
    public static Path copyOf(Path file) {
        return file.resolveSibling(file.getFileName() + ".copy");
    }

    private static Manifest readOne(Path file) {
        if (!Files.exists(file)) {
            Path dir = file.getParent();
            if (dir != null && (Files.isDirectory(dir.resolve("segments")) || Files.isDirectory(dir.resolve("base")))) {
                throw new ManifestException("the backup set in " + dir + " has lost its manifest (" + FILE_NAME + ")",
                        LOST_MANIFEST_HINT);
            }
            throw new ManifestException("no backup set in " + (dir == null ? file : dir) + " (no " + FILE_NAME + ")",
                    "Run `pgscribe init` to start one, or point pgscribe.backup.dir at an existing one.", ExitCode.REFUSED);
        }
        Manifest m;
        try {
            m = JSON.readValue(file.toFile(), Manifest.class);
        } catch (IOException e) {
            throw new ManifestException("manifest " + file + " is not readable JSON: " + firstLine(e.getMessage()),
                    LOST_MANIFEST_HINT);
        }
        if (m.format() != Manifest.FORMAT) {
            throw new ManifestException("manifest " + file + " has format " + m.format() + ", this pgscribe reads format "
                    + Manifest.FORMAT, "Use the pgscribe version that wrote this backup set.", ExitCode.REFUSED);
        }
        String expected = checksumOf(m);
        if (m.sha256() == null || !m.sha256().equals(expected)) {
            throw new ManifestException("manifest " + file + " fails its checksum (it was modified or torn)",
                    LOST_MANIFEST_HINT + " Do not edit manifest.json by hand.");
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
