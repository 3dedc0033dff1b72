package io.pgscribe.retention;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.pgscribe.ExitCode;
import io.pgscribe.PgscribeException;
import io.pgscribe.manifest.BaseEntry;
import io.pgscribe.manifest.Manifest;
import io.pgscribe.manifest.ManifestStore;
import io.pgscribe.manifest.SegmentEntry;
import io.pgscribe.pg.Lsn;
import io.pgscribe.pg.Pg;
import io.pgscribe.pg.PgServer;
import io.pgscribe.pg.PgTools;
import io.pgscribe.pg.ReplicaIdentityAudit;
import io.pgscribe.restore.RestoreTarget;
import io.pgscribe.restore.Restorer;
import io.pgscribe.testing.PgClusterExtension;
import io.pgscribe.testing.Pipeline;
import io.pgscribe.verify.Verifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Retention on a real backup set, with the clock moved forward: what goes is what the policy names, restores still work. */
@ExtendWith(PgClusterExtension.class)
class RetentionIT {

    @TempDir
    Path tmp;

    @Test
    void aWeekAndAMonthLaterTheKeptFilesAreExactlyThePolicysAndStillRestore(PgServer cluster) throws Exception {
        try (Pipeline p = Pipeline.create(cluster, "kept", tmp.resolve("backup"), Map.of("pgscribe.base.cron", "0/2 * * * * ?"))) {
            try (Connection c = p.connect()) {
                Pg.execute(c, "CREATE TABLE item (id serial PRIMARY KEY, v int NOT NULL)");
            }
            p.init(ReplicaIdentityAudit.Mode.REFUSE);
            p.start();
            try (Connection c = p.connect()) {
                // a change before each base, so that every base holds something the one before did not
                for (int round = 0; p.manifest().bases().size() < 5; round++) {
                    int bases = p.manifest().bases().size();
                    Pg.execute(c, "INSERT INTO item (v) SELECT " + round + " FROM generate_series(1, 50)");
                    Pg.execute(c, "UPDATE item SET v = v + 1 WHERE id % 7 = " + (round % 7));
                    await().atMost(Duration.ofSeconds(30)).until(() -> p.manifest().bases().size() > bases);
                }
            }
            p.fenceAndWait();
            p.stop();
            ManifestStore store = p.store();
            Manifest before = store.load();
            BaseEntry oldest = before.bases().get(0);
            BaseEntry newest = before.bases().get(before.bases().size() - 1);
            Instant now = Instant.now();

            Pipeline.Cli dry = p.cli("prune", "--dry-run");
            assertThat(dry.code()).isZero();
            assertThat(dry.out()).contains("Would remove 0 file(s)").contains("Nothing was changed (--dry-run).");

            // eight days later: point-in-time restores start at the newest base, every base is still kept
            Pruner.Result week = new Pruner(store, RetentionPolicy.DEFAULT, Clock.fixed(now.plus(Duration.ofDays(8)), ZoneOffset.UTC))
                    .prune(false, p.out);
            Manifest afterWeek = store.load();
            assertThat(week.plan().windowBase().file()).isEqualTo(newest.file());
            assertThat(afterWeek.bases()).containsExactlyElementsOf(before.bases());
            List<SegmentEntry> gone = before.segments().stream()
                    .filter(s -> s != before.lastSegment() && Lsn.valueOf(s.lastLsn()).isBefore(Lsn.valueOf(newest.consistentPoint())))
                    .toList();
            assertThat(gone).isNotEmpty();
            assertThat(afterWeek.segments()).hasSize(before.segments().size() - gone.size());
            assertThat(gone).allMatch(s -> !Files.exists(p.backupDir.resolve(s.file())));
            assertThat(afterWeek.retention().pendingDeletes()).isEmpty();
            assertThat(afterWeek.retention().pointInTimeFrom()).isEqualTo(newest.consistentPoint());
            assertThat(p.cli("verify", "--backup").code()).isZero();

            restoreLatestEqualsSource(p, cluster, "kept_week");
            restoreToBaseEqualsItsSnapshot(p, cluster, oldest, "kept_week_oldest");
            // between the oldest base and the newest the segments are gone: refused, with the way out
            BaseEntry second = before.bases().get(1);
            assertThatThrownBy(() -> new Restorer(PgTools.locate(""), p.out, io.pgscribe.testing.TestKeys.reader()).run(new Restorer.Options(p.backupDir, p.source(),
                    cluster.connection("postgres"), "kept_between")
                    .withTarget(RestoreTarget.lsn(Lsn.of(Lsn.valueOf(second.consistentPoint()).asLong() + 1), true))))
                    .isInstanceOf(PgscribeException.class)
                    .hasMessageContaining("pruned the segments in between")
                    .satisfies(e -> assertThat(((PgscribeException) e).exitCode()).isEqualTo(ExitCode.REFUSED))
                    .satisfies(e -> assertThat(((PgscribeException) e).hint()).contains("--to-lsn " + second.consistentPoint()));

            // forty days later: past 30 days only the first base of each month stays, and the window base
            Pruner.Result month = new Pruner(store, RetentionPolicy.DEFAULT,
                    Clock.fixed(now.plus(Duration.ofDays(40)), ZoneOffset.UTC)).prune(false, p.out);
            Map<YearMonth, String> firstOfMonth = new LinkedHashMap<>();
            for (BaseEntry b : before.bases()) {
                firstOfMonth.putIfAbsent(YearMonth.from(Instant.parse(b.takenAt()).atZone(ZoneOffset.UTC)), b.file());
            }
            Set<String> expected = new java.util.TreeSet<>(firstOfMonth.values());
            expected.add(newest.file());
            Manifest afterMonth = store.load();
            Set<String> keptBases = new java.util.TreeSet<>(afterMonth.bases().stream().map(BaseEntry::file).toList());
            assertThat(keptBases).isEqualTo(expected);
            assertThat(month.plan().removals()).isNotEmpty();
            for (BaseEntry b : before.bases()) {
                boolean kept = expected.contains(b.file());
                assertThat(Files.exists(p.backupDir.resolve(b.file()))).as(b.file()).isEqualTo(kept);
                assertThat(Files.exists(p.backupDir.resolve(b.metadataFile()))).as(b.metadataFile()).isEqualTo(kept);
            }
            assertThat(afterMonth.globals()).isNotEmpty().allMatch(g -> Files.exists(p.backupDir.resolve(g.file())));
            assertThat(p.cli("verify", "--backup").code()).isZero();
            assertThat(p.printed()).contains("removed  " + before.bases().get(1).file());

            restoreToBaseEqualsItsSnapshot(p, cluster, oldest, "kept_month_oldest");
            restoreLatestEqualsSource(p, cluster, "kept_month");
        }
    }

    private static void restoreLatestEqualsSource(Pipeline p, PgServer cluster, String db) throws Exception {
        p.restore(db);
        assertThat(p.verify(db).differences()).isEmpty();
    }

    private static void restoreToBaseEqualsItsSnapshot(Pipeline p, PgServer cluster, BaseEntry base, String db) throws Exception {
        Restorer.Summary s = new Restorer(PgTools.locate(""), p.out, io.pgscribe.testing.TestKeys.reader()).run(new Restorer.Options(p.backupDir, p.source(),
                cluster.connection("postgres"), db).withTarget(RestoreTarget.lsn(Lsn.valueOf(base.consistentPoint()), true)));
        assertThat(s.base()).isEqualTo(base.file());
        assertThat(s.transactionsApplied()).isZero();
        assertThat(Verifier.compare(Verifier.load(p.backupDir.resolve(base.checksumsFile())),
                Verifier.checksums(cluster.connection(db))).differences()).isEmpty();
    }
}
