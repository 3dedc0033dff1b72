package io.pgscribe.restore;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;

class RawStatementRepairTest {

    private static final RawStatementRepair.TableShape ITEMS = new RawStatementRepair.TableShape(Set.of("total"), Set.of());
    private static final RawStatementRepair.TableShape TAGGED = new RawStatementRepair.TableShape(Set.of("name_upper"), Set.of("id"));

    private static String repair(String sql, RawStatementRepair.TableShape shape) {
        RenderedStatement.Recognised r = RenderedStatement.recognise(sql);
        assertThat(r).as(sql).isNotNull();
        String repaired = RawStatementRepair.repair(sql, r, shape);
        if (!repaired.isEmpty()) {
            assertThat(RenderedStatement.recognise(repaired)).as(repaired).isNotNull(); // still one of the forms the restore runs
        }
        return repaired;
    }

    @Test
    void generatedColumnsAreLeftOutOfInsertAndSet() {
        assertThat(repair("INSERT INTO public.items (id, price, qty, total, label) VALUES (1, 9.99, 3, 29.97, 'pens');", ITEMS))
                .isEqualTo("INSERT INTO public.items (id, price, qty, label) VALUES (1, 9.99, 3, 'pens');");
        assertThat(repair("UPDATE public.items SET id = 1, price = 9.99, qty = 4, total = 39.96, label = 'pens' WHERE id = 1;", ITEMS))
                .isEqualTo("UPDATE public.items SET id = 1, price = 9.99, qty = 4, label = 'pens' WHERE id = 1;");
        // the last column generated: no comma left behind
        assertThat(repair("INSERT INTO public.items (id, total) VALUES (1, 2);", ITEMS))
                .isEqualTo("INSERT INTO public.items (id) VALUES (1);");
        assertThat(repair("INSERT INTO public.items (total) VALUES (2);", ITEMS)).isEqualTo("INSERT INTO public.items DEFAULT VALUES;");
    }

    @Test
    void anAlwaysIdentityColumnIsWrittenOverridingAndLeftOutOfSetWhenUnchanged() {
        assertThat(repair("INSERT INTO public.tagged (id, name, name_upper) VALUES (1, 'alpha', 'ALPHA');", TAGGED))
                .isEqualTo("INSERT INTO public.tagged (id, name) OVERRIDING SYSTEM VALUE VALUES (1, 'alpha');");
        assertThat(repair("INSERT INTO public.tagged (id, name) OVERRIDING SYSTEM VALUE VALUES (1, 'a');", TAGGED))
                .isEqualTo("INSERT INTO public.tagged (id, name) OVERRIDING SYSTEM VALUE VALUES (1, 'a');");
        assertThat(repair("UPDATE public.tagged SET id = 2, name = 'gamma', name_upper = 'GAMMA' WHERE id = 2;", TAGGED))
                .isEqualTo("UPDATE public.tagged SET name = 'gamma' WHERE id = 2;");
        // changed (SET id = DEFAULT in the source): left for the server to refuse, loudly, never dropped
        assertThat(repair("UPDATE public.tagged SET id = 7, name = 'g' WHERE id = 2;", TAGGED))
                .isEqualTo("UPDATE public.tagged SET id = 7, name = 'g' WHERE id = 2;");
        // nothing left to set: the row is what the table computes
        assertThat(repair("UPDATE public.tagged SET id = 2, name_upper = 'B' WHERE id = 2;", TAGGED)).isEmpty();
    }

    @Test
    void anOldRowsNullIsMatchedWithIsNull() {
        RawStatementRepair.TableShape plain = RawStatementRepair.TableShape.PLAIN;
        assertThat(repair("UPDATE public.events SET kind = 'login', detail = null, amount = 2 "
                + "WHERE kind = 'login' AND detail = null AND amount = 1;", plain))
                .isEqualTo("UPDATE public.events SET kind = 'login', detail = null, amount = 2 "
                        + "WHERE kind = 'login' AND detail IS NULL AND amount = 1;");
        assertThat(repair("DELETE FROM public.events WHERE kind = 'logout' AND detail = null AND amount = null;", plain))
                .isEqualTo("DELETE FROM public.events WHERE kind = 'logout' AND detail IS NULL AND amount IS NULL;");
        assertThat(repair("DELETE FROM public.events WHERE kind = 'x';", plain)).isEqualTo("DELETE FROM public.events WHERE kind = 'x';");
    }

    @Test
    void valuesWrittenByAUserStayValuesWhateverTheyHold() {
        // quotes, semicolons, \r, comments, dollar quotes, COMMIT; lines, "= null" and list punctuation inside literals
        String hostile = "'a'', total = 1); DROP TABLE x; --\r\n/* */ $$ $q$ COMMIT;\n= null, (b)'";
        assertThat(repair("INSERT INTO public.items (id, total, label) VALUES (1, 5, " + hostile + ");", ITEMS))
                .isEqualTo("INSERT INTO public.items (id, label) VALUES (1, " + hostile + ");");
        assertThat(repair("UPDATE public.items SET total = " + hostile + ", label = " + hostile + " WHERE label = " + hostile
                + " AND id = null;", ITEMS))
                .isEqualTo("UPDATE public.items SET label = " + hostile + " WHERE label = " + hostile + " AND id IS NULL;");
        // quoted names as decoder_raw writes names that need them: a generated column named like a keyword
        RawStatementRepair.TableShape odd = new RawStatementRepair.TableShape(Set.of("Total; x"), Set.of());
        assertThat(repair("INSERT INTO \"Odd\".\"T\" (\"Id\", \"Total; x\") VALUES (1, 2);", odd))
                .isEqualTo("INSERT INTO \"Odd\".\"T\" (\"Id\") VALUES (1);");
    }
}
