package io.pgscribe.compress;

import io.pgscribe.ExitCode;
import io.pgscribe.PgscribeException;
import io.pgscribe.encryption.Encryption;
import io.pgscribe.manifest.BaseEntry;
import io.pgscribe.manifest.GlobalsEntry;
import io.pgscribe.manifest.Manifest;
import io.pgscribe.manifest.ManifestStore;
import io.pgscribe.manifest.SegmentEntry;
import io.pgscribe.manifest.StoredFileEntry;
import io.pgscribe.storage.Compression;
import io.pgscribe.storage.DurableFiles;
import io.pgscribe.storage.StoredFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The compress route's bean: every closed file is brought into its stored form. Segments and
 * plain bases are compressed into {@code <file>.gz} (or {@code .zst}); with encryption on,
 * every closed file (segments, bases of either format, globals, a base's sidecars) is then
 * encrypted into {@code <file>[.gz].gpg}. The new file is written as {@code .partial},
 * fsync'd, read back and checked, renamed, and only then does the manifest point at it; the
 * original goes last. A crash at any step leaves the manifest naming a complete file, and
 * {@link #removeLeftovers} the rest. The runtime holds only public keys: what it encrypted it
 * cannot read back, so the read-back checks the stored bytes, and the original's checksum is
 * checked as it is read.
 */
public final class Compressor {

    private static final Logger LOG = LoggerFactory.getLogger(Compressor.class);
    private static final List<String> DIRS = List.of("segments", "base", "globals");

    private final ManifestStore store;
    private final Compression method;
    private final int level;
    private final Encryption encryption;

    public Compressor(ManifestStore store, Compression method, int level) {
        this(store, method, level, null);
    }

    /** {@code encryption}: null to keep files in plain text. */
    public Compressor(ManifestStore store, Compression method, int level, Encryption encryption) {
        this.store = store;
        this.method = method;
        this.level = method.checkedLevel(level);
        this.encryption = encryption;
    }

    public Compression method() {
        return method;
    }

    public boolean encrypting() {
        return encryption != null;
    }

    /** Brings what closed since the last run into its stored form; returns how many files it replaced. */
    public int compressClosed() {
        if (method == Compression.NONE && encryption == null) {
            return 0;
        }
        Manifest m = store.load();
        int done = 0;
        for (GlobalsEntry g : m.globals()) {
            if (encryptNow(g.file()) && seal(g.file(), g.sha256())) {
                done++;
            }
        }
        for (BaseEntry b : m.bases()) {
            if ((compressNow(b, !b.isCustomFormat()) || encryptNow(b.file())) && replace(b, !b.isCustomFormat())) {
                done++;
            }
            for (BaseEntry.Sidecar x : b.sidecars()) {
                if (encryptNow(x.file()) && seal(x.file(), x.sha256())) {
                    done++;
                }
            }
        }
        for (SegmentEntry s : m.segments()) {
            if ((compressNow(s, true) || encryptNow(s.file())) && replace(s, true)) {
                done++;
            }
        }
        return done;
    }

    /** An encrypted file is never compressed afterwards: the runtime cannot read it. */
    private boolean compressNow(StoredFileEntry e, boolean compressible) {
        return compressible && method != Compression.NONE && e.compression() == null && !Encryption.isEncrypted(e.file());
    }

    private boolean encryptNow(String file) {
        return encryption != null && !Encryption.isEncrypted(file);
    }

    private boolean replace(StoredFileEntry entry, boolean compressible) {
        boolean compressing = compressNow(entry, compressible);
        Replaced r = write(entry.file(), entry.sha256(), compressing);
        if (r == null) {
            return false;
        }
        String compression = compressing ? method.settingName() : entry.compression();
        return commit(entry.file(), r, m -> m.mapBases(bases -> bases.stream().map(b -> b.file().equals(entry.file())
                        ? b.compressed(r.name(), compression, r.digest().storedBytes(), r.digest().storedSha256()) : b).toList())
                .mapSegments(segments -> segments.stream().map(s -> s.file().equals(entry.file())
                        ? s.compressed(r.name(), compression, r.digest().storedBytes(), r.digest().storedSha256()) : s).toList()));
    }

    /** A globals dump or a base's sidecar: encrypted, and its entry pointed at the new file. */
    private boolean seal(String file, String sha256) {
        Replaced r = write(file, sha256, false);
        return r != null && commit(file, r, m -> m.mapGlobals(globals -> globals.stream().map(g -> g.file().equals(file)
                ? new GlobalsEntry(r.name(), g.takenAt(), r.digest().storedBytes(), r.digest().storedSha256()) : g).toList())
                .mapBases(bases -> bases.stream().map(b -> b.withSidecars(
                        file.equals(b.metadataFile()) ? r.name() : b.metadataFile(),
                        file.equals(b.metadataFile()) ? r.digest().storedSha256() : b.metadataSha256(),
                        file.equals(b.checksumsFile()) ? r.name() : b.checksumsFile(),
                        file.equals(b.checksumsFile()) ? r.digest().storedSha256() : b.checksumsSha256())).toList()));
    }

    /** The file written and renamed into place, not yet in the manifest. */
    private record Replaced(String name, StoredFiles.Digest digest) {
    }

    private Replaced write(String file, String sha256, boolean compressing) {
        Path dir = store.file().getParent();
        Path source = dir.resolve(file);
        String storedName = file + (compressing ? method.suffix() : "") + (encryption != null ? Encryption.SUFFIX : "");
        Path target = dir.resolve(storedName);
        Path partial = target.resolveSibling(target.getFileName() + ".partial");
        Compression with = compressing ? method : Compression.NONE;
        StoredFiles.Digest written;
        try {
            written = write(source, partial, with, Path.of(file).getFileName().toString());
            StoredFiles.Digest reread = encryption != null
                    ? new StoredFiles.Digest(Files.size(partial), DurableFiles.sha256(partial), written.contentBytes(),
                            written.contentSha256())
                    : StoredFiles.digest(partial, with);
            if (!written.contentSha256().equals(sha256) || !reread.equals(written)) {
                Files.deleteIfExists(partial);
                throw new PgscribeException(file + " no longer matches its sha256 in the manifest (" + sha256
                        + "), or its new stored copy did not read back the same; it was left as it is",
                        "Check the disk; `pgscribe verify --backup` names every damaged file.", ExitCode.DAMAGED, null);
            }
            DurableFiles.fsync(partial);
            DurableFiles.moveDurably(partial, target, true);
        } catch (java.nio.file.NoSuchFileException e) {
            deleteQuietly(partial);
            return null; // pruned since the manifest was read
        } catch (IOException e) {
            deleteQuietly(partial);
            throw new UncheckedIOException("cannot store " + file + " as " + storedName + ": " + e.getMessage(), e);
        }
        return new Replaced(storedName, written);
    }

    /**
     * Points the manifest at the new file, then deletes the one it replaces (or, when its entry
     * went meanwhile, the new one). A replaced file the store already holds stays there until
     * the shipper has uploaded the new one (see {@code Shipper.confirm}).
     */
    private boolean commit(String file, Replaced r, java.util.function.UnaryOperator<Manifest> point) {
        Path dir = store.file().getParent();
        AtomicBoolean listed = new AtomicBoolean();
        store.update(m -> {
            Manifest next = point.apply(m);
            listed.set(!next.equals(m));
            return next;
        });
        deleteQuietly(dir.resolve(listed.get() ? file : r.name()));
        if (listed.get()) {
            LOG.debug("Stored {} ({} bytes) as {} ({} bytes)", file, r.digest().contentBytes(), r.name(), r.digest().storedBytes());
        }
        return listed.get();
    }

    /** Content: the source's bytes as they are (its sha256 is the manifest's of the file as stored). */
    private StoredFiles.Digest write(Path source, Path partial, Compression with, String name) throws IOException {
        Files.deleteIfExists(partial);
        Files.createFile(partial, PosixFilePermissions.asFileAttribute(DurableFiles.OWNER_FILE));
        var storedSha = DurableFiles.newSha256();
        var contentSha = DurableFiles.newSha256();
        long contentBytes;
        try (InputStream in = new java.security.DigestInputStream(Files.newInputStream(source), contentSha)) {
            OutputStream file = new java.security.DigestOutputStream(
                    new java.io.BufferedOutputStream(Files.newOutputStream(partial, StandardOpenOption.WRITE), 1 << 16), storedSha);
            OutputStream sealed;
            try {
                sealed = encryption != null ? encryption.encrypting(file, name + with.suffix()) : file;
            } catch (IOException | RuntimeException e) {
                file.close();
                throw e;
            }
            try (OutputStream out = with.compressing(sealed, level)) {
                contentBytes = StoredFiles.copy(in, out);
            }
        }
        java.util.HexFormat hex = java.util.HexFormat.of();
        return new StoredFiles.Digest(Files.size(partial), hex.formatHex(storedSha.digest()), contentBytes,
                hex.formatHex(contentSha.digest()));
    }

    /**
     * At start, before the compress route runs: removes unfinished compressed files, compressed
     * files the manifest does not list (a crash before the manifest pointed at them), and
     * originals whose compressed copy the manifest already lists (a crash before they went).
     */
    public void removeLeftovers() {
        Path dir = store.file().getParent();
        Manifest m = store.load();
        Set<String> listed = new HashSet<>();
        for (BaseEntry b : m.bases()) {
            listed.add(b.file());
            listed.add(b.metadataFile());
            listed.add(b.checksumsFile());
        }
        m.segments().forEach(s -> listed.add(s.file()));
        m.globals().forEach(g -> listed.add(g.file()));
        List<Path> remove = new java.util.ArrayList<>();
        List<String> unlistedStored = new java.util.ArrayList<>();
        for (String sub : DIRS) {
            Path d = dir.resolve(sub);
            if (!Files.isDirectory(d)) {
                continue;
            }
            try (DirectoryStream<Path> files = Files.newDirectoryStream(d)) {
                for (Path p : files) {
                    String relative = sub + "/" + p.getFileName();
                    String name = p.getFileName().toString();
                    String whole = name.replaceFirst("\\.partial$", "");
                    boolean storedName = Compression.ofFile(whole) != Compression.NONE || Encryption.isEncrypted(whole);
                    boolean unlisted = storedName && !listed.contains(relative);
                    boolean replaced = !name.endsWith(".partial") && !listed.contains(relative)
                            && replacedBy(relative).stream().anyMatch(listed::contains);
                    if (unlisted || replaced) {
                        remove.add(p);
                    }
                    if (unlisted && !name.endsWith(".partial")) {
                        unlistedStored.add(relative);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot clean " + d, e);
            }
        }
        if (store.readFromCopy() && !unlistedStored.isEmpty()) {
            throw io.pgscribe.manifest.ManifestStore.olderCopyRefusal(dir, unlistedStored);
        }
        for (Path p : remove) {
            String relative = dir.relativize(p).toString();
            LOG.warn("Removing {}: {}", relative, unlistedStored.contains(relative) || relative.endsWith(".partial")
                    ? "a compressed or encrypted copy the manifest does not list" : "the manifest lists its compressed or encrypted copy");
            try {
                Files.delete(p);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot clean " + p.getParent(), e);
            }
        }
    }

    /** The names a file may be stored under once this bean replaced it. */
    private static List<String> replacedBy(String relative) {
        List<String> names = new java.util.ArrayList<>(List.of(relative + Encryption.SUFFIX));
        if (Compression.ofFile(relative) == Compression.NONE && !Encryption.isEncrypted(relative)) {
            for (Compression c : List.of(Compression.GZIP, Compression.ZSTD)) {
                names.add(relative + c.suffix());
                names.add(relative + c.suffix() + Encryption.SUFFIX);
            }
        }
        return names;
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            LOG.warn("Could not delete {}: {}", p, e.getMessage());
        }
    }
}
