package io.pgscribe.restore;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgscribe.ExitCode;
import io.pgscribe.PgscribeException;
import io.pgscribe.pg.Lsn;
import io.pgscribe.segment.TransactionHeader;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

class ApplyFailureTest {

    private static final TransactionHeader ONE = new TransactionHeader(741L, Lsn.valueOf("0/1944D70"), null, "2026-12-04 02:10:33+00");
    private static final TransactionHeader TWO = new TransactionHeader(748L, Lsn.valueOf("0/1945828"), null, "2026-12-04 02:10:34+00");

    @Test
    void aRowCheckThatFoundNoRowStopsAsDamagedWithAPointBeforeIt() {
        PgscribeException e = ApplyFailure.of(new SQLException("ERROR: invalid input syntax for type integer: \""
                + RowCheck.MARK + "0\""), "segments/x.sql", ONE, ONE);
        assertThat(e.getMessage()).contains("segments/x.sql in transaction xid 741 (commit LSN 0/1944D70")
                .contains("found no row with the old row's values");
        assertThat(e.exitCode()).isEqualTo(ExitCode.DAMAGED);
        assertThat(e.hint()).contains("--to-lsn");
    }

    @Test
    void aGroupIsNamedByItsFirstAndLastTransactionAndOtherCausesKeepTheirWayOn() {
        PgscribeException refused = ApplyFailure.of(new SQLException("ERROR: " + RoleSandbox.REFUSED_MARK + " x"), "s.sql", ONE, TWO);
        assertThat(refused.getMessage()).contains("from xid 741 (commit LSN 0/1944D70").contains("to xid 748").contains("was refused");
        assertThat(refused.exitCode()).isEqualTo(ExitCode.REFUSED);
        PgscribeException rls = ApplyFailure.of(new SQLException("new row violates row-level security policy"), "s.sql", null, null);
        assertThat(rls.getMessage()).isEqualTo("applying s.sql failed: new row violates row-level security policy");
        assertThat(rls.hint()).contains("BYPASSRLS");
        assertThat(ApplyFailure.of(new SQLException("relation does not exist"), "s.sql", ONE, ONE).exitCode())
                .isEqualTo(ExitCode.FAILED);
    }

    @Test
    void theProgressRecordIsWrittenWithTheTransactionsIdentityAsLiterals() {
        assertThat(ProgressRecord.update(new TransactionHeader(7L, Lsn.valueOf("0/10"), null, "it's"), "seg'; --.sql"))
                .isEqualTo("UPDATE pgscribe_restore.progress SET lsn = '0/10', xid = 7, commit_time = 'it''s', "
                        + "segment = 'seg''; --.sql', applied_at = pg_catalog.now()");
    }
}
