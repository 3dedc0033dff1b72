package io.pgscribe.ship;

import io.pgscribe.ExitCode;
import io.pgscribe.PgscribeException;
import io.pgscribe.manifest.BaseEntry;
import io.pgscribe.manifest.GlobalsEntry;
import io.pgscribe.manifest.Manifest;
import io.pgscribe.manifest.ManifestStore;
import io.pgscribe.manifest.SegmentEntry;
import io.pgscribe.restore.Chain;
import io.pgscribe.restore.RestoreTarget;
import io.pgscribe.storage.DurableFiles;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A backup set in object storage, brought into a local staging directory so that restore and
 * verify work on it as on a local one: the store's manifest first (checked against its own
 * sha256 and its signature), then the files a restore to the target needs, downloaded in parallel and each
 * checked against the manifest's sha256 as it arrives.
 */
public final class RemoteBackupSet {

    private static final int PARALLEL = 4;

    private RemoteBackupSet() {
    }

    /** Downloads the store's manifest and the chain {@code target} needs (everything, for null) into {@code staging}. */
    public static Manifest stage(S3Store store, RestoreTarget target, Path staging, io.pgscribe.manifest.SetTrust trust,
                                 PrintStream out) {
        DurableFiles.ownerOnlyDirectory(staging);
        Path manifestFile = staging.resolve(ManifestStore.FILE_NAME);
        store.download("manifest.json", manifestFile);
        Manifest m = ManifestStore.read(manifestFile, trust); // before any file it lists is fetched
        Map<String, String> files = Chain.filesFor(staging, m, target); // relative -> sha256 as stored
        long bytes = m.bases().stream().filter(b -> files.containsKey(b.file())).mapToLong(BaseEntry::bytes).sum()
                + m.segments().stream().filter(s -> files.containsKey(s.file())).mapToLong(SegmentEntry::bytes).sum();
        out.println("Downloading " + files.size() + " file(s) (" + io.pgscribe.restore.Progress.bytes(bytes) + ") from "
                + store.config().describe() + " into " + staging);
        download(store, staging, files);
        return m;
    }

    private static void download(S3Store store, Path staging, Map<String, String> files) {
        ExecutorService pool = Executors.newFixedThreadPool(PARALLEL, r -> {
            Thread t = new Thread(r, "pgscribe-s3-download");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<?>> running = new ArrayList<>();
            for (Map.Entry<String, String> f : files.entrySet()) {
                running.add(pool.submit(() -> {
                    Path target = staging.resolve(f.getKey()).normalize();
                    if (!target.startsWith(staging)) {
                        throw new PgscribeException("the store's manifest names " + f.getKey() + ", outside the backup set",
                                "The remote manifest is not pgscribe's; do not restore from it.", ExitCode.DAMAGED, null);
                    }
                    store.download(f.getKey(), target);
                    String actual = DurableFiles.sha256(target);
                    if (!actual.equals(f.getValue())) {
                        throw new PgscribeException(f.getKey() + " as downloaded from " + store.config().describe()
                                + " does not match its checksum (sha256 " + actual + ", manifest says " + f.getValue() + ")",
                                "The remote copy is damaged; restore from another copy.", ExitCode.DAMAGED, null);
                    }
                    return null;
                }));
            }
            for (Future<?> f : running) {
                f.get();
            }
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PgscribeException("interrupted while downloading from " + store.config().describe(), "Run it again.",
                    ExitCode.FAILED, e);
        } finally {
            pool.shutdownNow();
        }
    }

    /** A fresh staging directory under {@code parent}, removed by {@link #remove}. */
    public static Path newStaging(Path parent) {
        try {
            Files.createDirectories(parent);
            return Files.createTempDirectory(parent, "pgscribe-s3-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a staging directory in " + parent, e);
        }
    }

    public static void remove(Path staging) {
        try (var walk = Files.walk(staging)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + staging, e);
        }
    }
}
