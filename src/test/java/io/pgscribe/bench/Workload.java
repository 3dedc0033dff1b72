package io.pgscribe.bench;

import io.pgscribe.pg.Pg;
import java.sql.Connection;
import java.sql.SQLException;

/** The source workloads of the benchmarks: what is there before init, and what is captured. */
abstract class Workload {

    abstract void prepare(Connection c) throws SQLException;

    abstract void run(Connection c) throws SQLException;

    abstract long changes();

    abstract long transactions();

    /**
     * Inserts, updates and deletes (5:3:2) in transactions of 10,000 rows each: the shape of
     * a batch job, where statements, not commits, are what costs.
     */
    static Workload bulk(int changes) {
        return new Workload() {
            static final int ROWS = 10_000;
            final int batches = Math.max(1, changes / ROWS);

            @Override
            void prepare(Connection c) throws SQLException {
                Pg.execute(c, "CREATE TABLE bench_rows (id bigint PRIMARY KEY, k int NOT NULL, v text, n numeric(12,2), "
                        + "t timestamptz)");
            }

            @Override
            void run(Connection c) throws SQLException {
                Pg.execute(c, "SET synchronous_commit = off"); // the workload is not what is measured
                long next = 1;
                long lowest = 1;
                char[] cycle = "IIUIDIUIUD".toCharArray();
                for (int b = 0; b < batches; b++) {
                    char kind = cycle[b % cycle.length];
                    if (kind == 'I' || next - lowest < 3L * ROWS) {
                        Pg.execute(c, "INSERT INTO bench_rows SELECT g, g % 1000, md5(g::text), g / 7.0, "
                                + "'2026-01-01'::timestamptz + g * interval '1 s' FROM generate_series(" + next + ", "
                                + (next + ROWS - 1) + ") g");
                        next += ROWS;
                    } else if (kind == 'U') {
                        Pg.execute(c, "UPDATE bench_rows SET k = k + 1, v = upper(v), n = n * 2 WHERE id BETWEEN "
                                + (next - ROWS) + " AND " + (next - 1));
                    } else {
                        Pg.execute(c, "DELETE FROM bench_rows WHERE id BETWEEN " + lowest + " AND " + (lowest + ROWS - 1));
                        lowest += ROWS;
                    }
                }
            }

            @Override
            long changes() {
                return (long) batches * ROWS;
            }

            @Override
            long transactions() {
                return batches;
            }
        };
    }

    /**
     * pgbench's TPC-B-like transaction (three updates, one insert), one commit each: the
     * shape of an application, where commits are what costs.
     */
    static Workload oltp(int transactions) {
        return new Workload() {
            @Override
            void prepare(Connection c) throws SQLException {
                Pg.execute(c, "CREATE TABLE branches (bid int PRIMARY KEY, bbalance int NOT NULL, filler char(88))");
                Pg.execute(c, "CREATE TABLE tellers (tid int PRIMARY KEY, bid int NOT NULL, tbalance int NOT NULL, filler char(84))");
                Pg.execute(c, "CREATE TABLE accounts (aid int PRIMARY KEY, bid int NOT NULL, abalance int NOT NULL, filler char(84))");
                Pg.execute(c, "CREATE TABLE history (hid bigserial PRIMARY KEY, tid int, bid int, aid int, delta int, "
                        + "mtime timestamp, filler char(22))");
                Pg.execute(c, "INSERT INTO branches SELECT g, 0, '' FROM generate_series(1, 10) g");
                Pg.execute(c, "INSERT INTO tellers SELECT g, (g - 1) / 10 + 1, 0, '' FROM generate_series(1, 100) g");
                Pg.execute(c, "INSERT INTO accounts SELECT g, (g - 1) / 100000 + 1, 0, '' FROM generate_series(1, 1000000) g");
                Pg.execute(c, "CREATE PROCEDURE tpcb(n int) LANGUAGE plpgsql AS $$ DECLARE a int; t int; d int; BEGIN "
                        + "FOR i IN 1..n LOOP a := 1 + (random() * 999999)::int; t := 1 + (random() * 99)::int; "
                        + "d := (random() * 10000)::int - 5000; "
                        + "UPDATE accounts SET abalance = abalance + d WHERE aid = a; "
                        + "UPDATE tellers SET tbalance = tbalance + d WHERE tid = t; "
                        + "UPDATE branches SET bbalance = bbalance + d WHERE bid = (t - 1) / 10 + 1; "
                        + "INSERT INTO history (tid, bid, aid, delta, mtime) VALUES (t, (t - 1) / 10 + 1, a, d, "
                        + "'2026-01-01'::timestamp + i * interval '1 ms'); COMMIT; END LOOP; END $$");
            }

            @Override
            void run(Connection c) throws SQLException {
                Pg.execute(c, "SET synchronous_commit = off");
                Pg.execute(c, "CALL tpcb(" + transactions + ")");
            }

            @Override
            long changes() {
                return 4L * transactions;
            }

            @Override
            long transactions() {
                return transactions;
            }
        };
    }
}
