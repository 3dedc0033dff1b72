package io.pgscribe.restore;

import io.pgscribe.ExitCode;
import io.pgscribe.PgscribeException;
import io.pgscribe.manifest.Manifest;
import io.pgscribe.manifest.ManifestStore;
import io.pgscribe.manifest.SetTrust;
import io.pgscribe.storage.StoredFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * A private copy of what a restore reads from a local backup set that another OS user owns:
 * that user could change a file between its check and its use, so the restore checks and
 * reads the copy, which only this user can write. A set of this user is read in place.
 */
final class LocalStaging {

    private LocalStaging() {
    }

    /** Copies the manifest (then checked by {@code trust}) and the files {@code target} needs into a new private directory. */
    static Path copy(Path set, SetTrust trust, RestoreTarget target) {
        Path staging;
        try {
            staging = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "pgscribe-restore-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make a staging directory", e);
        }
        try {
            for (String name : List.of(ManifestStore.FILE_NAME, ManifestStore.COPY_NAME)) {
                if (Files.exists(set.resolve(name), LinkOption.NOFOLLOW_LINKS)) {
                    copyOne(set.resolve(name), staging.resolve(name)); // the reader falls back to the copy
                }
            }
            Manifest m = ManifestStore.read(staging.resolve(ManifestStore.FILE_NAME), trust);
            for (Map.Entry<String, String> f : Chain.filesFor(staging, m, target).entrySet()) {
                Path listed = staging.resolve(f.getKey()).normalize();
                if (!listed.startsWith(staging)) {
                    throw new PgscribeException("the manifest names " + f.getKey() + ", outside the backup set",
                            "The manifest is not pgscribe's; do not restore from it.", ExitCode.DAMAGED, null);
                }
                Path from = StoredFiles.locate(set, f.getKey()); // compressed since the manifest was read: its new name
                if (!Files.exists(from, LinkOption.NOFOLLOW_LINKS)) {
                    continue; // the chain's check names what is missing
                }
                Path to = staging.resolve(set.relativize(from).toString());
                Files.createDirectories(to.getParent());
                copyOne(from, to);
            }
            return staging;
        } catch (IOException | RuntimeException e) {
            remove(staging);
            if (e instanceof RuntimeException r) {
                throw r;
            }
            throw new UncheckedIOException("cannot copy the backup set into " + staging, (IOException) e);
        }
    }

    private static void copyOne(Path from, Path to) throws IOException {
        Files.copy(from, to, LinkOption.NOFOLLOW_LINKS);
        Files.setPosixFilePermissions(to, io.pgscribe.storage.DurableFiles.OWNER_FILE);
    }

    static void remove(Path staging) {
        try (var walk = Files.walk(staging)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // a leftover in the temporary directory, owner-only
        }
    }
}
