package io.pgscribe.manifest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.pgscribe.storage.DurableFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.UnaryOperator;

/**
 * Reads and writes {@code manifest.json} of a backup directory. Every write replaces the
 * whole file atomically and carries a sha256 of its own content, so a torn or edited
 * manifest is detected on load. One instance per directory serializes its writers.
 */
public final class ManifestStore {

    public static final String FILE_NAME = "manifest.json";

    static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private final Path file;
    private Manifest cached;

    public ManifestStore(Path backupDir) {
        this.file = backupDir.resolve(FILE_NAME);
    }

    public Path file() {
        return file;
    }

    public boolean exists() {
        return Files.exists(file);
    }

    public synchronized Manifest load() {
        if (cached == null) {
            cached = read(file);
        }
        return cached;
    }

    /** Applies {@code change} to the current manifest and writes the result durably. */
    public synchronized Manifest update(UnaryOperator<Manifest> change) {
        Manifest next = change.apply(load());
        save(next);
        return next;
    }

    public synchronized void save(Manifest manifest) {
        Manifest sealed = seal(manifest);
        try {
            DurableFiles.writeAtomically(file, JSON.writeValueAsBytes(sealed));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
        cached = sealed;
    }

    /** Reads and checks a manifest file. */
    public static Manifest read(Path file) {
        if (!Files.exists(file)) {
            throw new ManifestException("no manifest at " + file,
                    "Run `pgscribe init` to start a backup set, or point --backup-dir at an existing one.");
        }
        Manifest m;
        try {
            m = JSON.readValue(file.toFile(), Manifest.class);
        } catch (IOException e) {
            throw new ManifestException("manifest " + file + " is not readable JSON: " + e.getMessage(),
                    "Restore the manifest from a copy (e.g. the S3 copy), or re-create the backup set with `pgscribe init`.");
        }
        if (m.format() != Manifest.FORMAT) {
            throw new ManifestException("manifest " + file + " has format " + m.format() + ", this pgscribe reads format "
                    + Manifest.FORMAT, "Use the pgscribe version that wrote this backup set.");
        }
        String expected = checksumOf(m);
        if (m.sha256() == null || !m.sha256().equals(expected)) {
            throw new ManifestException("manifest " + file + " fails its checksum (it was modified or torn)",
                    "Restore the manifest from a copy; do not edit manifest.json by hand.");
        }
        return m;
    }

    static Manifest seal(Manifest m) {
        return m.withSha256(checksumOf(m));
    }

    private static String checksumOf(Manifest m) {
        try {
            return DurableFiles.sha256(JSON.writeValueAsBytes(m.withSha256(null)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
