package io.pgscribe.render;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DdlStatementsTest {

    @Test
    void picksTheStatementsThatFireTheEventTrigger() {
        String q = "CREATE TABLE a (id int primary key); INSERT INTO a VALUES (1); -- c\n"
                + "ALTER TABLE a ADD COLUMN \"on\" text DEFAULT 'GRANT x ON y'; SELECT 1; UPDATE a SET id = 2;\n"
                + "CREATE ROLE r; GRANT r TO postgres; GRANT SELECT ON a TO r; DROP TABLE IF EXISTS b;\n"
                + "CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1; $$;\n"
                + "CREATE USER MAPPING FOR r SERVER s; ALTER SYSTEM SET work_mem = '1MB'; CREATE TEMP TABLE t (x int);\n"
                + "SELECT * INTO c FROM a; SELECT x INTO STRICT FROM a; COMMENT ON TABLE a IS 'x'; REFRESH MATERIALIZED VIEW m;\n"
                + "DO $$ BEGIN CREATE TABLE d (); END $$; CREATE UNIQUE INDEX CONCURRENTLY i ON a (id); GRANT r1on TO x;";
        assertThat(DdlStatements.firing(q)).containsExactly(
                "CREATE TABLE a (id int primary key);",
                "ALTER TABLE a ADD COLUMN \"on\" text DEFAULT 'GRANT x ON y';",
                "GRANT SELECT ON a TO r;",
                "DROP TABLE IF EXISTS b;",
                "CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1; $$;",
                "CREATE USER MAPPING FOR r SERVER s;",
                "CREATE TEMP TABLE t (x int);",
                "SELECT * INTO c FROM a;",
                "SELECT x INTO STRICT FROM a;",
                "COMMENT ON TABLE a IS 'x';",
                "REFRESH MATERIALIZED VIEW m;",
                "CREATE UNIQUE INDEX CONCURRENTLY i ON a (id);");
    }

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
        String ours = "PL/pgSQL function pgscribe.record_ddl(text,text,text,boolean) line 11 at GET DIAGNOSTICS\n"
                + "SQL statement \"SELECT pgscribe.record_ddl(TG_TAG, pg_catalog.current_setting('search_path'), current_user::text, false)\"\n"
                + "PL/pgSQL function pgscribe.on_ddl_command_end() line 3 at PERFORM\n";
        assertThat(DdlStatements.nestedStatement(ours)).isNull();
        assertThat(DdlStatements.nestedStatement(ours + "SQL statement \"CREATE TABLE inner1 (\n  v text DEFAULT '\"x\"'\n)\"\n"
                + "PL/pgSQL function inline_code_block line 1 at SQL statement"))
                .isEqualTo("CREATE TABLE inner1 (\n  v text DEFAULT '\"x\"'\n)");
        assertThat(DdlStatements.nestedStatement(ours + "SQL statement \"CREATE TABLE inner2 (w int)\"\n"
                + "PL/pgSQL function inline_code_block line 1 at EXECUTE")).isEqualTo("CREATE TABLE inner2 (w int)");
        assertThat(DdlStatements.nestedStatement(ours + "SQL function \"mksql\" statement 1")).isEmpty();
        assertThat(DdlStatements.caller(ours + "SQL function \"mksql\" statement 1")).isEqualTo("SQL function \"mksql\" statement 1");
    }
}
