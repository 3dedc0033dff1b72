package io.pgscribe.monitor;

import io.pgscribe.pg.SlotSample;

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
 * @param ddlNotReplayed        DDL written as NOT REPLAYED in segments past the newest base's consistent point
 * @param notReplayedSegment    the first segment holding such DDL (null: none)
 */
public record PipelineFigures(Boolean captureUp, Long captureDownSeconds, Long recvlogicalRestarts, Long changesWritten,
                              long spoolBytes, Long newestSegmentAgeSeconds, Long uncoveredWalBytes, long segments,
                              Integer shipBacklog, Long lastBaseAgeSeconds, long ddlNotReplayed, String notReplayedSegment) {

    public PipelineFigures(Boolean captureUp, Long captureDownSeconds, Long recvlogicalRestarts, Long changesWritten,
                           long spoolBytes, Long newestSegmentAgeSeconds, Long uncoveredWalBytes, long segments,
                           Integer shipBacklog, Long lastBaseAgeSeconds) {
        this(captureUp, captureDownSeconds, recvlogicalRestarts, changesWritten, spoolBytes, newestSegmentAgeSeconds,
                uncoveredWalBytes, segments, shipBacklog, lastBaseAgeSeconds, 0, null);
    }

    /** The figures the backup set itself gives (segments, bases, WAL past them), with what the caller knows of the rest. */
    public static PipelineFigures of(io.pgscribe.manifest.Manifest m, SlotSample slot, Boolean up, Long downSeconds,
                                     Long restarts, Long changes, long spoolBytes, Integer backlog, java.time.Instant now) {
        io.pgscribe.manifest.SegmentEntry newest = m.lastSegment();
        Long newestAge = newest == null || newest.lastCommitTime() == null ? null
                : java.time.Duration.between(io.pgscribe.segment.SegmentFormat.parseCommitTime(newest.lastCommitTime()), now)
                        .toSeconds();
        Long uncovered = slot == null || m.capture() == null || m.capture().coveredLsn() == null ? null
                : Math.max(0, slot.currentWalLsn() - io.pgscribe.pg.Lsn.valueOf(m.capture().coveredLsn()).asLong());
        Long baseAge = m.bases().stream().map(b -> java.time.Instant.parse(b.takenAt())).max(java.time.Instant::compareTo)
                .map(t -> java.time.Duration.between(t, now).toSeconds()).orElse(null);
        // DDL the capture could not replay, after the newest base: a restore from that base lacks it
        io.pgscribe.pg.Lsn newestBase = m.bases().stream().map(b -> io.pgscribe.pg.Lsn.valueOf(b.consistentPoint()))
                .max(io.pgscribe.pg.Lsn::compareTo).orElse(null);
        long notReplayed = 0;
        String first = null;
        for (io.pgscribe.manifest.SegmentEntry s : m.segments()) {
            if (s.notReplayedDdl() > 0 && (newestBase == null || s.lastLsn() == null
                    || !io.pgscribe.pg.Lsn.valueOf(s.lastLsn()).isBefore(newestBase))) {
                notReplayed += s.notReplayedDdl();
                first = first == null ? s.file() : first;
            }
        }
        return new PipelineFigures(up, downSeconds, restarts, changes, spoolBytes, newestAge, uncovered, m.segments().size(),
                backlog, baseAge, notReplayed, first);
    }
}
