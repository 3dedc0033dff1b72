package io.pgscribe.manifest;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A base: a pg_dump taken with a snapshot exported at {@code consistentPoint}. Every
 * transaction committed before that LSN is inside; every later one is in segments.
 * {@code checksumsFile}: per-table row counts and checksums read through the same snapshot,
 * to verify a restore of the base against.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BaseEntry(
        String file,
        String format,
        String consistentPoint,
        String snapshot,
        String takenAt,
        long bytes,
        String sha256,
        String metadataFile,
        String metadataSha256,
        String checksumsFile,
        String checksumsSha256) {

    public BaseEntry(String file, String format, String consistentPoint, String snapshot, String takenAt, long bytes,
                     String sha256, String metadataFile, String metadataSha256) {
        this(file, format, consistentPoint, snapshot, takenAt, bytes, sha256, metadataFile, metadataSha256, null, null);
    }
}
