package io.pgscribe.restore;

import io.pgscribe.ExitCode;
import io.pgscribe.PgscribeException;
import io.pgscribe.manifest.BaseEntry;
import io.pgscribe.manifest.Manifest;
import io.pgscribe.manifest.SegmentEntry;
import io.pgscribe.slot.Lsn;
import io.pgscribe.storage.DurableFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * What a restore needs: one base and every segment after its consistent point, each file
 * present and matching the sha256 in the manifest. Checked before the target is touched.
 */
public record Chain(Path backupDir, BaseEntry base, List<SegmentEntry> segments) {

    public Lsn consistentPoint() {
        return Lsn.valueOf(base.consistentPoint());
    }

    /** The newest base and the segments that may hold transactions after it. */
    public static Chain latest(Path backupDir, Manifest m) {
        if (m.bases().isEmpty()) {
            throw new PgscribeException("the backup set in " + backupDir + " has no base",
                    "Run `pgscribe init` to take the first base.", ExitCode.DAMAGED, null);
        }
        BaseEntry base = m.bases().get(m.bases().size() - 1);
        Lsn cp = Lsn.valueOf(base.consistentPoint());
        List<SegmentEntry> segs = new ArrayList<>();
        for (SegmentEntry s : m.segments()) {
            if (s.lastLsn() == null || !Lsn.valueOf(s.lastLsn()).isBefore(cp)) {
                segs.add(s);
            }
        }
        segs.sort(Comparator.comparingLong(SegmentEntry::ordinal));
        return new Chain(backupDir, base, segs);
    }

    /** Every file present and intact; the first one that is not is named. */
    public void verifyFiles() {
        check(base.file(), base.sha256());
        if (base.metadataFile() != null) {
            check(base.metadataFile(), base.metadataSha256());
        }
        long expectedOrdinal = -1;
        Lsn previous = null;
        for (SegmentEntry s : segments) {
            if (expectedOrdinal >= 0 && s.ordinal() != expectedOrdinal) {
                throw new PgscribeException("the chain has a hole: segment number " + expectedOrdinal
                        + " is missing from the manifest before " + s.file(),
                        "Restore from a copy of the backup set that still holds it.", ExitCode.DAMAGED, null);
            }
            if (previous != null && s.firstLsn() != null && !Lsn.valueOf(s.firstLsn()).isAfter(previous)) {
                throw new PgscribeException("segment " + s.file() + " does not follow the one before it (LSN "
                        + s.firstLsn() + " after " + previous + ")", "The manifest is inconsistent; restore from a copy.",
                        ExitCode.DAMAGED, null);
            }
            check(s.file(), s.sha256());
            expectedOrdinal = s.ordinal() + 1;
            previous = s.lastLsn() == null ? null : Lsn.valueOf(s.lastLsn());
        }
    }

    private void check(String relative, String sha256) {
        Path p = backupDir.resolve(relative);
        if (!Files.isRegularFile(p)) {
            throw new PgscribeException(relative + " is listed in the manifest but missing from " + backupDir,
                    "Restore from a copy of the backup set that still holds it (e.g. from S3).", ExitCode.DAMAGED, null);
        }
        String actual = DurableFiles.sha256(p);
        if (!actual.equals(sha256)) {
            throw new PgscribeException(relative + " does not match its checksum (sha256 " + actual + ", manifest says "
                    + sha256 + ")", "The file was altered or damaged; restore from an intact copy.", ExitCode.DAMAGED, null);
        }
    }
}
