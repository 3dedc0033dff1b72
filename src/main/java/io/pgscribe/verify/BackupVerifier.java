package io.pgscribe.verify;

import io.pgscribe.manifest.BaseEntry;
import io.pgscribe.manifest.GlobalsEntry;
import io.pgscribe.manifest.Manifest;
import io.pgscribe.manifest.ManifestStore;
import io.pgscribe.manifest.SegmentEntry;
import io.pgscribe.manifest.StoredFileEntry;
import io.pgscribe.storage.StoredFiles;
import java.io.IOException;
import io.pgscribe.storage.DurableFiles;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * {@code pgscribe verify --backup}: every file of a backup set against the manifest, with
 * no server: present, same sha256, and no segment missing from the sequence. Reports every
 * problem, not only the first.
 */
public final class BackupVerifier {

    /** One file's check. */
    public record Check(String file, long bytes, String problem) {
        public boolean ok() {
            return problem == null;
        }
    }

    private BackupVerifier() {
    }

    /** Every file against a manifest {@code trust} takes (it refuses the set otherwise, before any file is read). */
    public static List<Check> check(Path backupDir, io.pgscribe.manifest.SetTrust trust) {
        io.pgscribe.storage.SetPermissions.requireForReading(backupDir);
        if (Files.isDirectory(backupDir)) {
            try {
                backupDir = backupDir.toRealPath(); // read through one name that cannot change
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("cannot read " + backupDir, e);
            }
        }
        Path file = backupDir.resolve(ManifestStore.FILE_NAME);
        Manifest m = ManifestStore.read(file, trust);
        List<Check> checks = new ArrayList<>();
        checks.add(new Check(ManifestStore.FILE_NAME + " (" + trust.describe(m, file) + ")", -1, null));
        for (BaseEntry b : m.bases()) {
            checks.add(stored(backupDir, b));
            if (b.metadataFile() != null) {
                checks.add(file(backupDir, b.metadataFile(), -1, b.metadataSha256()));
            }
            if (b.checksumsFile() != null) {
                checks.add(file(backupDir, b.checksumsFile(), -1, b.checksumsSha256()));
            }
        }
        for (GlobalsEntry g : m.globals()) {
            checks.add(file(backupDir, g.file(), g.bytes(), g.sha256()));
        }
        List<SegmentEntry> segments = new ArrayList<>(m.segments());
        segments.sort(Comparator.comparingLong(SegmentEntry::ordinal));
        long expected = -1;
        for (SegmentEntry s : segments) {
            if (expected >= 0 && s.ordinal() != expected) {
                checks.add(new Check("segment number " + expected + (s.ordinal() > expected + 1 ? " to " + (s.ordinal() - 1) : ""),
                        -1, "missing from the manifest (a hole in the chain)"));
            }
            Check c = stored(backupDir, s);
            checks.add(c.ok() ? readable(backupDir, s, io.pgscribe.server.PgEncodings.charsetOf(m.source().encoding())) : c);
            expected = s.ordinal() + 1;
        }
        return checks;
    }

    private static Check file(Path dir, String relative, long bytes, String sha256) {
        Path p = dir.resolve(relative);
        if (!Files.isRegularFile(p)) {
            return new Check(relative, bytes, "MISSING");
        }
        String actual = DurableFiles.sha256(p);
        return new Check(relative, bytes, actual.equals(sha256) ? null : "CHECKSUM MISMATCH (sha256 " + actual + ")");
    }

    /** A base or segment: the stored file's sha256 and, when compressed, that of the SQL it decompresses to. */
    private static Check stored(Path dir, StoredFileEntry entry) {
        Path p = StoredFiles.locate(dir, entry.file());
        if (!Files.isRegularFile(p)) {
            return new Check(entry.file(), entry.bytes(), "MISSING");
        }
        StoredFiles.Digest d;
        try {
            d = StoredFiles.digest(p);
        } catch (IOException e) {
            return new Check(entry.file(), entry.bytes(), "UNREADABLE (" + e.getMessage() + ")");
        }
        if (p.equals(dir.resolve(entry.file())) && !d.storedSha256().equals(entry.sha256())) {
            return new Check(entry.file(), entry.bytes(), "CHECKSUM MISMATCH (sha256 " + d.storedSha256() + ")");
        }
        if (!d.contentSha256().equals(entry.contentSha256())) {
            return new Check(entry.file(), entry.bytes(), "CONTENT CHECKSUM MISMATCH (sha256 of the SQL " + d.contentSha256() + ")");
        }
        return new Check(entry.file(), entry.bytes(), null);
    }

    /**
     * A segment that matches its checksum must also read as a closed segment holding what the
     * manifest says: its footer, its transaction count, its first and last commit LSN.
     */
    private static Check readable(Path dir, SegmentEntry s, java.nio.charset.Charset charset) {
        io.pgscribe.segment.SegmentReader.Summary got;
        try {
            got = io.pgscribe.segment.SegmentReader.scan(StoredFiles.locate(dir, s.file()), charset);
        } catch (io.pgscribe.PgscribeException | java.io.UncheckedIOException e) {
            return new Check(s.file(), s.bytes(), "UNREADABLE (" + e.getMessage() + ")");
        }
        if (got.transactions() != s.transactions() || !java.util.Objects.equals(got.firstLsn(), s.firstLsn())
                || !java.util.Objects.equals(got.lastLsn(), s.lastLsn())) {
            return new Check(s.file(), s.bytes(), "HOLDS " + got.transactions() + " transaction(s) " + got.firstLsn() + " to "
                    + got.lastLsn() + ", the manifest says " + s.transactions() + " (" + s.firstLsn() + " to " + s.lastLsn() + ")");
        }
        return new Check(s.file(), s.bytes(), null);
    }

    public static void print(List<Check> checks, PrintStream out) {
        for (Check c : checks) {
            out.println((c.ok() ? "ok       " : "DAMAGED  ") + c.file() + (c.ok() ? "" : ": " + c.problem()));
        }
        long bad = checks.stream().filter(c -> !c.ok()).count();
        out.println(bad == 0 ? checks.size() + " file(s) checked: every one matches the manifest"
                : bad + " of " + checks.size() + " file(s) are damaged or missing");
    }
}
