package io.pgscribe.restore;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A subset of a real plain base (src/test/resources/fixtures/base-plain, pg_dump 15.18). */
class BaseFilterTest {

    private static final Path BASE = Path.of("src/test/resources/fixtures/base-plain/shop.sql");

    @TempDir
    Path tmp;

    private static Supplier<InputStream> base() {
        return () -> {
            try {
                return Files.newInputStream(BASE);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
    }

    private String filtered(RestoreScope scope) throws IOException {
        Path out = tmp.resolve("subset.sql");
        String summary = new BaseFilter(scope).filter(base(), out);
        assertThat(summary).matches("kept \\d+ of 21 base entries");
        return Files.readString(out);
    }

    @Test
    void theTablesOfABaseAreItsRelationsNotWhatAFunctionBodySays() {
        assertThat(BaseFilter.tablesOf(base())).containsExactlyInAnyOrder(new RestoreScope.Name("public", "customers"),
                new RestoreScope.Name("public", "orders"), new RestoreScope.Name("sales", "Items"));
    }

    @Test
    void oneTableKeepsItsDataSequenceIndexCommentAndGrantAndLeavesOutTheRest() throws IOException {
        String sql = filtered(new RestoreScope(Set.of(new RestoreScope.Name("public", "orders")), Set.of()));
        assertThat(sql).contains("CREATE TABLE \"public\".\"orders\"", "COPY \"public\".\"orders\" (\"id\", \"customer\", "
                        + "\"note\") FROM stdin;\n1\t1\tfirst\n2\t2\t\\\\. not the end\n\\.\n",
                "CREATE SEQUENCE \"public\".\"orders_id_seq\"", "CREATE INDEX \"orders_customer\"",
                "COMMENT ON TABLE \"public\".\"orders\"", "GRANT SELECT ON TABLE \"public\".\"orders\" TO \"app\"",
                "CREATE SCHEMA \"sales\"");
        // the function stays whole, the lines in its body that look like a header and a COPY with it
        assertThat(sql).contains("COPY public.customers (id, name) FROM stdin;\n'::text $$;");
        assertThat(sql).doesNotContain("CREATE TABLE \"public\".\"customers\"", "COPY \"public\".\"customers\"", "Ann",
                "orders_customer_fkey", "order_view", "CREATE TABLE \"sales\".\"Items\"");
    }

    @Test
    void aSchemaKeepsItsTablesOnly() throws IOException {
        String sql = filtered(new RestoreScope(Set.of(), Set.of("sales")));
        assertThat(sql).contains("CREATE TABLE \"sales\".\"Items\"", "1\twidget\n", "\"Items_pkey\"");
        assertThat(sql).doesNotContain("CREATE TABLE \"public\".\"orders\"", "first", "Ann");
    }

    @Test
    void bothTablesOfAForeignKeyKeepIt() throws IOException {
        String sql = filtered(new RestoreScope(Set.of(new RestoreScope.Name("public", "orders"),
                new RestoreScope.Name("public", "customers")), Set.of()));
        assertThat(sql).contains("orders_customer_fkey", "1\tAnn\n").doesNotContain("order_view");
    }
}
