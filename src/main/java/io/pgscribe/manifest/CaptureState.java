package io.pgscribe.manifest;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * Where the capture stands after its last closed segment: resume reading the spool at
 * {@code resumeAt}, skip every transaction whose commit LSN is not after {@code lastCommitLsn}.
 * {@code coveredLsn}: the commit LSN of the last transaction read (written, empty or seen
 * twice), so every transaction committed up to it is in a closed segment.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CaptureState(String lastCommitLsn, String coveredLsn, SpoolPosition resumeAt, List<TableShape> tables,
                           long segmentsClosed) {

    public CaptureState {
        tables = tables == null ? List.of() : List.copyOf(tables);
    }

    public static CaptureState initial(List<TableShape> tables) {
        return new CaptureState(null, null, null, tables, 0);
    }
}
