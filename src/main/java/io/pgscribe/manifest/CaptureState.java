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
 * from an older copy hands out xids again that the set already holds).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CaptureState(String lastCommitLsn, String coveredLsn, SpoolPosition resumeAt, List<TableShape> tables,
                           long segmentsClosed, String coveredEndLsn,
                           @JsonInclude(JsonInclude.Include.NON_EMPTY) List<Hole> holes, Long lastXid) {

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
        this(lastCommitLsn, coveredLsn, resumeAt, tables, segmentsClosed, null, List.of(), null);
    }

    public CaptureState(String lastCommitLsn, String coveredLsn, SpoolPosition resumeAt, List<TableShape> tables,
                        long segmentsClosed, String coveredEndLsn, List<Hole> holes) {
        this(lastCommitLsn, coveredLsn, resumeAt, tables, segmentsClosed, coveredEndLsn, holes, null);
    }

    public static CaptureState initial(List<TableShape> tables) {
        return new CaptureState(null, null, null, tables, 0);
    }

    /** The same state with the holes {@code earlier} recorded (a new state never forgets one). */
    public CaptureState keepingHoles(CaptureState earlier) {
        if (earlier == null || earlier.holes().isEmpty() || holes.containsAll(earlier.holes())) {
            return this;
        }
        List<Hole> all = new java.util.ArrayList<>(earlier.holes());
        holes.stream().filter(h -> !all.contains(h)).forEach(all::add);
        return new CaptureState(lastCommitLsn, coveredLsn, resumeAt, tables, segmentsClosed, coveredEndLsn, all, lastXid);
    }

    public CaptureState withHole(Hole hole) {
        List<Hole> all = new java.util.ArrayList<>(holes);
        all.add(hole);
        return new CaptureState(lastCommitLsn, coveredLsn, resumeAt, tables, segmentsClosed, coveredEndLsn, all, lastXid);
    }

    /** The same state with {@code replaced} for its holes (one closed, say). */
    public CaptureState withHoles(List<Hole> replaced) {
        return new CaptureState(lastCommitLsn, coveredLsn, resumeAt, tables, segmentsClosed, coveredEndLsn, replaced, lastXid);
    }

    /** The state of a capture that starts reading a new spool from its first file. */
    public CaptureState resumingFromStart() {
        return new CaptureState(lastCommitLsn, coveredLsn, null, tables, segmentsClosed, coveredEndLsn, holes, lastXid);
    }
}
