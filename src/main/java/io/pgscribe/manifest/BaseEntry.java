package io.pgscribe.manifest;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A base: a pg_dump taken with a snapshot exported at {@code consistentPoint}. Every
 * transaction committed before that LSN is inside; every later one is in segments.
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
        String metadataSha256) {
}
