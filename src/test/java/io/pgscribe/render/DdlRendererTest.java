package io.pgscribe.render;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DdlRendererTest {

    private static DdlEvent event(String query, String searchPath) {
        Map<String, String> v = new HashMap<>();
        v.put("id", "12");
        v.put("txid", "790");
        v.put("statement_at", "2026-11-24 22:35:19.114541+00");
        v.put("search_path", searchPath);
        v.put("role_name", "bob");
        v.put("command_tag", "ALTER TABLE");
        v.put("object_identity", "public.test_users");
        v.put("query", query);
        v.put("tables", "[{\"table\": \"test_users\", \"schema\": \"public\", \"generated\": [\"b\"], \"alwaysIdentity\": []}]");
        return DdlEvent.fromValues(v);
    }

    @Test
    void ddlIsTracedToItsLogRowAndRunsUnderItsSearchPath() {
        StringBuilder sb = new StringBuilder();
        new DdlRenderer().render(event("ALTER TABLE test_users ADD COLUMN email text -- why\n", "\"$user\", public"), sb);
        assertThat(sb).hasToString("-- DDL {\"ddl_log\":12,\"tag\":\"ALTER TABLE\",\"object\":\"public.test_users\",\"role\":\"bob\"}\n"
                + "SET search_path = \"$user\", public;\n"
                + "ALTER TABLE test_users ADD COLUMN email text -- why\n;\n");
    }

    @Test
    void aTerminatedQueryIsKeptAsItIs() {
        StringBuilder sb = new StringBuilder();
        DdlEvent e = event("CREATE TABLE a(); CREATE TABLE b();", "");
        new DdlRenderer().render(e, sb);
        assertThat(sb.toString()).endsWith("SET search_path = '';\nCREATE TABLE a(); CREATE TABLE b();\n");
        assertThat(e.tables()).singleElement().satisfies(t -> assertThat(t.generated()).containsExactly("b"));
    }
}
