package io.pgscribe.ddl;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DdlBlockTest {

    private static DdlEvent event(String role, String query) {
        Map<String, String> v = new HashMap<>();
        v.put("id", "12");
        v.put("role_name", role);
        v.put("command_tag", "ALTER TABLE");
        v.put("object_identity", "public.t\r\nx");
        v.put("query", query);
        v.put("standard_conforming_strings", "on");
        return DdlEvent.fromValues(v);
    }

    @Test
    void aBlockRunsTheStatementAsItsRoleUnderItsQuotedSearchPathAndPutsBothBack() {
        StringBuilder sb = new StringBuilder();
        DdlBlock.replay(event("app\"; RESET ROLE; --", "q"), List.of("$user", "mal;ALTER/**/ROLE/**/x/**/SUPERUSER;--"),
                "ALTER TABLE t ADD COLUMN email text -- why", false, "a note\rwith a line end", sb);
        assertThat(sb).hasToString("-- DDL {\"ddl_log\":12,\"tag\":\"ALTER TABLE\",\"object\":\"public.t\\r\\nx\","
                + "\"role\":\"app\\\"; RESET ROLE; --\"}\n"
                + "-- note: \"a note\\rwith a line end\"\n"
                + "SET LOCAL ROLE \"app\"\"; RESET ROLE; --\";\n"
                + "SET LOCAL search_path = \"$user\", \"mal;ALTER/**/ROLE/**/x/**/SUPERUSER;--\";\n"
                + "ALTER TABLE t ADD COLUMN email text -- why\n;\n"
                + "RESET ROLE;\n"
                + "SET LOCAL search_path TO DEFAULT;\n");
        assertThat(DdlBlock.readBack(sb.toString())).isNull();
        List<String> parts = splitStatements(sb.toString());
        java.util.Iterator<String> rest = parts.subList(1, parts.size()).iterator();
        DdlBlock.Read r = DdlBlock.read(parts.get(0), () -> rest.hasNext() ? rest.next() : null);
        assertThat(r.problem()).isNull();
        assertThat(r.block().role()).isEqualTo("app\"; RESET ROLE; --");
        assertThat(r.block().searchPath()).containsExactly("$user", "mal;ALTER/**/ROLE/**/x/**/SUPERUSER;--");
        assertThat(r.block().statement()).isEqualTo("ALTER TABLE t ADD COLUMN email text -- why\n;");
        assertThat(r.block().legacy()).isFalse();
    }

    @Test
    void aNotReplayedNoteKeepsItsTextOnCommentLines() {
        StringBuilder sb = new StringBuilder();
        DdlBlock.notReplayed(event("app", "CREATE TABLE a ();\rALTER ROLE x SUPERUSER;\n-- COMMIT;"), "why\r\n", sb);
        assertThat(sb.toString().lines()).allMatch(l -> l.startsWith("--"));
        assertThat(sb.toString()).doesNotContain("\r");
        DdlBlock.Notes n = DdlBlock.notes(sb.toString());
        assertThat(n.notReplayed()).isEqualTo(1);
        assertThat(n.opensBlock()).isNull();
    }

    @Test
    void whatIsNotABlockIsSaidSo() {
        String trace = "-- DDL {\"ddl_log\":1,\"tag\":\"CREATE TABLE\",\"role\":\"app\"}\n";
        assertThat(DdlBlock.readBack(trace + "SET LOCAL ROLE \"app\";\nSET LOCAL search_path = public;\n"
                + "CREATE TABLE a (); ALTER ROLE app SUPERUSER;\nRESET ROLE;\nSET LOCAL search_path TO DEFAULT;\n"))
                .contains("is not followed by RESET ROLE");
        assertThat(DdlBlock.readBack(trace + "SET LOCAL ROLE app;\n")).contains("does not start with SET LOCAL ROLE");
        assertThat(DdlBlock.readBack(trace + "SET LOCAL ROLE \"app\";\nSET LOCAL search_path = public;\n"
                + "GRANT CONNECT ON DATABASE shop TO app;\nRESET ROLE;\nSET LOCAL search_path TO DEFAULT;\n"))
                .contains("is not a CREATE TABLE statement");
        // the form of segments written before: read, and marked legacy
        List<String> legacy = splitStatements(trace + "SET search_path = \"$user\", public;\nCREATE TABLE a ();\n");
        java.util.Iterator<String> rest = legacy.subList(1, legacy.size()).iterator();
        DdlBlock.Read r = DdlBlock.read(legacy.get(0), () -> rest.hasNext() ? rest.next() : null);
        assertThat(r.block().legacy()).isTrue();
        assertThat(r.block().role()).isEqualTo("app");
    }

    static List<String> splitStatements(String text) {
        List<String> out = new java.util.ArrayList<>();
        try (io.pgscribe.sql.SqlScanner s = io.pgscribe.sql.SqlScanner.of(text)) {
            io.pgscribe.sql.SqlScanner.Statement st;
            while ((st = s.next()) != null) {
                if (st.hasCode()) {
                    out.add(st.text());
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out;
    }
}
