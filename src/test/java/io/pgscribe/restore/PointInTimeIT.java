package io.pgscribe.restore;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgscribe.pg.Lsn;
import io.pgscribe.pg.Pg;
import io.pgscribe.pg.PgServer;
import io.pgscribe.pg.PgTools;
import io.pgscribe.pg.ReplicaIdentityAudit;
import io.pgscribe.testing.PgClusterExtension;
import io.pgscribe.testing.Pipeline;
import io.pgscribe.verify.TableChecksum;
import io.pgscribe.verify.Verifier;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Restoring to a commit LSN, a time and a transaction gives exactly the source's state then. */
@ExtendWith(PgClusterExtension.class)
class PointInTimeIT {

    @TempDir
    Path tmp;

    static void phase(Connection c, int from, int to) throws Exception {
        for (int i = from; i < to; i++) {
            Pg.execute(c, "INSERT INTO accounts (owner, balance) VALUES ('owner " + i + "', " + i * 10 + ")");
            Pg.execute(c, "UPDATE accounts SET balance = balance + 1 WHERE id % 3 = " + (i % 3));
            if (i % 4 == 0) {
                Pg.execute(c, "DELETE FROM accounts WHERE id = (SELECT min(id) FROM accounts)");
            }
            Pg.execute(c, "INSERT INTO ledger (account, amount) SELECT id, " + i + " FROM accounts WHERE id % 5 = " + (i % 5));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"wal2json", "pgoutput"})
    void eachTargetGivesTheSourceAsItWasThen(String decoder, PgServer cluster) throws Exception {
        String db = "pitr_" + decoder;
        try (Pipeline p = Pipeline.create(cluster, db, tmp.resolve("backup"), Pipeline.withDecoder(Map.of("pgscribe.segment.max-bytes", "8000"), decoder))) {
            try (Connection c = p.connect()) {
                Pg.execute(c, "CREATE TABLE accounts (id serial PRIMARY KEY, owner text, balance numeric);"
                        + "CREATE TABLE ledger (id bigserial PRIMARY KEY, account int, amount numeric)");
                phase(c, 0, 5);
            }
            p.init(ReplicaIdentityAudit.Mode.REFUSE);
            p.start();
            Lsn lsn1;
            Instant time2;
            long xid3;
            Map<String, TableChecksum> at1;
            Map<String, TableChecksum> at2;
            Map<String, TableChecksum> before3;
            Map<String, TableChecksum> after3;
            try (Connection c = p.connect()) {
                phase(c, 5, 25);
                // pause 1: everything committed so far has a commit LSN below this
                lsn1 = Lsn.valueOf(Pg.string(c, "SELECT pg_current_wal_lsn()::text"));
                at1 = Verifier.checksums(p.source());
                phase(c, 25, 45);
                Pg.execute(c, "ALTER TABLE accounts ADD COLUMN note text DEFAULT 'none'");
                Pg.execute(c, "UPDATE accounts SET note = 'after the alter' WHERE id % 2 = 0");
                // pause 2: everything committed so far committed before this moment on the server's clock
                Thread.sleep(20); // a different microsecond on the server's clock, not a synchronisation
                time2 = Instant.parse(Pg.string(c, "SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', "
                        + "'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"));
                Thread.sleep(20);
                at2 = Verifier.checksums(p.source());
                phase(c, 45, 60);
                before3 = Verifier.checksums(p.source());
                // one transaction, identified by its xid
                c.setAutoCommit(false);
                xid3 = Long.parseLong(Pg.string(c, "SELECT (pg_current_xact_id()::text::bigint % 4294967296)::text"));
                Pg.execute(c, "UPDATE accounts SET balance = 0; DELETE FROM ledger WHERE amount > 50");
                c.commit();
                c.setAutoCommit(true);
                after3 = Verifier.checksums(p.source());
                phase(c, 60, 70);
            }
            p.fenceAndWait();
            p.stop();
            assertThat(p.manifest().segments()).hasSizeGreaterThan(1);

            ByteArrayOutputStream planned = new ByteArrayOutputStream();
            Restorer.Summary plan = new Restorer(PgTools.locate(""), new PrintStream(planned, true, StandardCharsets.UTF_8),
                    io.pgscribe.testing.TestKeys.reader())
                    .run(options(p, db + "_plan").withTarget(RestoreTarget.lsn(lsn1, true)).withPlanOnly(true));
            String planText = planned.toString(StandardCharsets.UTF_8);
            assertThat(planText).contains("up to commit LSN " + lsn1).contains("Nothing was changed (--plan)")
                    .contains("base/").contains("segments");
            assertThat(plan.transactionsApplied()).isEqualTo(20 * 3 + 20 / 4); // the transactions of phase(5, 25)
            try (Connection admin = Pg.connect(cluster.connection("postgres"), "t")) {
                assertThat(Pg.string(admin, "SELECT count(*)::text FROM pg_database WHERE datname = 'pitr_plan'")).isEqualTo("0");
            }

            assertRestoredEquals(p, db + "_lsn", RestoreTarget.lsn(lsn1, true), at1);
            assertRestoredEquals(p, db + "_time", RestoreTarget.time(time2, true), at2);
            assertRestoredEquals(p, db + "_xid", RestoreTarget.xid(xid3, true), after3);
            assertRestoredEquals(p, db + "_xid_excl", RestoreTarget.xid(xid3, false), before3);
            assertRestoredEquals(p, db + "_latest", RestoreTarget.LATEST, Verifier.checksums(p.source()));
        }
    }

    private static Restorer.Options options(Pipeline p, String db) {
        return new Restorer.Options(p.backupDir, p.source(), p.cluster.connection("postgres"), db);
    }

    private static void assertRestoredEquals(Pipeline p, String db, RestoreTarget target, Map<String, TableChecksum> expected)
            throws Exception {
        Restorer.Summary s = new Restorer(PgTools.locate(""), p.out, io.pgscribe.testing.TestKeys.reader()).run(options(p, db).withTarget(target));
        assertThat(s.reachedTarget()).as(target.describe()).isTrue();
        Verifier.Report r = Verifier.compare(expected, Verifier.checksums(p.cluster.connection(db)));
        assertThat(r.differences()).as("restored to " + target.describe()).isEmpty();
    }
}
