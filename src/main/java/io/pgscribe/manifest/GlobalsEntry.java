package io.pgscribe.manifest;

/** A {@code pg_dumpall --globals-only} file: roles, tablespaces and other shared objects. */
public record GlobalsEntry(String file, String takenAt, long bytes, String sha256) {
}
