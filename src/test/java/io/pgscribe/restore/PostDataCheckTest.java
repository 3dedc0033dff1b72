package io.pgscribe.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgscribe.PgscribeException;
import org.junit.jupiter.api.Test;

class PostDataCheckTest {

    @Test
    void aTablesCheckIsAddedNotValidAndMarkedValidOnItAndItsChildren() {
        String out = PostDataCheck.withoutValidation("ALTER TABLE public.t\n    ADD CONSTRAINT c CHECK (public.ok(t.*));");
        assertThat(out).startsWith("ALTER TABLE public.t\n    ADD CONSTRAINT c CHECK (public.ok(t.*)) NOT VALID;\n");
        assertThat(out).contains("conname = 'c' AND conrelid IN (WITH RECURSIVE r(oid) AS (SELECT 'public.t'::pg_catalog.regclass");
        assertThat(out).endsWith(";\n");
    }

    @Test
    void quotedNamesAreReadAsPgDumpQuotesThem() {
        String out = PostDataCheck.withoutValidation("ALTER TABLE ONLY \"we\"\"ird\n    ADD CONSTRAINT x\".\"t;--\"\n"
                + "    ADD CONSTRAINT \"c'; DROP TABLE x; --\" CHECK ((query_to_xml('select 1'::text, false, false, ''::text) IS NOT NULL));");
        assertThat(out).contains(" IS NOT NULL)) NOT VALID;\n");
        assertThat(out).contains("conname = 'c''; DROP TABLE x; --'");
        assertThat(out).contains("SELECT '\"we\"\"ird\n    ADD CONSTRAINT x\".\"t;--\"'::pg_catalog.regclass");
    }

    @Test
    void aDomainsCheckIsMarkedValidOnTheDomain() {
        String out = PostDataCheck.withoutValidation("ALTER DOMAIN public.d2\n    ADD CONSTRAINT \"dc 2\" CHECK (public.okd2((VALUE)::public.d2));");
        assertThat(out).contains("CHECK (public.okd2((VALUE)::public.d2)) NOT VALID;\n")
                .contains("conname = 'dc 2' AND contypid = 'public.d2'::pg_catalog.regtype;");
    }

    @Test
    void aCheckNotValidInTheSourceStaysNotValid() {
        String in = "ALTER TABLE public.t\n    ADD CONSTRAINT nv CHECK (public.okrow(t.*)) NOT VALID;";
        assertThat(PostDataCheck.withoutValidation(in)).isEqualTo(in + "\n");
    }

    @Test
    void aFormPgDumpDoesNotWriteIsRefused() {
        assertThatThrownBy(() -> PostDataCheck.withoutValidation("ALTER TABLE t ADD CONSTRAINT c CHECK (true);"))
                .isInstanceOf(PgscribeException.class).hasMessageContaining("form pgscribe does not know");
        assertThatThrownBy(() -> PostDataCheck.withoutValidation("ALTER TABLE public.t\n    ADD CONSTRAINT c CHECK (true); SELECT 1;"))
                .isInstanceOf(PgscribeException.class);
        assertThatThrownBy(() -> PostDataCheck.withoutValidation("ALTER TABLE public.\"\"\n    ADD CONSTRAINT c CHECK (true);"))
                .isInstanceOf(PgscribeException.class);
    }
}
