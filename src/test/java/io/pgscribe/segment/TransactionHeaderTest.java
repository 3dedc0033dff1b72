package io.pgscribe.segment;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgscribe.pg.Lsn;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class TransactionHeaderTest {

    @Test
    void beginLineRoundTrips() {
        TransactionHeader h = new TransactionHeader(727L, Lsn.valueOf("0/15300B0"), Lsn.valueOf("0/15300E0"),
                "2026-11-24 22:21:31.081531+00");
        assertThat(h.beginLine()).isEqualTo("BEGIN; -- {\"xid\":727,\"lsn\":\"0/15300B0\",\"nextlsn\":\"0/15300E0\","
                + "\"timestamp\":\"2026-11-24 22:21:31.081531+00\"}");
        assertThat(TransactionHeader.parse(h.beginLine() + "\n")).isEqualTo(h);
    }

    @Test
    void bareBeginIsAnonymousAndOtherTextIsNotAHeader() {
        assertThat(TransactionHeader.parse("BEGIN;")).isSameAs(TransactionHeader.ANONYMOUS);
        assertThat(TransactionHeader.parse("INSERT INTO t VALUES (1);")).isNull();
        assertThat(TransactionHeader.parse("BEGIN; -- not json")).isNull();
    }

    @Test
    void segmentNamesSortByLsnAndCarryUtcTime() {
        Instant t = SegmentFormat.parseCommitTime("2026-11-24 22:21:31.081531+00");
        assertThat(SegmentFormat.name(Lsn.valueOf("0/15300B0").asLong(), t)).isEqualTo("00000000015300B0-20261124T222131Z.sql");
        assertThat(SegmentFormat.parseCommitTime("2026-11-24 23:21:31+01")).isEqualTo(Instant.parse("2026-11-24T22:21:31Z"));
        assertThat(SegmentFormat.keyOf("00000000015300B0-20261124T222131Z.sql")).isEqualTo(Lsn.valueOf("0/15300B0"));
        assertThat(SegmentFormat.isSegmentName("00000000015300B0-20261124T222131Z.sql.partial")).isFalse();
    }
}
