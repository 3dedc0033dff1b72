package io.pgscribe.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RestoreScopeTest {

    @Test
    void aTableIsReadAsSqlWritesIt() {
        assertThat(RestoreScope.parseTable("Orders")).isEqualTo(new RestoreScope.Name("public", "orders"));
        assertThat(RestoreScope.parseTable("\"Mixed Case\".\"Odd \"\"Table\"")).isEqualTo(new RestoreScope.Name("Mixed Case", "Odd \"Table"));
        assertThat(RestoreScope.parseTable("\"a.b\".c")).isEqualTo(new RestoreScope.Name("a.b", "c"));
    }

    @Test
    void anEmptyOrUnclosedQuotedNameIsRefused() {
        assertThatThrownBy(() -> RestoreScope.parseTable("\"unclosed.t")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RestoreScope.parseTable("\"\".t")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RestoreScope.parseTable("a.b.c")).isInstanceOf(IllegalArgumentException.class);
    }
    @Test
    void aSubsetAppliesTheRowChangesAndTheDdlOfItsTablesOnly() {
        RestoreScope orders = new RestoreScope(java.util.Set.of(new RestoreScope.Name("public", "orders")), java.util.Set.of("audit"));
        assertThat(orders.covers(RenderedStatement.recognise("DELETE FROM ONLY \"public\".\"orders\" WHERE \"id\" = 1;"))).isTrue();
        assertThat(orders.covers(RenderedStatement.recognise("INSERT INTO \"audit\".\"log\" (\"v\") VALUES ('x');"))).isTrue();
        assertThat(orders.covers(RenderedStatement.recognise("INSERT INTO \"public\".\"other\" (\"v\") VALUES ('x');"))).isFalse();
        // a sequence sample is harmless without its table
        assertThat(orders.covers(RenderedStatement.recognise("SELECT pg_catalog.setval('\"public\".\"s\"', 5, true);"))).isTrue();
        assertThat(RestoreScope.ALL.covers(RenderedStatement.recognise("INSERT INTO \"x\".\"y\" DEFAULT VALUES;"))).isTrue();
        assertThat(orders.truncateOf(RenderedStatement.recognise("TRUNCATE ONLY \"public\".\"orders\", ONLY \"public\".\"other\";")))
                .isEqualTo("TRUNCATE ONLY \"public\".\"orders\";");

        assertThat(orders.isAbout(block("public.orders", "ALTER TABLE public.orders ADD COLUMN n int"))).isTrue();
        assertThat(orders.isAbout(block("public.orders_idx", "CREATE INDEX orders_idx ON \"public\".\"orders\" (id)"))).isTrue();
        assertThat(orders.isAbout(block("public.other", "ALTER TABLE public.other ADD COLUMN n int"))).isFalse();
        assertThat(RestoreScope.ALL.isAbout(block("public.other", "ALTER TABLE public.other ADD COLUMN n int"))).isTrue();
    }

    private static io.pgscribe.ddl.DdlBlock.Block block(String object, String statement) {
        return new io.pgscribe.ddl.DdlBlock.Block(new io.pgscribe.ddl.DdlBlock.Trace(1, "ALTER TABLE", object, "app", false), "app",
                java.util.List.of("public"), statement, false);
    }
}
