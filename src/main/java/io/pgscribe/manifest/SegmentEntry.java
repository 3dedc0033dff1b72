package io.pgscribe.manifest;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A closed segment. {@code firstLsn}/{@code lastLsn} are the commit LSNs of its first and
 * last transaction (null for decoder_raw, which sends none); {@code ordinal} orders segments.
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
        SpoolPosition spoolEnd) {
}
