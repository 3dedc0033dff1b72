package io.pgscribe.manifest;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A base: a pg_dump taken with a snapshot exported at {@code consistentPoint}. Every
 * transaction committed before that LSN is inside; every later one is in segments.
 * {@code checksumsFile}: per-table row counts and checksums read through the same snapshot,
 * to verify a restore of the base against. {@code format}: {@code plain} (SQL) or {@code custom}
 * (pg_dump's archive, read with pg_restore). A plain base is compressed once published:
 * then {@code file}, {@code bytes} and {@code sha256} describe the stored file and
 * {@code sqlBytes}/{@code sqlSha256} the SQL it holds.
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
        String checksumsSha256,
        String compression,
        Long sqlBytes,
        String sqlSha256) implements StoredFileEntry {

    public BaseEntry(String file, String format, String consistentPoint, String snapshot, String takenAt, long bytes,
                     String sha256, String metadataFile, String metadataSha256, String checksumsFile, String checksumsSha256) {
        this(file, format, consistentPoint, snapshot, takenAt, bytes, sha256, metadataFile, metadataSha256, checksumsFile,
                checksumsSha256, null, null, null);
    }

    public BaseEntry(String file, String format, String consistentPoint, String snapshot, String takenAt, long bytes,
                     String sha256, String metadataFile, String metadataSha256) {
        this(file, format, consistentPoint, snapshot, takenAt, bytes, sha256, metadataFile, metadataSha256, null, null);
    }

    /** This base with its sidecars (metadata, checksums) stored as these files. */
    public BaseEntry withSidecars(String metaFile, String metaSha256, String sumsFile, String sumsSha256) {
        return new BaseEntry(file, format, consistentPoint, snapshot, takenAt, bytes, sha256, metaFile, metaSha256, sumsFile,
                sumsSha256, compression, sqlBytes, sqlSha256);
    }

    /** This base as stored compressed in {@code storedFile}. */
    public BaseEntry compressed(String storedFile, String method, long storedBytes, String storedSha256) {
        boolean encrypted = StoredFileEntry.isEncryptedName(storedFile); // no digest of the plain text (contentKnown)
        return new BaseEntry(storedFile, format, consistentPoint, snapshot, takenAt, storedBytes, storedSha256, metadataFile,
                metadataSha256, checksumsFile, checksumsSha256, method, encrypted ? null : contentBytes(),
                encrypted ? null : contentSha256());
    }

    /** A file stored beside a base, with the sha256 of the file as stored. */
    public record Sidecar(String file, String sha256) {
    }

    /** The base's sidecars that it has: its metadata, then its checksums. */
    public java.util.List<Sidecar> sidecars() {
        java.util.List<Sidecar> out = new java.util.ArrayList<>(2);
        if (metadataFile != null) {
            out.add(new Sidecar(metadataFile, metadataSha256));
        }
        if (checksumsFile != null) {
            out.add(new Sidecar(checksumsFile, checksumsSha256));
        }
        return out;
    }

    public boolean isCustomFormat() {
        return "custom".equals(format);
    }
}
