package io.pgscribe.monitor;

/**
 * The pipeline's own figures, as the runtime (or, from outside, {@code pgscribe status})
 * sees them. Null means not known from where they were read.
 *
 * @param captureUp             pg_recvlogical is running for the slot
 * @param captureDownSeconds    how long it has not been (0 while up)
 * @param recvlogicalRestarts   times pg_recvlogical was started again
 * @param changesWritten        row changes written into segments by this runtime
 * @param spoolBytes            bytes waiting in the spool
 * @param newestSegmentAgeSeconds age of the last commit in the newest closed segment
 * @param uncoveredWalBytes     WAL the server wrote past what closed segments cover
 * @param segments              closed segments in the backup set
 * @param shipBacklog           files not yet shipped (null: shipping off)
 * @param lastBaseAgeSeconds    age of the newest base
 */
public record PipelineFigures(Boolean captureUp, Long captureDownSeconds, Long recvlogicalRestarts, Long changesWritten,
                              long spoolBytes, Long newestSegmentAgeSeconds, Long uncoveredWalBytes, long segments,
                              Integer shipBacklog, Long lastBaseAgeSeconds) {
}
