package io.pgscribe.restore;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RowCheckTest {

    @Test
    void aWholeRowChangeBecomesOneStatementThatFailsUnlessItChangedOneRow() {
        String delete = "DELETE FROM ONLY \"s\".\"t\" WHERE ctid OPERATOR(pg_catalog.=) (SELECT ctid FROM ONLY \"s\".\"t\" "
                + "WHERE \"v\" OPERATOR(pg_catalog.=) 'a;'' RETURNING 1); COMMIT;\r\n-- $$' LIMIT 1);\n";
        assertThat(RowCheck.of(delete)).isEqualTo("WITH pgscribe_row AS (DELETE FROM ONLY \"s\".\"t\" WHERE ctid "
                + "OPERATOR(pg_catalog.=) (SELECT ctid FROM ONLY \"s\".\"t\" WHERE \"v\" OPERATOR(pg_catalog.=) "
                + "'a;'' RETURNING 1); COMMIT;\r\n-- $$' LIMIT 1) RETURNING 1) SELECT CASE WHEN pg_catalog.count(*) "
                + "OPERATOR(pg_catalog.=) 1 THEN 1 ELSE ('pgscribe row check: rows changed ' OPERATOR(pg_catalog.||) "
                + "pg_catalog.count(*)::pg_catalog.text)::pg_catalog.int4 END FROM pgscribe_row;\n");
    }

    @Test
    void theRowsFoundAreReadFromTheServersMessageAndNothingElseIsTheChecks() {
        assertThat(RowCheck.rowsIn("ERROR: invalid input syntax for type integer: \"pgscribe row check: rows changed 0\""))
                .isZero();
        assertThat(RowCheck.rowsIn("ERROR: invalid input syntax for type integer: \"x\"")).isEqualTo(-1);
        assertThat(RowCheck.rowsIn(null)).isEqualTo(-1);
    }
}
