package io.pgscribe.verify;

import io.pgscribe.encryption.Decryption;
import io.pgscribe.manifest.BaseEntry;
import io.pgscribe.manifest.FileIntegrity;
import io.pgscribe.manifest.GlobalsEntry;
import io.pgscribe.manifest.Manifest;
import io.pgscribe.manifest.ManifestStore;
import io.pgscribe.manifest.SegmentEntry;
import io.pgscribe.manifest.StoredFileEntry;
import io.pgscribe.storage.StoredFiles;
import java.io.IOException;
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
    public record Check(String file, long bytes, String problem, String note) {

        public Check(String file, long bytes, String problem) {
            this(file, bytes, problem, null);
        }

        public boolean ok() {
            return problem == null;
        }
    }

    /** What an encrypted file's check says when no key to read it is configured. */
    static final String UNREAD = "encrypted; its stored bytes match, its content was not read (no key configured here)";

    private BackupVerifier() {
    }

    /** Every file against a manifest {@code trust} takes (it refuses the set otherwise, before any file is read). */
    public static List<Check> check(Path backupDir, io.pgscribe.manifest.SetTrust trust) {
        return check(backupDir, trust, Decryption.NONE);
    }

    /** As {@link #check(Path, io.pgscribe.manifest.SetTrust)}; encrypted files' content is read with {@code d} if it is configured. */
    public static List<Check> check(Path backupDir, io.pgscribe.manifest.SetTrust trust, Decryption d) {
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
        // the second copy: whole too, or what the next write of the runtime puts back
        Path copy = ManifestStore.copyOf(file);
        String mainProblem = ManifestStore.problemOf(file, trust);
        if (mainProblem != null) {
            checks.set(0, new Check(ManifestStore.COPY_NAME + " (" + trust.describe(m, copy) + ")", -1, null));
            checks.add(new Check(ManifestStore.FILE_NAME, -1, mainProblem + "; the set was read from its copy, and the "
                    + "runtime's next write of the set replaces it"));
            for (String newer : io.pgscribe.segment.SegmentFiles.unlisted(backupDir, m)) {
                checks.add(new Check(newer, -1, "a closed segment on disk that the copy does not list: the copy is older "
                        + "than the set (put back manifest.json)"));
            }
        } else if (Files.exists(copy, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            String copyProblem = ManifestStore.problemOf(copy, trust);
            if (copyProblem == null) {
                copyProblem = ManifestStore.copyProblemOf(file); // whole, and still not the same manifest
            }
            if (copyProblem != null) {
                checks.add(new Check(ManifestStore.COPY_NAME, -1, copyProblem + "; a runtime's next write of the set "
                        + "replaces it, unless that write fails too (its log and backup-set-unreadable say why)"));
            }
        }
        for (BaseEntry b : m.bases()) {
            checks.add(stored(backupDir, b, d));
            for (BaseEntry.Sidecar x : b.sidecars()) {
                checks.add(file(backupDir, x.file(), -1, x.sha256(), d));
            }
        }
        for (GlobalsEntry g : m.globals()) {
            checks.add(file(backupDir, g.file(), g.bytes(), g.sha256(), d));
        }
        List<SegmentEntry> segments = new ArrayList<>(m.segments());
        segments.sort(Comparator.comparingLong(SegmentEntry::ordinal));
        long expected = -1;
        for (SegmentEntry s : segments) {
            if (expected >= 0 && s.ordinal() != expected) {
                checks.add(new Check("segment number " + expected + (s.ordinal() > expected + 1 ? " to " + (s.ordinal() - 1) : ""),
                        -1, "missing from the manifest (a hole in the chain)"));
            }
            Check c = stored(backupDir, s, d);
            checks.add(c.ok() && c.note() == null
                    ? readable(backupDir, s, io.pgscribe.pg.PgEncodings.charsetOf(m.source().encoding()), d) : c);
            expected = s.ordinal() + 1;
        }
        return checks;
    }

    /** A globals dump or sidecar; one encrypted since the manifest was read is checked by what it decrypts to. */
    private static Check file(Path dir, String relative, long bytes, String sha256, Decryption d) {
        return check(FileIntegrity.file(dir, relative, sha256, d), relative, bytes);
    }

    /** A base or segment: the stored file's sha256 and, when compressed, that of the SQL it decompresses to. */
    private static Check stored(Path dir, StoredFileEntry entry, Decryption dec) {
        return check(FileIntegrity.stored(dir, entry, dec), entry.file(), entry.bytes());
    }

    private static Check check(FileIntegrity.Result r, String relative, long bytes) {
        return switch (r.verdict()) {
            case INTACT -> new Check(relative, bytes, null);
            case NOT_DECRYPTED -> new Check(relative, bytes, null, r.asListed() ? UNREAD
                    : "encrypted since the manifest was read; not checked (no key here)");
            case MISSING -> new Check(relative, bytes, "MISSING");
            case UNREADABLE -> new Check(relative, bytes, "UNREADABLE (" + r.detail() + ")");
            case STORED_MISMATCH -> new Check(relative, bytes, "CHECKSUM MISMATCH (sha256 " + r.actual() + ")");
            case CONTENT_MISMATCH -> new Check(relative, bytes, "CONTENT CHECKSUM MISMATCH (sha256 of the SQL " + r.actual() + ")");
        };
    }

    /**
     * A segment that matches its checksum must also read as a closed segment holding what the
     * manifest says: its footer, its transaction count, its first and last commit LSN.
     */
    private static Check readable(Path dir, SegmentEntry s, java.nio.charset.Charset charset, Decryption d) {
        io.pgscribe.segment.SegmentReader.Summary got;
        try {
            Path p = StoredFiles.locate(dir, s.file());
            got = io.pgscribe.segment.SegmentReader.scan(StoredFiles.open(p, d), p.getFileName().toString(), charset);
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
            out.println((c.ok() ? "ok       " : "DAMAGED  ") + c.file() + (c.ok() ? (c.note() == null ? "" : " (" + c.note() + ")")
                    : ": " + c.problem()));
        }
        long bad = checks.stream().filter(c -> !c.ok()).count();
        long unread = checks.stream().filter(c -> c.ok() && c.note() != null).count();
        out.println(bad == 0 ? checks.size() + " file(s) checked: every one matches the manifest"
                + (unread == 0 ? "" : "; " + unread + " encrypted one(s) only as stored (set pgscribe.encryption.secret-key "
                + "to read their content too)")
                : bad + " of " + checks.size() + " file(s) are damaged or missing");
    }

    /** The holes the set records: its files can all be whole while no restore can cross one of them. */
    public static void printHoles(java.nio.file.Path backupDir, PrintStream out) {
        java.nio.file.Path file = backupDir.resolve(io.pgscribe.manifest.ManifestStore.FILE_NAME);
        if (!java.nio.file.Files.exists(file) && !java.nio.file.Files.exists(ManifestStore.copyOf(file))) {
            return;
        }
        io.pgscribe.manifest.Manifest m = io.pgscribe.manifest.ManifestStore.readUnverified(file);
        if (m.capture() == null) {
            return;
        }
        for (io.pgscribe.manifest.CaptureState.Hole h : m.capture().holes()) {
            out.println("HOLE     transactions committed after " + (h.afterLsn() == null ? "the first base" : h.afterLsn())
                    + (h.beforeLsn() == null ? ", still open," : " and before " + h.beforeLsn()) + " are in no segment ("
                    + h.cause() + "): no restore crosses it; a base taken after its end starts a whole chain again");
        }
    }
}
