package io.pgscribe.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgscribe.ExitCode;
import io.pgscribe.PgscribeException;
import io.pgscribe.sql.SqlScanner;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class GlobalsApplierTest {

    private static List<String> statements(String sql) throws Exception {
        List<String> out = new ArrayList<>();
        try (SqlScanner s = SqlScanner.of(sql)) {
            SqlScanner.Statement st;
            while ((st = s.next()) != null) {
                if (st.hasCode()) {
                    out.add(st.code());
                }
            }
        }
        return out;
    }

    @Test
    void aBackslashLineInsideALiteralIsTextNotAMetaCommand() throws Exception {
        // what pg_dumpall writes for ALTER ROLE mallory SET search_path TO E'"x\n\\"'
        String dump = "\\restrict abc\n"
                + "SET standard_conforming_strings = on;\n"
                + "ALTER ROLE \"mallory\" SET \"search_path\" TO E'\"x\n\\\\\"';\n"
                + "ALTER ROLE \"mallory\" SET \"application_name\" TO 'p;COPY(SELECT)TO PROGRAM $$touch /tmp/x$$;--';\n"
                + "\\unrestrict abc\n";
        List<String> st = statements(GlobalsApplier.withoutMetaCommands(dump));
        assertThat(st).hasSize(3);
        assertThat(st.get(1)).startsWith("ALTER ROLE \"mallory\" SET \"search_path\"").contains("\n\\\\\"'");
        assertThat(st.get(2)).startsWith("ALTER ROLE \"mallory\" SET \"application_name\"").endsWith("--';");
        assertThat(st).allMatch(s -> GlobalsApplier.refusal(s) == null);
    }

    @Test
    void onlyTheStatementsOfAGlobalsDumpAreApplied() {
        assertThat(GlobalsApplier.refusal("CREATE ROLE \"a\";")).isNull();
        assertThat(GlobalsApplier.refusal("GRANT \"a\" TO \"b\" GRANTED BY \"postgres\";")).isNull();
        assertThat(GlobalsApplier.refusal("SET client_encoding = 'UTF8';")).isNull();
        assertThat(GlobalsApplier.refusal("COPY (SELECT 1) TO PROGRAM 'touch /tmp/x';")).contains("not a statement");
        assertThat(GlobalsApplier.refusal("SET session_authorization = 'mallory';")).contains("setting");
        assertThat(GlobalsApplier.refusal("SET standard_conforming_strings = off;")).contains("strings");
        assertThat(GlobalsApplier.refusal("DO $$BEGIN PERFORM 1; END$$;")).isNotNull();
    }

    @Test
    void aMetaCommandInsideAStatementIsADamagedFile() {
        assertThatThrownBy(() -> GlobalsApplier.withoutMetaCommands("CREATE ROLE a\n\\! touch /tmp/x\n;\n"))
                .isInstanceOfSatisfying(PgscribeException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.DAMAGED));
    }
}
