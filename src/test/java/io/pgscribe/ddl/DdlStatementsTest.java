package io.pgscribe.ddl;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DdlStatementsTest {

    @Test
    void concurrentlyIsDroppedOnlyWhereItCannotRunInATransaction() {
        assertThat(DdlStatements.withoutConcurrently("CREATE UNIQUE INDEX CONCURRENTLY i ON a (id)"))
                .isEqualTo("CREATE UNIQUE INDEX i ON a (id)");
        assertThat(DdlStatements.withoutConcurrently("drop index concurrently if exists i"))
                .isEqualTo("drop index if exists i");
        assertThat(DdlStatements.withoutConcurrently("ALTER TABLE p DETACH PARTITION c CONCURRENTLY"))
                .isEqualTo("ALTER TABLE p DETACH PARTITION c ");
        assertThat(DdlStatements.withoutConcurrently("REFRESH MATERIALIZED VIEW CONCURRENTLY m"))
                .isEqualTo("REFRESH MATERIALIZED VIEW CONCURRENTLY m");
        assertThat(DdlStatements.withoutConcurrently("CREATE INDEX \"concurrently\" ON a (id)"))
                .isEqualTo("CREATE INDEX \"concurrently\" ON a (id)");
    }

    @Test
    void nestedDdlIsReadFromTheCallContext() {
        String ours = DdlMatcherTest.OURS + "\n";
        assertThat(DdlStatements.nestedStatement(DdlMatcherTest.OURS).kind()).isEqualTo(DdlStatements.Nested.Kind.TOP_LEVEL);
        assertThat(DdlStatements.nestedStatement(ours + "SQL statement \"CREATE TABLE inner1 (\n  v text DEFAULT '\"x\"'\n)\"\n"
                + "PL/pgSQL function inline_code_block line 1 at SQL statement").statement())
                .isEqualTo("CREATE TABLE inner1 (\n  v text DEFAULT '\"x\"'\n)");
        assertThat(DdlStatements.nestedStatement(ours + "SQL statement \"CREATE TABLE inner2 (w int)\"\n"
                + "PL/pgSQL function inline_code_block line 1 at EXECUTE").statement()).isEqualTo("CREATE TABLE inner2 (w int)");
        assertThat(DdlStatements.nestedStatement(ours + "SQL function \"mksql\" statement 1").kind())
                .isEqualTo(DdlStatements.Nested.Kind.NO_TEXT);
        assertThat(DdlStatements.caller(ours + "SQL function \"mksql\" statement 1")).isEqualTo("SQL function \"mksql\" statement 1");
        // a frame line inside the text: where it ends cannot be told
        assertThat(DdlStatements.nestedStatement(ours + "SQL statement \"SELECT '\"\nSQL function \"x\" statement 1'\"\n"
                + "PL/pgSQL function f() line 2 at EXECUTE").kind()).isEqualTo(DdlStatements.Nested.Kind.AMBIGUOUS);
    }

    @Test
    void oneClosedStatementIsOneThatEndsOutsideEverything() {
        assertThat(DdlStatements.isOneClosedStatement("CREATE TABLE a ();")).isTrue();
        assertThat(DdlStatements.isOneClosedStatement("CREATE TABLE a () -- x")).isTrue();
        // ends right after a closing quote: closed (only another quote would reopen it)
        assertThat(DdlStatements.isOneClosedStatement("ALTER TABLE a ADD COLUMN note text DEFAULT 'none'")).isTrue();
        assertThat(DdlStatements.isOneClosedStatement("COMMENT ON COLUMN a.\"x\" IS $$y$$")).isTrue();
        assertThat(DdlStatements.isOneClosedStatement("CREATE TABLE a (); CREATE TABLE b ();")).isFalse();
        assertThat(DdlStatements.isOneClosedStatement("COMMENT ON TABLE a IS 'x")).isFalse();
        assertThat(DdlStatements.isOneClosedStatement("CREATE TABLE a () /* x")).isFalse();
    }
}
