package io.pgscribe.sql;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SqlScannerTest {

    static List<String> split(String sql) throws IOException {
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
    void semicolonsInsideLiteralsCommentsAndQuotesDoNotSplit() throws IOException {
        String sql = "INSERT INTO t VALUES ('a;b', 'it''s; fine');\n"
                + "SELECT \"we;ird\" FROM x; -- trailing; comment\n"
                + "/* block; /* nested; */ still */ SELECT 1;\n"
                + "SELECT E'back\\'slash; quote';\n"
                + "SELECT 'ends with backslash \\';\n";
        assertThat(split(sql)).containsExactly(
                "INSERT INTO t VALUES ('a;b', 'it''s; fine');",
                "SELECT \"we;ird\" FROM x; -- trailing; comment",
                "SELECT 1;",
                "SELECT E'back\\'slash; quote';",
                "SELECT 'ends with backslash \\';");
    }

    @Test
    void aLineThatIsExactlyCommitInsideALiteralStaysInTheStatement() throws IOException {
        String sql = "BEGIN;\nINSERT INTO t VALUES ('first\nCOMMIT;\nlast');\nCOMMIT;\n";
        assertThat(split(sql)).containsExactly("BEGIN;", "INSERT INTO t VALUES ('first\nCOMMIT;\nlast');", "COMMIT;");
    }

    @Test
    void dollarQuotesAndFunctionBodies() throws IOException {
        String sql = "CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $body$ BEGIN RETURN 1; END $body$;\n"
                + "DO $$ BEGIN PERFORM 1; END $$;\n"
                + "SELECT $1, a$b FROM t;\n"
                + "CREATE FUNCTION g() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT CASE WHEN true THEN 2 END; END;\n"
                + "CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO u VALUES (1); INSERT INTO v VALUES (2));\n";
        List<String> parts = split(sql);
        assertThat(parts).hasSize(5);
        assertThat(parts.get(0)).endsWith("$body$;");
        assertThat(parts.get(1)).isEqualTo("DO $$ BEGIN PERFORM 1; END $$;");
        assertThat(parts.get(2)).isEqualTo("SELECT $1, a$b FROM t;");
        assertThat(parts.get(3)).endsWith("END; END;");
        assertThat(parts.get(4)).endsWith("(2));");
    }

    @Test
    void theCommentAfterBeginOnItsLineBelongsToIt() throws IOException {
        try (SqlScanner s = SqlScanner.of("BEGIN; -- {\"xid\":1}\nINSERT INTO t VALUES (1);\n-- end\n")) {
            assertThat(s.next().text()).isEqualTo("BEGIN; -- {\"xid\":1}\n");
            assertThat(s.next().text()).isEqualTo("INSERT INTO t VALUES (1);\n");
            SqlScanner.Statement tail = s.next();
            assertThat(tail.hasCode()).isFalse();
            assertThat(tail.terminated()).isFalse();
            assertThat(s.next()).isNull();
        }
    }

    @Test
    void anUnterminatedTailIsReportedAsSuch() throws IOException {
        try (SqlScanner s = SqlScanner.of("SELECT 1;\nINSERT INTO t VALUES ('cut sho")) {
            assertThat(s.next().terminated()).isTrue();
            SqlScanner.Statement cut = s.next();
            assertThat(cut.terminated()).isFalse();
            assertThat(cut.hasCode()).isTrue();
        }
    }

    @Test
    void needsTerminator() {
        assertThat(SqlScanner.needsTerminator("CREATE TABLE t (a int)")).isTrue();
        assertThat(SqlScanner.needsTerminator("CREATE TABLE t (a int);")).isFalse();
        assertThat(SqlScanner.needsTerminator("CREATE TABLE t (a int) -- note")).isTrue();
        assertThat(SqlScanner.needsTerminator("CREATE TABLE a(); CREATE TABLE b();")).isFalse();
        assertThat(SqlScanner.needsTerminator("CREATE TABLE a(); -- done")).isFalse();
    }

    @Test
    void stripsLeadingComments() {
        assertThat(SqlScanner.stripLeadingComments("-- a\n/* b /* c */ */\n  SELECT 1;")).isEqualTo("SELECT 1;");
    }
}
