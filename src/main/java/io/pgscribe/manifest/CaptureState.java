package io.pgscribe.manifest;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * Where the capture stands after its last closed segment: resume reading the spool at
 * {@code resumeAt}, skip every transaction whose commit LSN is not after {@code lastCommitLsn}.
 * {@code coveredLsn}: the commit LSN of the last transaction read (written, empty or seen
 * twice), so every transaction committed up to it is in a closed segment; {@code coveredEndLsn}:
 * the end of that transaction's commit record, where the decoder says (no other commit starts
 * before it). {@code holes}: stretches of the stream the backup set lost (see {@link Hole}).
 * {@code lastXid}: the xid of the newest transaction in a closed segment (a server put back
 * from an older copy hands out xids again that the set already holds). {@code publication}: a
 * pgoutput set's publication as last found whole (see {@link PublicationSeen}). {@code highestXid}:
 * the highest xid (around the wrap) of every transaction read up to {@code coveredLsn}: one sent
 * again after a restart is among them, so a newer xid at or before that position is another
 * history (null in sets made before it was recorded).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CaptureState(String lastCommitLsn, String coveredLsn, SpoolPosition resumeAt, List<TableShape> tables,
                           long segmentsClosed, String coveredEndLsn,
                           @JsonInclude(JsonInclude.Include.NON_EMPTY) List<Hole> holes, Long lastXid,
                           PublicationSeen publication, Long highestXid) {

    /**
     * The publication's catalog row ({@code oid}, {@code xmin}: the transaction that last altered
     * it) when a check found it whole at WAL position {@code atLsn}. Another oid or xmin later
     * means it was dropped or altered since, even where no event trigger saw it.
     */
    public record PublicationSeen(long oid, String xmin, String atLsn) {
    }

    /**
     * Transactions committed after {@code afterLsn} and before {@code beforeLsn} that are in no
     * segment: the spool that held them was lost after the server had been told they were safe.
     * No restore crosses a hole; a base taken after {@code beforeLsn} starts a whole chain again.
     */
    public record Hole(String afterLsn, String beforeLsn, String detectedAt, String cause) {
    }

    public CaptureState {
        tables = tables == null ? List.of() : List.copyOf(tables);
        holes = holes == null ? List.of() : List.copyOf(holes);
    }

    public CaptureState(String lastCommitLsn, String coveredLsn, SpoolPosition resumeAt, List<TableShape> tables,
                        long segmentsClosed) {
        this(lastCommitLsn, coveredLsn, resumeAt, tables, segmentsClosed, null, List.of(), null, null, null);
    }

    public CaptureState(String lastCommitLsn, String coveredLsn, SpoolPosition resumeAt, List<TableShape> tables,
                        long segmentsClosed, String coveredEndLsn, List<Hole> holes) {
        this(lastCommitLsn, coveredLsn, resumeAt, tables, segmentsClosed, coveredEndLsn, holes, null, null, null);
    }

    public static CaptureState initial(List<TableShape> tables) {
        return new CaptureState(null, null, null, tables, 0);
    }

    /**
     * The same state with the holes {@code earlier} recorded (a new state never forgets one), and
     * its publication seen where this state has none (the capture's checkpoints carry neither).
     */
    public CaptureState keepingHoles(CaptureState earlier) {
        if (earlier == null) {
            return this;
        }
        PublicationSeen seen = publication != null ? publication : earlier.publication();
        if (earlier.holes().isEmpty() || holes.containsAll(earlier.holes())) {
            return seen == publication ? this : withPublication(seen);
        }
        List<Hole> all = new java.util.ArrayList<>(earlier.holes());
        holes.stream().filter(h -> !all.contains(h)).forEach(all::add);
        return new CaptureState(lastCommitLsn, coveredLsn, resumeAt, tables, segmentsClosed, coveredEndLsn, all, lastXid, seen, highestXid);
    }

    public CaptureState withPublication(PublicationSeen seen) {
        return new CaptureState(lastCommitLsn, coveredLsn, resumeAt, tables, segmentsClosed, coveredEndLsn, holes, lastXid, seen, highestXid);
    }

    public CaptureState withHole(Hole hole) {
        List<Hole> all = new java.util.ArrayList<>(holes);
        all.add(hole);
        return new CaptureState(lastCommitLsn, coveredLsn, resumeAt, tables, segmentsClosed, coveredEndLsn, all, lastXid, publication, highestXid);
    }

    /** The same state with {@code replaced} for its holes (one closed, say). */
    public CaptureState withHoles(List<Hole> replaced) {
        return new CaptureState(lastCommitLsn, coveredLsn, resumeAt, tables, segmentsClosed, coveredEndLsn, replaced, lastXid, publication, highestXid);
    }

    /** The state of a capture that starts reading a new spool from its first file. */
    public CaptureState resumingFromStart() {
        return new CaptureState(lastCommitLsn, coveredLsn, null, tables, segmentsClosed, coveredEndLsn, holes, lastXid,
                publication, highestXid);
    }
}
