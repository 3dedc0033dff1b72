package io.pgscribe.restore;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StatementCoalescerTest {

    private final StatementCoalescer coalescer = new StatementCoalescer();
    private final StringBuilder out = new StringBuilder();

    private String run(String... statements) {
        for (String s : statements) {
            coalescer.add(s, out);
        }
        coalescer.flush(out);
        return out.toString();
    }

    @Test
    void insertsIntoTheSameColumnsBecomeOneMultiRowInsert() {
        assertThat(run("INSERT INTO \"public\".\"t\" (\"id\", \"v\") VALUES (1, 'a; (b)');\n",
                "INSERT INTO \"public\".\"t\" (\"id\", \"v\") VALUES (2, 'it''s');\n",
                "INSERT INTO \"public\".\"t\" (\"id\", \"v\") VALUES (3, NULL);\n"))
                .isEqualTo("INSERT INTO \"public\".\"t\" (\"id\", \"v\") VALUES (1, 'a; (b)'), (2, 'it''s'), (3, NULL);\n");
    }

    @Test
    void anotherTableOrColumnListOrStatementEndsTheRunAndOrderIsKept() {
        assertThat(run("INSERT INTO \"s\".\"a\" (\"id\") VALUES (1);\n",
                "INSERT INTO \"s\".\"a\" (\"id\", \"v\") VALUES (2, 'x');\n",
                "INSERT INTO \"s\".\"b\" (\"id\") OVERRIDING SYSTEM VALUE VALUES (3);\n",
                "INSERT INTO \"s\".\"b\" (\"id\") OVERRIDING SYSTEM VALUE VALUES (4);\n",
                "UPDATE \"s\".\"a\" SET \"v\" = 'y' WHERE \"id\" = 2;\n",
                "INSERT INTO \"s\".\"a\" (\"id\") VALUES (5);\n"))
                .isEqualTo("INSERT INTO \"s\".\"a\" (\"id\") VALUES (1);\n"
                        + "INSERT INTO \"s\".\"a\" (\"id\", \"v\") VALUES (2, 'x');\n"
                        + "INSERT INTO \"s\".\"b\" (\"id\") OVERRIDING SYSTEM VALUE VALUES (3), (4);\n"
                        + "UPDATE \"s\".\"a\" SET \"v\" = 'y' WHERE \"id\" = 2;\n"
                        + "INSERT INTO \"s\".\"a\" (\"id\") VALUES (5);\n");
    }

    @Test
    void deletesFromOnlyATableBecomeOneInListToo() {
        assertThat(run("DELETE FROM ONLY \"public\".\"t\" WHERE \"id\" OPERATOR(pg_catalog.=) 1;\n",
                "DELETE FROM ONLY \"public\".\"t\" WHERE \"id\" OPERATOR(pg_catalog.=) 2;\n"))
                .isEqualTo("DELETE FROM ONLY \"public\".\"t\" WHERE \"id\" IN (1, 2);\n");
    }

    @Test
    void deletesBySingleColumnKeyBecomeOneInList() {
        // as segments write them now (pg_catalog's operator named) and as they did before
        assertThat(run("DELETE FROM \"public\".\"t\" WHERE \"id\" OPERATOR(pg_catalog.=) 10;\n",
                "DELETE FROM \"public\".\"t\" WHERE \"id\" = -1.5e3;\n",
                "DELETE FROM \"public\".\"t\" WHERE \"id\" OPERATOR(pg_catalog.=) 'x''y';\n",
                "DELETE FROM \"public\".\"u\" WHERE \"k\" = 1;\n",
                "DELETE FROM \"public\".\"v\" WHERE \"k\" OPERATOR(\"ext\".=) 1;\n"))
                .isEqualTo("DELETE FROM \"public\".\"t\" WHERE \"id\" IN (10, -1.5e3, 'x''y');\n"
                        + "DELETE FROM \"public\".\"u\" WHERE \"k\" OPERATOR(pg_catalog.=) 1;\n"
                        + "DELETE FROM \"public\".\"v\" WHERE \"k\" OPERATOR(\"ext\".=) 1;\n");
    }

    @Test
    void shapesItDoesNotKnowPassThroughUnchanged() {
        String[] others = {
            "DELETE FROM \"t\".\"t\" WHERE \"a\" = 1 AND \"b\" = 2;\n",
            "DELETE FROM \"t\".\"t\" WHERE ctid = (SELECT ctid FROM \"t\".\"t\" WHERE \"a\" = 1 LIMIT 1);\n",
            "DELETE FROM \"t\".\"t\" WHERE \"j\"::text = '{}';\n",
            "INSERT INTO \"t\".\"t\" (\"a\") VALUES (1) ON CONFLICT DO NOTHING;\n",
            "INSERT INTO \"t\".\"t\" (\"a\") VALUES (1), (2);\n",
            "INSERT INTO \"t\".\"t\" (\"a\") VALUES (E'\\')');\n",
            "INSERT INTO \"t\".\"t\" (\"a\") VALUES ($$)$$);\n",
            "INSERT INTO \"t\".\"t\" (\"a\") VALUES (1 -- c\n);\n",
            "INSERT INTO \"t\".\"t\" DEFAULT VALUES;\n",
            "INSERT INTO t (a) VALUES (1);\n",
        };
        for (String s : others) {
            StringBuilder o = new StringBuilder();
            StatementCoalescer c = new StatementCoalescer();
            c.add(s, o);
            c.add(s, o);
            c.flush(o);
            assertThat(o.toString()).as(s).isEqualTo(s + s);
        }
    }

    @Test
    void aLongRunOfInsertsBecomesCopyWhenAllowed() {
        StatementCoalescer copying = new StatementCoalescer(true);
        java.util.List<String> copies = new java.util.ArrayList<>();
        StatementCoalescer.Output sink = new StatementCoalescer.Output() {
            @Override
            public StringBuilder sql() {
                return out;
            }

            @Override
            public void copy(String command, String data, int rows) {
                copies.add(command + "\n" + data);
            }
        };
        copying.add("UPDATE \"p\".\"t\" SET \"v\" = 1 WHERE \"id\" = 0;\n", sink);
        for (int i = 1; i <= StatementCoalescer.COPY_MIN_ROWS; i++) {
            copying.add("INSERT INTO \"p\".\"t\" (\"id\", \"v\", \"b\", \"n\") OVERRIDING SYSTEM VALUE VALUES (" + i
                    + ", 'it''s a\\b\tc\nd', true, NULL);\n", sink);
        }
        copying.flush(sink);
        assertThat(out.toString()).isEqualTo("UPDATE \"p\".\"t\" SET \"v\" = 1 WHERE \"id\" = 0;\n");
        assertThat(copies).singleElement().asString()
                .startsWith("COPY \"p\".\"t\" (\"id\", \"v\", \"b\", \"n\") FROM STDIN\n1\tit's a\\\\b\\tc\\nd\ttrue\t\\N\n2\t")
                .hasLineCount(1 + StatementCoalescer.COPY_MIN_ROWS);
    }

    @Test
    void rowsThatAreNotPlainLiteralsStayAnInsert() {
        assertThat(CopyText.fromRows("(1, 'a'), (2, now())")).isNull();
        assertThat(CopyText.fromRows("(1, 'a'::text)")).isNull();
        assertThat(CopyText.fromRows("(-1.5e3, 'x', false)")).isEqualTo("-1.5e3\tx\tfalse\n");
    }

    @Test
    void aRunStopsAtItsRowLimit() {
        String[] inserts = new String[StatementCoalescer.MAX_ROWS + 1];
        for (int i = 0; i < inserts.length; i++) {
            inserts[i] = "INSERT INTO \"p\".\"t\" (\"id\") VALUES (" + i + ");\n";
        }
        assertThat(run(inserts).lines()).hasSize(2).last().isEqualTo("INSERT INTO \"p\".\"t\" (\"id\") VALUES ("
                + StatementCoalescer.MAX_ROWS + ");");
    }
}
