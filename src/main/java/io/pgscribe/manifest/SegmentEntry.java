package io.pgscribe.manifest;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A closed segment. {@code firstLsn}/{@code lastLsn} are the commit LSNs of its first and
 * last transaction (null for decoder_raw, which sends none); {@code ordinal} orders segments.
 * Once compressed, {@code file}, {@code bytes} and {@code sha256} describe the stored file and
 * {@code sqlBytes}/{@code sqlSha256} the SQL it holds. {@code ddlNotReplayed}: DDL firings written
 * as NOT REPLAYED notes (null: none); {@code ddlRoles}: the roles its DDL runs as (null: none), so
 * that a restore can refuse a target that lacks one before it starts.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SegmentEntry(
        String file,
        long ordinal,
        String firstLsn,
        String lastLsn,
        String firstCommitTime,
        String lastCommitTime,
        long transactions,
        long bytes,
        String sha256,
        SpoolPosition spoolEnd,
        String compression,
        Long sqlBytes,
        String sqlSha256,
        Long ddlNotReplayed,
        java.util.List<String> ddlRoles) implements StoredFileEntry {

    public SegmentEntry(String file, long ordinal, String firstLsn, String lastLsn, String firstCommitTime,
                        String lastCommitTime, long transactions, long bytes, String sha256, SpoolPosition spoolEnd) {
        this(file, ordinal, firstLsn, lastLsn, firstCommitTime, lastCommitTime, transactions, bytes, sha256, spoolEnd,
                null, null, null, null, null);
    }

    /** This segment as stored compressed in {@code storedFile}. */
    public SegmentEntry compressed(String storedFile, String method, long storedBytes, String storedSha256) {
        boolean encrypted = StoredFileEntry.isEncryptedName(storedFile); // no digest of the plain text (contentKnown)
        return new SegmentEntry(storedFile, ordinal, firstLsn, lastLsn, firstCommitTime, lastCommitTime, transactions,
                storedBytes, storedSha256, spoolEnd, method, encrypted ? null : contentBytes(), encrypted ? null : contentSha256(),
                ddlNotReplayed, ddlRoles);
    }

    /** This segment with what its DDL holds: how many NOT REPLAYED notes, which roles its blocks run as. */
    public SegmentEntry withDdl(long notReplayed, java.util.Collection<String> roles) {
        return new SegmentEntry(file, ordinal, firstLsn, lastLsn, firstCommitTime, lastCommitTime, transactions, bytes,
                sha256, spoolEnd, compression, sqlBytes, sqlSha256, notReplayed > 0 ? notReplayed : null,
                roles.isEmpty() ? null : java.util.List.copyOf(new java.util.TreeSet<>(roles)));
    }

    public long notReplayedDdl() {
        return ddlNotReplayed == null ? 0 : ddlNotReplayed;
    }
}
