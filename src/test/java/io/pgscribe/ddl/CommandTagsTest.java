package io.pgscribe.ddl;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CommandTagsTest {

    private static String of(String statement) {
        CommandTags.Classified c = CommandTags.of(statement);
        return c.kind() == CommandTags.Kind.DDL ? c.tag() : c.kind().name();
    }

    @Test
    void ddlCarriesTheTagItsFiringHas() {
        assertThat(of("create or replace function f() returns int language sql return 1;")).isEqualTo("CREATE FUNCTION");
        assertThat(of("CREATE UNIQUE INDEX CONCURRENTLY i ON a (id)")).isEqualTo("CREATE INDEX");
        assertThat(of("CREATE TEMP TABLE t (x int)")).isEqualTo("CREATE TABLE");
        assertThat(of("CREATE TABLE t (g int GENERATED ALWAYS AS (1) STORED)")).isEqualTo("CREATE TABLE");
        assertThat(of("CREATE TABLE t AS SELECT 1")).isEqualTo("CREATE TABLE AS");
        assertThat(of("CREATE MATERIALIZED VIEW m AS SELECT 1")).isEqualTo("CREATE MATERIALIZED VIEW");
        assertThat(of("CREATE FOREIGN DATA WRAPPER w")).isEqualTo("CREATE FOREIGN DATA WRAPPER");
        assertThat(of("CREATE USER MAPPING FOR r SERVER s")).isEqualTo("CREATE USER MAPPING");
        assertThat(of("CREATE TEXT SEARCH CONFIGURATION c (COPY = simple)")).isEqualTo("CREATE TEXT SEARCH CONFIGURATION");
        assertThat(of("CREATE CONSTRAINT TRIGGER t AFTER INSERT ON a FOR EACH ROW EXECUTE FUNCTION f()")).isEqualTo("CREATE TRIGGER");
        assertThat(of("ALTER TABLE a ADD COLUMN \"on\" text DEFAULT 'GRANT x ON DATABASE y'")).isEqualTo("ALTER TABLE");
        assertThat(of("ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO r")).isEqualTo("ALTER DEFAULT PRIVILEGES");
        assertThat(of("ALTER OPERATOR FAMILY f USING btree ADD OPERATOR 1 < (int, int)")).isEqualTo("ALTER OPERATOR FAMILY");
        assertThat(of("DROP TABLE IF EXISTS b")).isEqualTo("DROP TABLE");
        assertThat(of("DROP OWNED BY r")).isEqualTo("DROP OWNED");
        assertThat(of("GRANT SELECT ON a TO r")).isEqualTo("GRANT");
        assertThat(of("REVOKE ALL ON ALL TABLES IN SCHEMA s FROM r")).isEqualTo("REVOKE");
        assertThat(of("COMMENT ON TABLE a IS 'x'")).isEqualTo("COMMENT");
        assertThat(of("SECURITY LABEL FOR p ON TABLE a IS 'x'")).isEqualTo("SECURITY LABEL");
        assertThat(of("REFRESH MATERIALIZED VIEW CONCURRENTLY m")).isEqualTo("REFRESH MATERIALIZED VIEW");
        assertThat(of("IMPORT FOREIGN SCHEMA r FROM SERVER s INTO l")).isEqualTo("IMPORT FOREIGN SCHEMA");
        assertThat(of("SELECT * INTO c FROM a")).isEqualTo("SELECT INTO");
        assertThat(of("WITH x AS (SELECT 1 INTO y) SELECT * INTO z FROM x")).isEqualTo("SELECT INTO");
    }

    @Test
    void commandsOnSharedObjectsAndDmlFireNothing() {
        assertThat(of("GRANT CONNECT ON DATABASE shop TO r")).isEqualTo("NO_FIRING");
        assertThat(of("GRANT r TO postgres")).isEqualTo("NO_FIRING");
        assertThat(of("REVOKE SET ON PARAMETER work_mem FROM r")).isEqualTo("NO_FIRING");
        assertThat(of("COMMENT ON DATABASE shop IS 'x'")).isEqualTo("NO_FIRING");
        assertThat(of("ALTER ROLE x SUPERUSER")).isEqualTo("NO_FIRING");
        assertThat(of("CREATE USER u")).isEqualTo("NO_FIRING");
        assertThat(of("ALTER SYSTEM SET work_mem = '1MB'")).isEqualTo("NO_FIRING");
        assertThat(of("CREATE EVENT TRIGGER e ON ddl_command_end EXECUTE FUNCTION f()")).isEqualTo("NO_FIRING");
        assertThat(of("WITH x AS (SELECT 1) INSERT INTO t SELECT * FROM x")).isEqualTo("NO_FIRING");
        assertThat(of("SELECT 1 FROM a")).isEqualTo("NO_FIRING");
        assertThat(of("DO $$ BEGIN CREATE TABLE d (); END $$")).isEqualTo("NO_FIRING");
        assertThat(of("TRUNCATE a")).isEqualTo("NO_FIRING");
    }

    @Test
    void transactionControlAndWhatCannotBeToldAreSaidSo() {
        assertThat(of("COMMIT")).isEqualTo("TRANSACTION");
        assertThat(of("ROLLBACK TO SAVEPOINT s")).isEqualTo("TRANSACTION");
        assertThat(of("PREPARE TRANSACTION 'x'")).isEqualTo("TRANSACTION");
        assertThat(of("PREPARE p AS SELECT 1")).isEqualTo("NO_FIRING");
        assertThat(of("EXPLAIN ANALYZE CREATE TABLE t AS SELECT 1")).isEqualTo("UNKNOWN");
        assertThat(of("EXECUTE p")).isEqualTo("UNKNOWN");
        assertThat(of("REINDEX TABLE a")).isEqualTo("UNKNOWN");
        assertThat(of("CREATE FROBNICATOR f")).isEqualTo("UNKNOWN");
    }
}
