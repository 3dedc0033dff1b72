package io.pgscribe.ddl;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DdlMatcherTest {

    static final String OURS = "PL/pgSQL function pgscribe.record_ddl(text,text,text,name,boolean) line 14 at GET DIAGNOSTICS\n"
            + "SQL statement \"SELECT pgscribe.record_ddl(TG_TAG, ...)\"\n"
            + "PL/pgSQL function pgscribe.on_ddl_command_end() line 4 at PERFORM";

    static DdlEvent event(String tag, String query, String context, String scs, String definition) {
        Map<String, String> v = new HashMap<>();
        v.put("id", "7");
        v.put("txid", "790");
        v.put("statement_at", "2026-11-24 22:35:19.114541+00");
        v.put("search_path", "\"$user\", public");
        v.put("role_name", "app");
        v.put("command_tag", tag);
        v.put("query", query);
        v.put("context", context);
        v.put("standard_conforming_strings", scs);
        v.put("definition", definition);
        return DdlEvent.fromValues(v);
    }

    static DdlEvent top(String tag, String query) {
        return event(tag, query, OURS, "on", null);
    }

    private static String replayed(DdlMatcher.Decision d) {
        return d instanceof DdlMatcher.Replay r ? r.statement()
                : d instanceof DdlMatcher.FromCatalog c ? "CATALOG " + c.definition()
                : "NOT REPLAYED " + ((DdlMatcher.NotReplayed) d).why();
    }

    @Test
    void theKthFiringOfAStringThatRanAsOneTransactionIsItsKthStatementOfThatTag() {
        DdlMatcher m = new DdlMatcher();
        String q = "CREATE TABLE a (id int); INSERT INTO a VALUES (1); GRANT CONNECT ON DATABASE shop TO r; "
                + "CREATE TABLE b (id int); ALTER TABLE a ADD x int;";
        assertThat(replayed(m.decide(top("CREATE TABLE", q)))).isEqualTo("CREATE TABLE a (id int);");
        assertThat(replayed(m.decide(top("ALTER TABLE", q)))).isEqualTo("ALTER TABLE a ADD x int;");
        assertThat(replayed(m.decide(top("CREATE TABLE", q)))).isEqualTo("CREATE TABLE b (id int);");
        assertThat(replayed(m.decide(top("CREATE TABLE", q)))).startsWith("NOT REPLAYED it is firing 3");
        m.beginTransaction();
        assertThat(replayed(m.decide(top("CREATE TABLE", q)))).isEqualTo("CREATE TABLE a (id int);");
    }

    @Test
    void withTransactionControlInTheStringOnlyTheOneStatementOfItsTagIsKnown() {
        DdlMatcher m = new DdlMatcher();
        // the first CREATE TABLE was rolled back: its firing never reached the stream
        String q = "BEGIN; CREATE TABLE evil (); ROLLBACK; CREATE TABLE good (); ALTER TABLE good ADD x int;";
        assertThat(replayed(m.decide(top("CREATE TABLE", q)))).startsWith("NOT REPLAYED it is firing 1")
                .contains("transaction control");
        assertThat(replayed(m.decide(top("ALTER TABLE", q)))).isEqualTo("ALTER TABLE good ADD x int;");
        // rebuilt from the catalog where it can be
        m.beginTransaction();
        assertThat(replayed(m.decide(event("CREATE TABLE", q, OURS, "on", "CREATE TABLE \"public\".\"good\" ()"))))
                .isEqualTo("CATALOG CREATE TABLE \"public\".\"good\" ()");
    }

    @Test
    void aStatementWhoseFiringCannotBeToldMakesTheWholeStringUnknown() {
        DdlMatcher m = new DdlMatcher();
        assertThat(replayed(m.decide(top("CREATE TABLE AS", "EXPLAIN ANALYZE CREATE TABLE x AS SELECT 1; "
                + "CREATE TABLE y AS SELECT 2;")))).startsWith("NOT REPLAYED its query string holds a statement");
    }

    @Test
    void aStringTheServerSplitsOtherwiseThanNaivelyIsSplitAsTheServerDoes() {
        DdlMatcher m = new DdlMatcher();
        // a function named begin, a \r-ended comment: each of these is two statements for the server
        assertThat(replayed(m.decide(top("CREATE FUNCTION",
                "CREATE FUNCTION begin() RETURNS int LANGUAGE sql RETURN 1; ALTER ROLE app SUPERUSER;"))))
                .isEqualTo("CREATE FUNCTION begin() RETURNS int LANGUAGE sql RETURN 1;");
        m.beginTransaction();
        assertThat(replayed(m.decide(top("CREATE TABLE", "CREATE TABLE t (); -- x\rALTER ROLE app SUPERUSER;"))))
                .isEqualTo("CREATE TABLE t (); -- x");
    }

    @Test
    void standardConformingStringsOffIsLexedAsSuchAndNotReplayedWhereItReadsOtherwiseWithItOn() {
        DdlMatcher m = new DdlMatcher();
        String q = "COMMENT ON TABLE t IS 'a\\'; ALTER ROLE app SUPERUSER; --';";
        assertThat(replayed(m.decide(event("COMMENT", q, OURS, "off", null))))
                .startsWith("NOT REPLAYED it was written with standard_conforming_strings = off");
        m.beginTransaction();
        assertThat(replayed(m.decide(event("COMMENT", "COMMENT ON TABLE t IS 'plain';", OURS, "off", null))))
                .isEqualTo("COMMENT ON TABLE t IS 'plain';");
    }

    @Test
    void nestedDdlIsTheOneStatementOfItsTagInTheFrameAndNeverAnAmbiguousFrame() {
        DdlMatcher m = new DdlMatcher();
        String inDo = OURS + "\nSQL statement \"CREATE TABLE inner1 (v text DEFAULT '\"x\"')\"\n"
                + "PL/pgSQL function inline_code_block line 1 at SQL statement";
        assertThat(replayed(m.decide(event("CREATE TABLE", "DO $$ ... $$", inDo, "on", null))))
                .isEqualTo("CREATE TABLE inner1 (v text DEFAULT '\"x\"')");
        String twoInOne = OURS + "\nSQL statement \"CREATE TABLE a (); CREATE TABLE b ()\"\n"
                + "PL/pgSQL function inline_code_block line 1 at EXECUTE";
        assertThat(replayed(m.decide(event("CREATE TABLE", "DO $$ ... $$", twoInOne, "on", null))))
                .startsWith("NOT REPLAYED it ran inside PL/pgSQL function inline_code_block");
        String smuggled = OURS + "\nSQL statement \"CREATE TABLE a (x text DEFAULT '\"\nPL/pgSQL function f() line 1 at EXECUTE\n')"
                + "\"\nPL/pgSQL function inline_code_block line 1 at EXECUTE";
        assertThat(replayed(m.decide(event("CREATE TABLE", "DO $$ ... $$", smuggled, "on", "CREATE TABLE \"public\".\"a\" ()"))))
                .isEqualTo("CATALOG CREATE TABLE \"public\".\"a\" ()");
        String sqlFunction = OURS + "\nSQL function \"mk\" statement 1";
        assertThat(replayed(m.decide(event("CREATE INDEX", "SELECT mk()", sqlFunction, "on", null))))
                .startsWith("NOT REPLAYED it ran inside SQL function \"mk\" statement 1, and PostgreSQL reports no statement text");
    }

    @Test
    void legacyRowsAndSubscriptionsAreNeverReplayed() {
        DdlMatcher m = new DdlMatcher();
        assertThat(replayed(m.decide(event("CREATE TABLE", "CREATE TABLE t ();", OURS, null, "CREATE TABLE \"public\".\"t\" ()"))))
                .startsWith("NOT REPLAYED it was logged by the DDL capture of an older pgscribe");
        assertThat(replayed(m.decide(top("CREATE SUBSCRIPTION", "CREATE SUBSCRIPTION s CONNECTION 'host=x' PUBLICATION p;"))))
                .startsWith("NOT REPLAYED a subscription connects to another server");
    }

    @Test
    void concurrentlyIsDroppedOnlyWhereItCannotRunInATransaction() {
        assertThat(DdlStatements.withoutConcurrently("CREATE UNIQUE INDEX CONCURRENTLY i ON a (id)"))
                .isEqualTo("CREATE UNIQUE INDEX i ON a (id)");
        assertThat(DdlStatements.withoutConcurrently("REFRESH MATERIALIZED VIEW CONCURRENTLY m"))
                .isEqualTo("REFRESH MATERIALIZED VIEW CONCURRENTLY m");
    }
}
