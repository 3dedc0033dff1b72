package io.pgscribe.compress;

import io.pgscribe.ExitCode;
import io.pgscribe.PgscribeException;
import io.pgscribe.manifest.BaseEntry;
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
 * The compress route's bean: every closed segment and plain base still stored as written is
 * compressed into {@code <file>.gz} (or {@code .zst}). The compressed file is written as
 * {@code .partial}, fsync'd, read back and checked against the manifest's sha256 of the SQL,
 * renamed, and only then does the manifest point at it; the original goes last. A crash at
 * any step leaves the manifest naming a complete file, and {@link #removeLeftovers} the rest.
 */
public final class Compressor {

    private static final Logger LOG = LoggerFactory.getLogger(Compressor.class);
    private static final List<String> DIRS = List.of("segments", "base");

    private final ManifestStore store;
    private final Compression method;
    private final int level;

    public Compressor(ManifestStore store, Compression method, int level) {
        this.store = store;
        this.method = method;
        this.level = method.checkedLevel(level);
    }

    public Compression method() {
        return method;
    }

    /** Compresses what closed since the last run; returns how many files it compressed. */
    public int compressClosed() {
        if (method == Compression.NONE) {
            return 0;
        }
        Manifest m = store.load();
        int done = 0;
        for (BaseEntry b : m.bases()) {
            if (b.compression() == null && !b.isCustomFormat() && compress(b)) {
                done++;
            }
        }
        for (SegmentEntry s : m.segments()) {
            if (s.compression() == null && compress(s)) {
                done++;
            }
        }
        return done;
    }

    private boolean compress(StoredFileEntry entry) {
        Path dir = store.file().getParent();
        Path source = dir.resolve(entry.file());
        String storedName = entry.file() + method.suffix();
        Path target = dir.resolve(storedName);
        Path partial = target.resolveSibling(target.getFileName() + ".partial");
        StoredFiles.Digest written;
        try {
            written = write(source, partial);
            StoredFiles.Digest reread = StoredFiles.digest(partial, method);
            if (!written.contentSha256().equals(entry.contentSha256()) || !reread.equals(written)) {
                Files.deleteIfExists(partial);
                throw new PgscribeException(entry.file() + " no longer matches its sha256 in the manifest (" + entry.contentSha256()
                        + "), or its compressed copy did not read back the same; it was left as it is",
                        "Check the disk; `pgscribe verify --backup` names every damaged file.", ExitCode.DAMAGED, null);
            }
            DurableFiles.fsync(partial);
            DurableFiles.moveDurably(partial, target, true);
        } catch (java.nio.file.NoSuchFileException e) {
            deleteQuietly(partial);
            return false; // pruned since the manifest was read
        } catch (IOException e) {
            deleteQuietly(partial);
            throw new UncheckedIOException("cannot compress " + entry.file() + " into " + storedName + ": " + e.getMessage(), e);
        }
        AtomicBoolean listed = new AtomicBoolean();
        store.update(m -> m.mapBases(bases -> bases.stream().map(b -> {
            if (!b.file().equals(entry.file())) {
                return b;
            }
            listed.set(true);
            return b.compressed(storedName, method.settingName(), written.storedBytes(), written.storedSha256());
        }).toList()).mapSegments(segments -> segments.stream().map(s -> {
            if (!s.file().equals(entry.file())) {
                return s;
            }
            listed.set(true);
            return s.compressed(storedName, method.settingName(), written.storedBytes(), written.storedSha256());
        }).toList()));
        deleteQuietly(listed.get() ? source : target);
        if (listed.get()) {
            LOG.debug("Compressed {} ({} bytes) to {} ({} bytes)", entry.file(), written.contentBytes(), storedName,
                    written.storedBytes());
        }
        return listed.get();
    }

    private StoredFiles.Digest write(Path source, Path partial) throws IOException {
        Files.deleteIfExists(partial);
        Files.createFile(partial, PosixFilePermissions.asFileAttribute(DurableFiles.OWNER_FILE));
        var storedSha = DurableFiles.newSha256();
        var contentSha = DurableFiles.newSha256();
        long contentBytes;
        try (InputStream in = new java.security.DigestInputStream(Files.newInputStream(source), contentSha);
             OutputStream out = method.compressing(new java.security.DigestOutputStream(
                     new java.io.BufferedOutputStream(Files.newOutputStream(partial, StandardOpenOption.WRITE), 1 << 16),
                     storedSha), level)) {
            contentBytes = StoredFiles.copy(in, out);
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
        m.bases().forEach(b -> listed.add(b.file()));
        m.segments().forEach(s -> listed.add(s.file()));
        for (String sub : DIRS) {
            Path d = dir.resolve(sub);
            if (!Files.isDirectory(d)) {
                continue;
            }
            try (DirectoryStream<Path> files = Files.newDirectoryStream(d)) {
                for (Path p : files) {
                    String relative = sub + "/" + p.getFileName();
                    String name = p.getFileName().toString();
                    boolean compressedName = Compression.ofFile(name.replaceFirst("\\.partial$", "")) != Compression.NONE;
                    boolean unlisted = compressedName && !listed.contains(relative);
                    boolean replaced = !compressedName && !name.endsWith(".partial")
                            && (listed.contains(relative + Compression.GZIP.suffix())
                            || listed.contains(relative + Compression.ZSTD.suffix()));
                    if (unlisted || replaced) {
                        LOG.warn("Removing {}: {}", relative, unlisted ? "a compressed copy the manifest does not list"
                                : "the manifest lists its compressed copy");
                        Files.delete(p);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot clean " + d, e);
            }
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            LOG.warn("Could not delete {}: {}", p, e.getMessage());
        }
    }
}
