package io.pgscribe.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgscribe.ExitCode;
import io.pgscribe.PgscribeException;
import io.pgscribe.pg.Lsn;
import io.pgscribe.segment.TransactionHeader;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RestoreTargetTest {

    private static TransactionHeader tx(String commitLsn, String commitTime) {
        return new TransactionHeader(7L, Lsn.valueOf(commitLsn), Lsn.valueOf(commitLsn), commitTime);
    }

    @Test
    void anLsnTargetIsPastATransactionCommittedAfterItOrAtItWhenExclusive() {
        RestoreTarget inclusive = RestoreTarget.lsn(Lsn.valueOf("0/5000"), true);
        RestoreTarget exclusive = RestoreTarget.lsn(Lsn.valueOf("0/5000"), false);
        assertThat(inclusive.isPast(tx("0/4FFF", "2026-11-24 10:00:00+00"))).isFalse();
        assertThat(inclusive.isPast(tx("0/5000", "2026-11-24 10:00:00+00"))).isFalse();
        assertThat(inclusive.isPast(tx("0/5001", "2026-11-24 10:00:00+00"))).isTrue();
        assertThat(exclusive.isPast(tx("0/5000", "2026-11-24 10:00:00+00"))).isTrue();
        assertThat(RestoreTarget.LATEST.isPast(tx("FF/0", "2026-11-24 10:00:00+00"))).isFalse();
    }

    @Test
    void aTimeTargetComparesCommitTimesAcrossZones() {
        RestoreTarget t = RestoreTarget.time(Instant.parse("2026-11-24T10:00:00Z"), true);
        assertThat(t.isPast(tx("0/1", "2026-11-24 11:00:00+01"))).isFalse(); // the same instant
        assertThat(t.isPast(tx("0/1", "2026-11-24 10:00:00.000001+00"))).isTrue();
        assertThat(RestoreTarget.time(Instant.parse("2026-11-24T10:00:00Z"), false)
                .isPast(tx("0/1", "2026-11-24 10:00:00+00"))).isTrue();
    }

    @Test
    void anXidTargetStopsByTheCommitLsnItWasResolvedTo() {
        RestoreTarget t = RestoreTarget.xid(1234, true).resolvedTo(Lsn.valueOf("0/3000"));
        assertThat(t.isPast(tx("0/3000", null))).isFalse();
        assertThat(t.isPast(tx("0/3001", null))).isTrue();
        assertThat(t.describe()).isEqualTo("transaction 1234 (commit LSN 0/3000)");
    }

    @Test
    void timesAreReadAsPeopleAndPostgresqlWriteThem() {
        Instant at = Instant.parse("2026-11-24T22:21:31Z");
        assertThat(RestoreTarget.parseTime("2026-11-24T22:21:31Z")).isEqualTo(at);
        assertThat(RestoreTarget.parseTime("2026-11-24 23:21:31+01")).isEqualTo(at);
        assertThat(RestoreTarget.parseTime(" 2026-11-24 22:21:31 ")).isEqualTo(at); // no zone: UTC
        assertThatThrownBy(() -> RestoreTarget.parseTime("yesterday"))
                .isInstanceOfSatisfying(PgscribeException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.USAGE))
                .hasMessageContaining("--to-time yesterday is not a timestamp");
    }
}
