package io.pgscribe.manifest;

/** A byte offset in a spool file: where the capture resumes after a restart. */
public record SpoolPosition(String file, long offset) {
}
