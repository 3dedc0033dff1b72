package io.pgscribe.restore;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgscribe.pg.Lsn;
import io.pgscribe.pg.Pg;
import io.pgscribe.pg.PgServer;
import io.pgscribe.pg.ReplicaIdentityAudit;
import io.pgscribe.testing.PgClusterExtension;
import io.pgscribe.testing.Pipeline;
import io.pgscribe.verify.TableChecksum;
import io.pgscribe.verify.Verifier;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Two tables out of ten, at a point in time, equal to those two tables then. */
@ExtendWith(PgClusterExtension.class)
class SubsetRestoreIT {

    @TempDir
    Path tmp;

    @Test
    void twoTablesOfTenComeBackAsTheyWereAtTheTarget(PgServer cluster) throws Exception {
        try (Pipeline p = Pipeline.create(cluster, "subset", tmp.resolve("backup"))) {
            try (Connection c = p.connect()) {
                Pg.execute(c, "CREATE ROLE auditor");
                Pg.execute(c, "CREATE TYPE level AS ENUM ('low', 'high'); CREATE SCHEMA sales");
                for (int i = 1; i <= 8; i++) {
                    Pg.execute(c, "CREATE TABLE other" + i + " (id serial PRIMARY KEY, v int)");
                }
                Pg.execute(c, "CREATE TABLE customers (id serial PRIMARY KEY, name text NOT NULL, lvl level DEFAULT 'low')");
                Pg.execute(c, "CREATE TABLE sales.orders (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, "
                        + "customer int REFERENCES customers(id), other int REFERENCES other1(id), total numeric CHECK (total >= 0))");
                Pg.execute(c, "CREATE INDEX orders_total ON sales.orders (total)");
                Pg.execute(c, "CREATE FUNCTION stamp() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.total := NEW.total; RETURN NEW; END $$");
                Pg.execute(c, "CREATE TRIGGER orders_stamp BEFORE INSERT ON sales.orders FOR EACH ROW EXECUTE FUNCTION stamp()");
                Pg.execute(c, "CREATE VIEW big_orders AS SELECT * FROM sales.orders WHERE total > 100");
                Pg.execute(c, "COMMENT ON TABLE customers IS 'who buys'; GRANT SELECT ON customers TO auditor");
                Pg.execute(c, "INSERT INTO other1 (v) VALUES (1), (2); INSERT INTO customers (name) VALUES ('a'), ('b')");
                Pg.execute(c, "INSERT INTO sales.orders (customer, other, total) VALUES (1, 1, 10), (2, 2, 200)");
            }
            p.init(ReplicaIdentityAudit.Mode.REFUSE);
            p.start();
            Lsn target;
            Map<String, TableChecksum> atTarget;
            try (Connection c = p.connect()) {
                for (int i = 0; i < 20; i++) {
                    Pg.execute(c, "INSERT INTO customers (name, lvl) VALUES ('c" + i + "', '" + (i % 2 == 0 ? "low" : "high") + "')");
                    Pg.execute(c, "INSERT INTO sales.orders (customer, total) VALUES (" + (i % 5 + 1) + ", " + i * 7 + ")");
                    Pg.execute(c, "INSERT INTO other" + (i % 8 + 1) + " (v) VALUES (" + i + ")");
                }
                Pg.execute(c, "ALTER TABLE customers ADD COLUMN email text");
                Pg.execute(c, "CREATE INDEX customers_email ON customers (email)");
                Pg.execute(c, "ALTER TABLE other3 ADD COLUMN extra text");
                Pg.execute(c, "CREATE TABLE other9 (id int PRIMARY KEY)");
                Pg.execute(c, "UPDATE customers SET email = name || '@example.com' WHERE id % 2 = 0");
                Pg.execute(c, "DELETE FROM sales.orders WHERE total < 20");
                Pg.execute(c, "TRUNCATE other2, other4");
                target = Lsn.valueOf(Pg.string(c, "SELECT pg_current_wal_lsn()::text"));
                atTarget = Verifier.checksums(p.source());
                Pg.execute(c, "UPDATE customers SET name = 'after the target'");
                Pg.execute(c, "DELETE FROM sales.orders");
            }
            p.fenceAndWait();
            p.stop();

            Pipeline.Cli cli = p.cli("restore", "--to-db", "subset_restored", "--to-lsn", target.asString(),
                    "--only-table", "public.customers", "--only-table", "sales.orders");
            assertThat(cli.code()).as(cli.out() + cli.err()).isZero();
            assertThat(cli.out()).contains("Left out").contains("DDL statement(s) about objects outside the restored tables");

            Map<String, TableChecksum> restored = Verifier.checksums(cluster.connection("subset_restored"));
            assertThat(restored.keySet()).containsExactlyInAnyOrder("public.customers", "sales.orders");
            Map<String, TableChecksum> expected = atTarget.entrySet().stream()
                    .filter(e -> restored.containsKey(e.getKey())).collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
            assertThat(Verifier.compare(expected, restored).differences()).isEmpty();
            try (Connection r = Pg.connect(cluster.connection("subset_restored"), "t")) {
                // what belongs to the two tables came with them; what belongs to the others did not
                List<String> objects = Pg.query(r, "SELECT relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                        + "WHERE n.nspname IN ('public', 'sales') ORDER BY 1", rs -> rs.getString(1));
                assertThat(objects).contains("customers_pkey", "customers_email", "orders_total", "customers_id_seq", "orders_id_seq")
                        .noneMatch(o -> o.startsWith("other")).doesNotContain("big_orders");
                assertThat(Pg.string(r, "SELECT count(*)::text FROM pg_constraint WHERE conname = 'orders_customer_fkey'")).isEqualTo("1");
                assertThat(Pg.string(r, "SELECT count(*)::text FROM pg_constraint WHERE conname = 'orders_other_fkey'")).isEqualTo("0");
                assertThat(Pg.string(r, "SELECT count(*)::text FROM pg_trigger WHERE tgname = 'orders_stamp'")).isEqualTo("1");
                assertThat(Pg.string(r, "SELECT obj_description('customers'::regclass)")).isEqualTo("who buys");
                assertThat(Pg.string(r, "SELECT has_table_privilege('auditor', 'customers', 'SELECT')::text")).isEqualTo("true");
                // the sequences continue after the restored rows
                assertThat(Long.parseLong(Pg.string(r, "SELECT nextval('customers_id_seq')::text")))
                        .isGreaterThan(Long.parseLong(Pg.string(r, "SELECT max(id)::text FROM customers")));
            }
        }
    }
}
