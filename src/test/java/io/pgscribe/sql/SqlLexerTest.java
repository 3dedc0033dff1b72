package io.pgscribe.sql;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Where the server's lexer and a naive one disagree: each case split as the server splits it. */
class SqlLexerTest {

    static List<String> split(String sql, boolean scs) throws IOException {
        List<String> out = new ArrayList<>();
        try (SqlScanner s = SqlScanner.of(sql, scs)) {
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
    void aCarriageReturnEndsALineComment() throws IOException {
        assertThat(split("CREATE TABLE a (x int); -- done\rALTER ROLE x SUPERUSER;\n", true))
                .containsExactly("CREATE TABLE a (x int); -- done", "ALTER ROLE x SUPERUSER;");
        assertThat(split("-- note\rCREATE TABLE b ();", true)).containsExactly("CREATE TABLE b ();");
        assertThat(SqlScanner.stripLeadingComments("-- a\rSELECT 1;")).isEqualTo("SELECT 1;");
    }

    @Test
    void onlyBeginAtomicOpensAFunctionBody() throws IOException {
        assertThat(split("CREATE FUNCTION begin() RETURNS int LANGUAGE sql RETURN 1; ALTER ROLE x SUPERUSER;", true))
                .containsExactly("CREATE FUNCTION begin() RETURNS int LANGUAGE sql RETURN 1;", "ALTER ROLE x SUPERUSER;");
        assertThat(split("CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql BEGIN /* x */ ATOMIC SELECT 1; "
                + "SELECT CASE WHEN true THEN 2 END; END; SELECT 3;", true)).hasSize(2);
        assertThat(split("CREATE PROCEDURE p(begin int) LANGUAGE sql AS $$ SELECT 1 $$; SELECT 2;", true)).hasSize(2);
    }

    @Test
    void withStandardConformingStringsOffABackslashEscapesTheQuote() throws IOException {
        String sql = "COMMENT ON TABLE t IS 'x\\'; ALTER ROLE a SUPERUSER; --'; SELECT 2;";
        assertThat(split(sql, false)).containsExactly("COMMENT ON TABLE t IS 'x\\'; ALTER ROLE a SUPERUSER; --';",
                "SELECT 2;");
        // read with it on, the same text is two statements and a comment
        assertThat(split(sql, true)).containsExactly("COMMENT ON TABLE t IS 'x\\';", "ALTER ROLE a SUPERUSER; --'; SELECT 2;");
        try (SqlScanner s = SqlScanner.of(sql, false)) {
            assertThat(s.next().backslashInPlainLiteral()).isTrue();
            assertThat(s.next().backslashInPlainLiteral()).isFalse();
        }
        // E'', U&'' and B'' read the same either way
        try (SqlScanner s = SqlScanner.of("SELECT E'a\\'b', U&'c\\0041', B'01';", false)) {
            SqlScanner.Statement st = s.next();
            assertThat(st.code()).isEqualTo("SELECT E'a\\'b', U&'c\\0041', B'01';");
            assertThat(st.backslashInPlainLiteral()).isFalse();
        }
        assertThat(split("SELECT U&'x\\'; SELECT 2;", false)).containsExactly("SELECT U&'x\\';", "SELECT 2;");
    }

    @Test
    void anEIsAnEscapeStringPrefixOnlyWhereItStartsAToken() throws IOException {
        assertThat(split("SELECT somee'a\\'; SELECT 2;", true)).containsExactly("SELECT somee'a\\';", "SELECT 2;");
        assertThat(split("SELECT \"x\"E'a\\'; b'; SELECT 2;", true)).containsExactly("SELECT \"x\"E'a\\'; b';", "SELECT 2;");
        // 1e'...': the number ends before the e (up to PostgreSQL 14), which then starts an escape string
        assertThat(split("SELECT 1e'\\'; x'; SELECT 2;", true)).containsExactly("SELECT 1e'\\'; x';", "SELECT 2;");
        assertThat(split("SELECT 1e5; SELECT 2;", true)).containsExactly("SELECT 1e5;", "SELECT 2;");
        assertThat(split("SELECT 1e--c\n; SELECT 2;", true)).containsExactly("SELECT 1e--c\n;", "SELECT 2;");
    }

    @Test
    void aDollarQuoteStartsAfterANumberButNotInsideAnIdentifier() throws IOException {
        assertThat(split("SELECT 1$a$; ALTER ROLE x SUPERUSER; $a$; SELECT 2;", true))
                .containsExactly("SELECT 1$a$; ALTER ROLE x SUPERUSER; $a$;", "SELECT 2;");
        assertThat(split("SELECT a$b$; SELECT 2; $b$;", true)).containsExactly("SELECT a$b$;", "SELECT 2;", "$b$;");
        assertThat(split("SELECT $1; SELECT $e'\\'; x';", true)).containsExactly("SELECT $1;", "SELECT $e'\\'; x';");
        assertThat(split("SELECT $q$ $x$ $$ ; $q$; SELECT 2;", true)).containsExactly("SELECT $q$ $x$ $$ ; $q$;", "SELECT 2;");
    }

    @Test
    void nestedBlockCommentsAndQuotedIdentifiers() throws IOException {
        assertThat(split("SELECT /* a /* b; */ c; */ 1; SELECT \"x;\"\"y\" FROM t;", true))
                .containsExactly("SELECT /* a /* b; */ c; */ 1;", "SELECT \"x;\"\"y\" FROM t;");
    }
}
