package io.pgscribe.capture;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class OwnRowsTest {

    @Test
    void onlyRowsOfCommittedWrittenTransactionsInClosedSegmentsArePrunable() {
        OwnRows rows = new OwnRows();
        rows.beginTransaction();
        rows.read("ddl_log", " 7 ");
        rows.read("sequence_log", "8");
        rows.read("identity_full", "9"); // not a log pgscribe prunes
        rows.read("ddl_log", "x"); // not a row pgscribe wrote
        rows.read("ddl_log", null);
        rows.committed(true);
        assertThat(rows.takeClosed()).isEmpty(); // still in the open segment

        rows.beginTransaction();
        rows.read("ddl_log", "10");
        rows.committed(false); // skipped: already in a closed segment, pruned with it
        rows.segmentClosed();
        assertThat(rows.takeClosed()).containsExactly(new OwnRows.Row("ddl_log", 7), new OwnRows.Row("sequence_log", 8));
        assertThat(rows.takeClosed()).isEmpty();
    }

    @Test
    void rowsOfAnAbandonedSegmentAreNotPrunedAndRowsGivenBackAreOfferedAgain() {
        OwnRows rows = new OwnRows();
        rows.beginTransaction();
        rows.read("ddl_log", "1");
        rows.committed(true);
        rows.segmentAbandoned();
        rows.segmentClosed();
        assertThat(rows.takeClosed()).isEmpty();

        rows.giveBack(List.of(new OwnRows.Row("ddl_log", 2)));
        assertThat(rows.takeClosed()).containsExactly(new OwnRows.Row("ddl_log", 2));
    }

    @Test
    void aSequenceSampleCountsOnceItsTransactionCommitsWrittenOrSkipped() throws InterruptedException {
        OwnRows rows = new OwnRows();
        rows.beginTransaction();
        rows.sampled(3);
        assertThat(rows.lastSequenceSample()).isEqualTo(-1);
        assertThat(rows.awaitSequenceSample(3, Duration.ZERO)).isFalse();
        rows.committed(false);
        assertThat(rows.lastSequenceSample()).isEqualTo(3);
        assertThat(rows.awaitSequenceSample(3, Duration.ZERO)).isTrue();

        rows.beginTransaction();
        rows.sampled(2); // an older one, sent again: the last stays
        rows.committed(true);
        assertThat(rows.lastSequenceSample()).isEqualTo(3);
    }
}
