package io.pgscribe.restore;

import io.pgscribe.ExitCode;
import io.pgscribe.PgscribeException;
import io.pgscribe.encryption.Decryption;
import io.pgscribe.manifest.BaseEntry;
import io.pgscribe.manifest.FileIntegrity;
import io.pgscribe.manifest.GlobalsEntry;
import io.pgscribe.manifest.Manifest;
import io.pgscribe.manifest.SegmentEntry;
import io.pgscribe.manifest.StoredFileEntry;
import io.pgscribe.pg.Lsn;
import io.pgscribe.segment.SegmentFormat;
import io.pgscribe.storage.StoredFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * What a restore needs: the newest base taken before the target, and every segment after
 * its consistent point up to the target, each file present and matching the sha256 in the
 * manifest. Checked before the target database is touched.
 */
public record Chain(Path backupDir, BaseEntry base, GlobalsEntry globals, List<SegmentEntry> segments,
                    boolean moreAfterTarget, Decryption decryption) {

    public Lsn consistentPoint() {
        return Lsn.valueOf(base.consistentPoint());
    }

    /** The newest base and every segment that may hold transactions after it. */
    /**
     * The files a restore to {@code target} reads (every file for null or an xid, which needs them
     * all to be found), relative, with the sha256 the manifest gives each as stored.
     */
    public static java.util.Map<String, String> filesFor(Path backupDir, Manifest m, RestoreTarget target) {
        java.util.Map<String, String> files = new java.util.LinkedHashMap<>();
        if (target == null || target.kind() == RestoreTarget.Kind.XID) {
            m.bases().forEach(b -> addBase(files, b));
            m.segments().forEach(s -> files.put(s.file(), s.sha256()));
            m.globals().forEach(g -> files.put(g.file(), g.sha256()));
        } else {
            Chain chain = select(backupDir, m, target);
            addBase(files, chain.base());
            chain.segments().forEach(s -> files.put(s.file(), s.sha256()));
            if (chain.globals() != null) {
                files.put(chain.globals().file(), chain.globals().sha256());
            }
        }
        return files;
    }

    private static void addBase(java.util.Map<String, String> files, io.pgscribe.manifest.BaseEntry b) {
        files.put(b.file(), b.sha256());
        b.sidecars().forEach(x -> files.put(x.file(), x.sha256()));
    }

    public static Chain latest(Path backupDir, Manifest m) {
        return select(backupDir, m, RestoreTarget.LATEST);
    }

    public static Chain select(Path backupDir, Manifest m, RestoreTarget target) {
        if (m.bases().isEmpty()) {
            throw new PgscribeException("the backup set in " + backupDir + " has no base",
                    "Run `pgscribe init` to take the first base.", ExitCode.DAMAGED, null);
        }
        List<BaseEntry> bases = new ArrayList<>(m.bases());
        bases.sort(Comparator.comparing((BaseEntry b) -> Lsn.valueOf(b.consistentPoint())));
        BaseEntry base = null;
        for (BaseEntry b : bases) {
            if (baseFits(b, target)) {
                base = b;
            }
        }
        if (base == null) {
            BaseEntry oldest = bases.get(0);
            throw new PgscribeException("the target (" + target.describe() + ") is before the oldest base, "
                    + oldest.file() + " (consistent point " + oldest.consistentPoint() + ", taken " + oldest.takenAt() + ")",
                    "Choose a target after " + oldest.takenAt() + "; nothing older is kept.", ExitCode.REFUSED, null);
        }
        Lsn cp = Lsn.valueOf(base.consistentPoint());
        Manifest.Retention pruned = m.retention();
        if (pruned != null && pruned.pointInTimeFrom() != null && cp.isBefore(Lsn.valueOf(pruned.pointInTimeFrom()))
                && !(target.lsn() != null && !target.lsn().isAfter(cp))) {
            throw new PgscribeException("the target (" + target.describe() + ") lies after base " + base.file()
                    + " but before " + pruned.pointInTimeFrom() + ", where the kept segments start: the retention policy "
                    + "pruned the segments in between (" + pruned.prunedAt() + ")",
                    "Restore to the base itself with --to-lsn " + base.consistentPoint() + ", or to a point at or after "
                            + pruned.pointInTimeFrom() + " (pgscribe restore --plan shows the chain).",
                    ExitCode.REFUSED, null);
        }
        refuseHoles(m, base, target);
        List<SegmentEntry> all = new ArrayList<>(m.segments());
        all.sort(Comparator.comparingLong(SegmentEntry::ordinal));
        List<SegmentEntry> segs = new ArrayList<>();
        boolean moreAfter = false;
        for (SegmentEntry s : all) {
            if (s.lastLsn() != null && Lsn.valueOf(s.lastLsn()).isBefore(cp)) {
                continue; // entirely in the base
            }
            if (startsPast(s, target)) {
                moreAfter = true; // the target lies before this segment: the backup reaches past it
                break;
            }
            segs.add(s);
        }
        GlobalsEntry globals = m.globals().isEmpty() ? null : m.globals().get(m.globals().size() - 1);
        return new Chain(backupDir, base, globals, segs, moreAfter, Decryption.NONE);
    }

    /**
     * A hole (transactions the set lost) after the base and before the target: the chain would
     * replay later transactions without the lost ones, a database that never existed.
     */
    private static void refuseHoles(Manifest m, BaseEntry base, RestoreTarget target) {
        if (m.capture() == null) {
            return;
        }
        Lsn cp = Lsn.valueOf(base.consistentPoint());
        for (io.pgscribe.manifest.CaptureState.Hole h : m.capture().holes()) {
            Lsn before = h.beforeLsn() == null ? null : Lsn.valueOf(h.beforeLsn());
            Lsn after = h.afterLsn() == null ? null : Lsn.valueOf(h.afterLsn());
            if (before != null && !before.isAfter(cp)) {
                continue; // the base holds what the hole lost
            }
            if (after != null && target.lsn() != null && !target.lsn().isAfter(after)) {
                continue; // the target comes before the hole
            }
            throw new PgscribeException("the backup set has a hole between " + (after == null ? "its first base" : after)
                    + " and " + (before == null ? "now (still open)" : before) + " (" + h.cause() + "), after base " + base.file()
                    + " and before the target (" + target.describe() + "): the transactions committed in it are in no segment",
                    (after == null ? "Restore " : "Restore to a point before it (--to-lsn " + after + "), or ")
                            + (before == null ? "once its cause is removed and the hole ended, to a point after a base taken "
                            + "after its end." : "to a point after a base taken after " + h.beforeLsn() + ".")
                            + (target.kind() == RestoreTarget.Kind.TIME || target.kind() == RestoreTarget.Kind.XID
                            ? " A target by time or xid is not compared with the hole's LSNs: give it as --to-lsn." : ""),
                    ExitCode.DAMAGED, null);
        }
    }

    private static boolean baseFits(BaseEntry b, RestoreTarget t) {
        return switch (t.kind()) {
            case LATEST -> true;
            // the base holds every commit before its consistent point
            case LSN, XID -> !Lsn.valueOf(b.consistentPoint()).isAfter(t.lsn());
            // the snapshot is taken just before the dump starts; nothing it holds committed later
            case TIME -> !Instant.parse(b.takenAt()).isAfter(t.time());
        };
    }

    private static boolean startsPast(SegmentEntry s, RestoreTarget t) {
        return switch (t.kind()) {
            case LATEST -> false;
            case LSN, XID -> s.firstLsn() != null && (t.inclusive() ? Lsn.valueOf(s.firstLsn()).isAfter(t.lsn())
                    : !Lsn.valueOf(s.firstLsn()).isBefore(t.lsn()));
            case TIME -> s.firstCommitTime() != null
                    && SegmentFormat.parseCommitTime(s.firstCommitTime()).isAfter(t.time());
        };
    }

    /** Every file present and intact, and no segment missing between them; the first problem is named. */
    public void verifyFiles() {
        checkStored(base);
        base.sidecars().forEach(x -> check(x.file(), x.sha256()));
        long expectedOrdinal = -1;
        Lsn previous = null;
        for (SegmentEntry s : segments) {
            if (expectedOrdinal >= 0 && s.ordinal() != expectedOrdinal) {
                throw new PgscribeException("the chain has a hole: segment number " + expectedOrdinal
                        + " is missing from the manifest before " + s.file(),
                        "Restore from a copy of the backup set that still holds it"
                        + (previous == null ? "." : ", or what comes before the hole: --to-lsn " + previous + "."),
                        ExitCode.DAMAGED, null);
            }
            if (previous != null && s.firstLsn() != null && !Lsn.valueOf(s.firstLsn()).isAfter(previous)) {
                throw new PgscribeException("segment " + s.file() + " does not follow the one before it (LSN "
                        + s.firstLsn() + " after " + previous + ")", "The manifest is inconsistent; restore from a copy.",
                        ExitCode.DAMAGED, null);
            }
            checkStored(s);
            expectedOrdinal = s.ordinal() + 1;
            previous = s.lastLsn() == null ? null : Lsn.valueOf(s.lastLsn());
        }
    }

    public void verifyGlobals() {
        if (globals != null) {
            check(globals.file(), globals.sha256());
        }
    }

    /** This chain, reading encrypted files with {@code d}. */
    public Chain readWith(Decryption d) {
        return new Chain(backupDir, base, globals, segments, moreAfterTarget, d);
    }

    /** The content of a base or segment: decrypted and decompressed as its name says. */
    public java.io.InputStream open(StoredFileEntry entry) {
        return StoredFiles.open(locate(entry), decryption);
    }

    /** A segment's reader; {@code checksumVerified}: its file matched the manifest. */
    public io.pgscribe.segment.SegmentReader reader(SegmentEntry s, java.nio.charset.Charset charset, boolean checksumVerified) {
        Path p = locate(s);
        return new io.pgscribe.segment.SegmentReader(StoredFiles.open(p, decryption), p.getFileName().toString(), charset,
                checksumVerified);
    }

    /** The content of a globals dump or a sidecar, by its name in the manifest. */
    public java.io.InputStream open(String relative) {
        return StoredFiles.open(StoredFiles.locate(backupDir, relative), decryption);
    }

    /** Where a file of the chain is now (the compress route may have replaced it since the manifest was read). */
    public Path locate(StoredFileEntry entry) {
        return StoredFiles.locate(backupDir, entry.file());
    }

    /** A base or segment: present, its stored bytes and the SQL they decompress to matching the manifest. */
    void checkStored(StoredFileEntry entry) {
        FileIntegrity.Result r = FileIntegrity.stored(backupDir, entry, decryption);
        refuseUnless(r, entry.file(), entry.sha256(), entry.file() + (r.asListed() ? " (its SQL)" : ""),
                entry.contentSha256());
    }

    /**
     * A globals dump or sidecar: its sha256 as the manifest lists it; when the compress route has
     * encrypted it since the manifest was read, the sha256 of what it decrypts to.
     */
    void check(String relative, String sha256) {
        refuseUnless(FileIntegrity.file(backupDir, relative, sha256, decryption), relative, sha256, relative, sha256);
    }

    /** Stops the restore at a file that is not as the manifest says, naming it and what was expected. */
    private void refuseUnless(FileIntegrity.Result r, String relative, String storedSha256, String contentWhat,
                              String contentSha256) {
        switch (r.verdict()) {
            case INTACT -> {
            }
            case NOT_DECRYPTED -> requireKey(r.path());
            case MISSING -> throw missing(relative);
            case UNREADABLE -> {
                if (r.failure() instanceof PgscribeException e) {
                    throw e;
                }
                throw new PgscribeException(relative + " cannot be read back" + (r.detail() == null ? "" : ": " + r.detail()),
                        "The file is damaged; restore from an intact copy (e.g. from S3).", ExitCode.DAMAGED, null);
            }
            case STORED_MISMATCH -> throw mismatch(relative, r.actual(), storedSha256);
            case CONTENT_MISMATCH -> throw mismatch(contentWhat, r.actual(), contentSha256);
        }
    }

    /** An encrypted file with no key configured: the error names the keys it is encrypted to. */
    private void requireKey(Path p) {
        try (java.io.InputStream in = StoredFiles.open(p, decryption)) {
            throw new IllegalStateException(p + " is encrypted, yet opened without a key");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    public long segmentBytes() {
        return segments.stream().mapToLong(SegmentEntry::bytes).sum();
    }

    private PgscribeException missing(String relative) {
        return new PgscribeException(relative + " is listed in the manifest but missing from " + backupDir,
                "Restore from a copy of the backup set that still holds it (e.g. from S3).", ExitCode.DAMAGED, null);
    }

    private static PgscribeException mismatch(String what, String actual, String expected) {
        return new PgscribeException(what + " does not match its checksum (sha256 " + actual + ", manifest says "
                + expected + ")", "The file was altered or damaged; restore from an intact copy.", ExitCode.DAMAGED, null);
    }
}
