package io.pgscribe.restore;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RenderedStatementTest {

    private static RenderedStatement.Recognised r(String sql) {
        return RenderedStatement.recognise(sql);
    }

    @Test
    void everyFormTheCaptureWritesIsRecognisedWithItsTables() {
        assertThat(r("INSERT INTO \"public\".\"t\" (\"id\", \"v\") OVERRIDING SYSTEM VALUE VALUES (1, 'a'';b', NULL, -2.5, true);")
                .tables()).containsExactly(new RestoreScope.Name("public", "t"));
        assertThat(r("INSERT INTO \"s\".\"t\" DEFAULT VALUES;").kind()).isEqualTo(RenderedStatement.Kind.INSERT);
        // a FULL identity row with no column sent: any one of the identical rows
        assertThat(r("DELETE FROM ONLY \"s\".\"e\" WHERE ctid OPERATOR(pg_catalog.=) (SELECT ctid FROM ONLY \"s\".\"e\" LIMIT 1);")
                .kind()).isEqualTo(RenderedStatement.Kind.DELETE);
        assertThat(r("UPDATE \"s\".\"t\" SET \"a\" = 2, \"b\" = NULL WHERE \"id\" OPERATOR(pg_catalog.=) 1;").kind())
                .isEqualTo(RenderedStatement.Kind.UPDATE);
        RenderedStatement.Recognised d = r("DELETE FROM \"s\".\"t\" WHERE ctid OPERATOR(pg_catalog.=) (SELECT ctid FROM \"s\".\"t\" "
                + "WHERE \"a\" IS NULL AND \"j\"::pg_catalog.text OPERATOR(pg_catalog.=) '{}' AND \"k\" OPERATOR(\"ext\".=) 'x' LIMIT 1);");
        assertThat(d.kind()).isEqualTo(RenderedStatement.Kind.DELETE);
        assertThat(d.operatorSchemas()).containsExactly("ext");
        assertThat(r("TRUNCATE ONLY \"s\".\"a\", ONLY \"s\".\"b\";").tables()).hasSize(2);
        assertThat(r("SELECT pg_catalog.setval(pg_catalog.to_regclass('\"public\".\"s\"'), 42, true);").kind())
                .isEqualTo(RenderedStatement.Kind.SETVAL);
        // as segments wrote them before, and as decoder_raw writes them
        assertThat(r("DELETE FROM \"s\".\"t\" WHERE ctid = (SELECT ctid FROM \"s\".\"t\" WHERE \"j\"::text = '{}' LIMIT 1);"))
                .isNotNull();
        assertThat(r("UPDATE public.events SET kind = 'login', detail = null WHERE kind = 'login' AND detail = null AND amount = 1;")
                .tables()).containsExactly(new RestoreScope.Name("public", "events"));
        assertThat(r("INSERT INTO public.c (id, note) VALUES (2, 'C:\\shop\\ ends with \\');")).isNotNull();
        assertThat(r("INSERT INTO public.c (id, note) VALUES (2, E'it\\'s');")).isNotNull();
    }

    @Test
    void nothingElseIsRecognisedHoweverItStarts() {
        assertThat(r("INSERT INTO \"public\".\"t\" (\"v\") VALUES (pg_catalog.current_setting('x'));")).isNull();
        assertThat(r("INSERT INTO \"public\".\"t\" (\"v\") VALUES ((SELECT rolpassword FROM pg_authid LIMIT 1));")).isNull();
        assertThat(r("INSERT INTO \"public\".\"t\" (\"v\") VALUES ('') UNION SELECT rolpassword FROM pg_authid;")).isNull();
        assertThat(r("INSERT INTO \"public\".\"t\" (\"v\") VALUES ('x'::\"public\".\"evil\");")).isNull();
        assertThat(r("UPDATE \"s\".\"t\" SET \"a\" = \"public\".\"f\"() WHERE \"id\" = 1;")).isNull();
        assertThat(r("DELETE FROM ONLY \"s\".\"e\" WHERE ctid = (SELECT ctid FROM ONLY \"s\".\"e\" ORDER BY 1 LIMIT 1);")).isNull();
        assertThat(r("DELETE FROM ONLY \"s\".\"e\" WHERE ctid = (SELECT ctid FROM ONLY \"s\".\"e\" LIMIT 2);")).isNull();
        assertThat(r("UPDATE \"s\".\"t\" SET \"a\" = 1 WHERE \"id\" +++ 1;")).isNull();
        assertThat(r("DELETE FROM \"s\".\"t\" WHERE \"id\" = 1; ALTER ROLE x SUPERUSER;")).isNull();
        assertThat(r("DELETE FROM \"s\".\"t\" WHERE \"id\" = 1 -- comment\n;")).isNull();
        // a text comparison's collation is byte by byte, and nobody's own
        String byText = "DELETE FROM ONLY \"s\".\"e\" WHERE ctid = (SELECT ctid FROM ONLY \"s\".\"e\" WHERE pg_catalog.format('%s', \"v\") "
                + "OPERATOR(pg_catalog.=) 'a' COLLATE ";
        assertThat(r(byText + "pg_catalog.\"C\" LIMIT 1);")).isNotNull();
        assertThat(r(byText + "\"public\".\"mine\" LIMIT 1);")).isNull();
        assertThat(r(byText + "pg_catalog.\"und-x-icu\" LIMIT 1);")).isNull();
        assertThat(r(byText.replace("'%s'", "'%I'") + "pg_catalog.\"C\" LIMIT 1);")).isNull();
        assertThat(r("ALTER ROLE x SUPERUSER;")).isNull();
        assertThat(r("COPY \"s\".\"t\" TO PROGRAM 'id';")).isNull();
        assertThat(r("SELECT pg_catalog.setval('x', 1, true), pg_catalog.pg_sleep(1);")).isNull();
        assertThat(r("TRUNCATE ONLY \"s\".\"a\"; DROP TABLE b;")).isNull();
    }

    @Test
    void onlyIsWrittenBeforeEveryTableAnUpdateOrDeleteNamesWhereASegmentLacksIt() {
        String old = "DELETE FROM \"s\".\"t\" WHERE ctid = (SELECT ctid FROM \"s\".\"t\" WHERE \"v\" = 'SELECT ctid FROM \"s\".\"t\"' LIMIT 1);";
        assertThat(r(old).withOnly(old)).isEqualTo("DELETE FROM ONLY \"s\".\"t\" WHERE ctid = (SELECT ctid FROM ONLY \"s\".\"t\" "
                + "WHERE \"v\" = 'SELECT ctid FROM \"s\".\"t\"' LIMIT 1);");
        String update = "UPDATE public.t SET v = 'UPDATE x' WHERE id = 1;";
        assertThat(r(update).withOnly(update)).isEqualTo("UPDATE ONLY public.t SET v = 'UPDATE x' WHERE id = 1;");
        String now = "UPDATE ONLY \"s\".\"t\" SET \"a\" = 1 WHERE \"id\" OPERATOR(pg_catalog.=) 1;";
        assertThat(r(now).withOnly(now)).isSameAs(now);
        assertThat(r(now).tables()).containsExactly(new RestoreScope.Name("s", "t"));
        String insert = "INSERT INTO \"s\".\"t\" (\"id\") VALUES (1);";
        assertThat(r(insert).withOnly(insert)).isSameAs(insert);
        assertThat(r("DELETE FROM ONLY ONLY \"s\".\"t\" WHERE \"id\" = 1;")).isNull();
    }
}
