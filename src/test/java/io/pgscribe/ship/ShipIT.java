package io.pgscribe.ship;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgscribe.manifest.Manifest;
import io.pgscribe.manifest.SegmentEntry;
import io.pgscribe.pg.LocalCluster;
import io.pgscribe.pg.Pg;
import io.pgscribe.pg.PgServer;
import io.pgscribe.pg.ReplicaIdentityAudit;
import io.pgscribe.retention.Pruner;
import io.pgscribe.retention.RetentionPolicy;
import io.pgscribe.testing.PgClusterExtension;
import io.pgscribe.testing.Pipeline;
import io.pgscribe.testing.S3TestServer;
import io.pgscribe.verify.Verifier;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Shipping to a real S3-compatible server in this JVM; restores from the store alone. */
@ExtendWith(PgClusterExtension.class)
class ShipIT {

    @TempDir
    Path tmp;

    private static Map<String, String> settings(S3TestServer s3, String bucket) {
        Map<String, String> m = new HashMap<>(s3.shipping(bucket));
        m.put("pgscribe.compression", "gzip");
        m.put("pgscribe.compression.interval-ms", "200");
        m.put("pgscribe.ship.interval-ms", "300");
        m.put("pgscribe.ship.retry-max-delay", "1");
        m.put("pgscribe.ship.part-size", "5242880");
        m.put("pgscribe.segment.max-bytes", "65536");
        return m;
    }

    private static void workload(Connection c, int rounds, String tag) throws Exception {
        for (int i = 0; i < rounds; i++) {
            Pg.execute(c, "BEGIN; INSERT INTO event (kind, body) SELECT '" + tag + "', repeat(md5(g::text), 8) "
                    + "FROM generate_series(1, 30) g; UPDATE event SET kind = kind || '+' WHERE id % 11 = " + (i % 11)
                    + "; DELETE FROM event WHERE id % 29 = 0; COMMIT");
        }
    }

    /** Every file the manifest lists is shipped, and the store's manifest is the current one. */
    private static boolean allShipped(Pipeline p, S3TestServer s3, String bucket) {
        Manifest m = p.manifest();
        Manifest.Shipping sh = m.shippingState();
        boolean files = m.segments().stream().allMatch(s -> s.compression() != null && sh.isShipped(s.file()))
                && m.bases().stream().allMatch(b -> sh.isShipped(b.file()) && sh.isShipped(b.metadataFile()))
                && m.globals().stream().allMatch(g -> sh.isShipped(g.file()));
        if (!files || !sh.remotePendingDeletes().isEmpty()) {
            return false;
        }
        Map<String, Long> objects = s3.objects(bucket, p.database + "/");
        return objects.containsKey(p.database + "/manifest.json")
                && m.segments().stream().allMatch(s -> objects.containsKey(p.database + "/" + s.file()));
    }

    @Test
    void shippedDuringCaptureRestoresFromTheStoreAlone(PgServer cluster) throws Exception {
        try (S3TestServer s3 = new S3TestServer(tmp.resolve("s3"));
             Pipeline p = Pipeline.create(cluster, "shipped", tmp.resolve("backup"), settings(s3, "backups"))) {
            s3.createBucket("backups");
            try (Connection c = p.connect()) {
                Pg.execute(c, "CREATE TABLE event (id bigserial PRIMARY KEY, kind text, body text)");
                // 12 MB that gzip cannot shrink: the base goes up in parts
                Pg.execute(c, "CREATE TABLE blob (id int PRIMARY KEY, data bytea)");
                Pg.execute(c, "INSERT INTO blob SELECT g, decode(string_agg(md5(random()::text || g || h), ''), 'hex') "
                        + "FROM generate_series(1, 24) g, generate_series(1, 32768) h GROUP BY g");
            }
            p.init(ReplicaIdentityAudit.Mode.REFUSE);
            p.start();
            try (Connection c = p.connect()) {
                workload(c, 40, "a");
            }
            p.fenceAndWait();
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> allShipped(p, s3, "backups"));
            p.stop();

            Manifest m = p.manifest();
            assertThat(m.bases().get(0).bytes()).as("the base is over the part size").isGreaterThan(5L * 1024 * 1024);
            Map<String, Long> objects = s3.objects("backups", "shipped/");
            assertThat(objects.get("shipped/" + m.bases().get(0).file())).isEqualTo(m.bases().get(0).bytes());
            SegmentEntry first = m.segments().get(0);
            var head = s3.client().headObject(h -> h.bucket("backups").key("shipped/" + first.file()));
            assertThat(head.metadata()).containsEntry(S3Store.META_SHA256, first.sha256());
            assertThat(head.contentLength()).isEqualTo(first.bytes());

            // the local backup set is gone: the store alone restores
            LocalCluster.deleteTree(p.backupDir);
            Pipeline.Cli verify = p.cli("verify", "--backup", "--from-s3", "--staging-dir", tmp.resolve("staging").toString());
            assertThat(verify.code()).as(verify.out() + verify.err()).isZero();
            assertThat(verify.out()).contains("every one matches the manifest");
            Pipeline.Cli restore = p.cli("restore", "--to-db", "shipped_restored", "--from-s3", "s3://backups/shipped",
                    "--staging-dir", tmp.resolve("staging").toString());
            assertThat(restore.code()).as(restore.out() + restore.err()).isZero();
            assertThat(restore.out()).contains("Downloading").contains("from bucket backups (prefix shipped/) at " + s3.endpoint());
            Verifier.Report report = p.verify("shipped_restored");
            assertThat(report.same()).as(report.toString()).isTrue();
            try (var staged = java.nio.file.Files.list(tmp.resolve("staging"))) {
                assertThat(staged).as("staging removed after the restore").isEmpty();
            }

            // write access to the bucket is not write access to the restore server: a segment replaced there, the
            // store's manifest resealed to match, is refused by its signature before any file it lists is fetched
            Path storeManifest = tmp.resolve("store-copy").resolve("manifest.json");
            java.nio.file.Files.createDirectories(storeManifest.getParent());
            java.nio.file.Files.write(storeManifest, s3.client().getObjectAsBytes(g -> g.bucket("backups")
                    .key("shipped/manifest.json")).asByteArray());
            byte[] forgedSql = "BEGIN;\nDROP TABLE event;\nCOMMIT;\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);
            s3.client().putObject(r -> r.bucket("backups").key("shipped/" + first.file()),
                    software.amazon.awssdk.core.sync.RequestBody.fromBytes(forgedSql));
            byte[] forged = io.pgscribe.testing.BackupSets.resealedKeepingSignature(storeManifest, x -> x.mapSegments(l -> l.stream()
                    .map(s -> !s.file().equals(first.file()) ? s : new SegmentEntry(s.file(), s.ordinal(), s.firstLsn(),
                            s.lastLsn(), s.firstCommitTime(), s.lastCommitTime(), s.transactions(), forgedSql.length,
                            io.pgscribe.storage.DurableFiles.sha256(forgedSql), s.spoolEnd(), null, null, null,
                            s.ddlNotReplayed(), s.ddlRoles())).toList()));
            s3.client().putObject(r -> r.bucket("backups").key("shipped/manifest.json"),
                    software.amazon.awssdk.core.sync.RequestBody.fromBytes(forged));
            Pipeline.Cli tampered = p.cli("restore", "--to-db", "shipped_tampered", "--from-s3", "--staging-dir",
                    tmp.resolve("staging").toString());
            assertThat(tampered.code()).as(tampered.out() + tampered.err()).isEqualTo(io.pgscribe.ExitCode.DAMAGED);
            assertThat(tampered.err()).contains("manifest.json fails its signature by key " + io.pgscribe.testing.TestKeys.key().id());
            assertThat(tampered.out()).doesNotContain("Downloading");
            Pipeline.Cli tamperedVerify = p.cli("verify", "--backup", "--from-s3", "--staging-dir", tmp.resolve("staging").toString());
            assertThat(tamperedVerify.code()).isEqualTo(io.pgscribe.ExitCode.DAMAGED);
            assertThat(tamperedVerify.out()).contains("manifest.json fails its signature by key");
        }
    }

    @Test
    void aPrefixHoldingAnotherBackupSetIsNeverShippedOver(PgServer cluster) throws Exception {
        try (S3TestServer s3 = new S3TestServer(tmp.resolve("s3"))) {
            s3.createBucket("shared");
            Map<String, String> extra = settings(s3, "shared");
            extra.put("pgscribe.s3.prefix", "one-prefix"); // the mistake: two sets, one prefix
            try (Pipeline first = Pipeline.create(cluster, "ship_first", tmp.resolve("first"), extra);
                 Pipeline second = Pipeline.create(cluster, "ship_second", tmp.resolve("second"), extra)) {
                first.init(ReplicaIdentityAudit.Mode.REFUSE);
                second.init(ReplicaIdentityAudit.Mode.REFUSE);
                first.start();
                first.fenceAndWait();
                await().atMost(Duration.ofSeconds(60)).until(() -> s3.objects("shared", "one-prefix/")
                        .containsKey("one-prefix/manifest.json"));
                first.stop();
                byte[] firstManifest = s3.client().getObjectAsBytes(g -> g.bucket("shared").key("one-prefix/manifest.json"))
                        .asByteArray();

                second.start();
                await().atMost(Duration.ofSeconds(30)).until(() -> second.runtimeLog().contains("ALERT ship-failing"));
                assertThat(second.runtime().shipper().state().lastFailure()).contains("holds another backup set")
                        .contains("of database ship_first").contains("this one is of database ship_second");
                second.stop();
                assertThat(s3.client().getObjectAsBytes(g -> g.bucket("shared").key("one-prefix/manifest.json")).asByteArray())
                        .as("the first set's manifest in the store is untouched").isEqualTo(firstManifest);
                assertThat(second.manifest().shippingState().shipped()).isEmpty();
            }
        }
    }

    @Test
    void aStoreThatIsDownKeepsUnshippedFilesAndAlertsThenCatchesUp(PgServer cluster) throws Exception {
        Map<String, String> extra;
        try (S3TestServer s3 = new S3TestServer(tmp.resolve("s3"))) {
            extra = settings(s3, "outage");
            extra.put("pgscribe.ship.alert-after", "2");
            s3.createBucket("outage");
            try (Pipeline p = Pipeline.create(cluster, "outage", tmp.resolve("backup"), extra)) {
                try (Connection c = p.connect()) {
                    Pg.execute(c, "CREATE TABLE event (id bigserial PRIMARY KEY, kind text, body text)");
                }
                p.init(ReplicaIdentityAudit.Mode.REFUSE);
                p.start();
                try (Connection c = p.connect()) {
                    workload(c, 10, "before");
                }
                p.fenceAndWait();
                await().atMost(Duration.ofSeconds(60)).until(() -> allShipped(p, s3, "outage"));
                p.stop();

                // the store goes away; the capture goes on, and a new base is taken during the outage
                s3.stop();
                ZonedDateTime at = ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(6);
                Map<String, String> withBase = new HashMap<>(extra);
                withBase.put("pgscribe.base.cron", String.format("%d %d %d %d %d ? %d", at.getSecond(), at.getMinute(),
                        at.getHour(), at.getDayOfMonth(), at.getMonthValue(), at.getYear()));
                try (Pipeline during = new Pipeline(cluster, "outage", p.backupDir, withBase)) {
                    during.start();
                    try (Connection c = during.connect()) {
                        workload(c, 20, "during");
                    }
                    during.fenceAndWait();
                    await().atMost(Duration.ofSeconds(30)).until(() -> during.manifest().bases().size() == 2);
                    try (Connection c = during.connect()) {
                        workload(c, 5, "after-base");
                    }
                    during.fenceAndWait();
                    await().atMost(Duration.ofSeconds(30)).until(() -> during.runtimeLog().contains("ALERT ship-failing"));
                    assertThat(during.runtimeLog()).contains("cannot reach bucket outage (prefix outage/) at " + s3.endpoint());

                    // a week later by the clock: the policy would drop the segments before the new base, but they are not shipped
                    await().atMost(Duration.ofSeconds(30)).until(() -> during.manifest().segments().stream()
                            .allMatch(s -> s.compression() != null));
                    Manifest before = during.manifest();
                    Set<String> unshipped = before.segments().stream().map(SegmentEntry::file)
                            .filter(f -> !before.shippingState().isShipped(f)).collect(Collectors.toSet());
                    assertThat(unshipped).isNotEmpty();
                    Clock nextWeek = Clock.offset(Clock.systemUTC(), Duration.ofDays(8));
                    ByteArrayOutputStream dry = new ByteArrayOutputStream();
                    new Pruner(p.store(), RetentionPolicy.DEFAULT, nextWeek, true)
                            .prune(true, new PrintStream(dry, true, StandardCharsets.UTF_8));
                    assertThat(dry.toString(StandardCharsets.UTF_8)).contains("would remove from the store  segments/")
                            .contains("not shipped yet").contains("Nothing was changed (--dry-run).");
                    assertThat(during.manifest().segments()).isEqualTo(before.segments());
                    ByteArrayOutputStream printed = new ByteArrayOutputStream();
                    new Pruner(p.store(), RetentionPolicy.DEFAULT, nextWeek, true)
                            .prune(false, new PrintStream(printed, true, StandardCharsets.UTF_8));
                    Manifest pruned = during.manifest();
                    for (String f : unshipped) {
                        assertThat(p.backupDir.resolve(f)).as(f + " is not shipped: kept").exists();
                        assertThat(pruned.segments().stream().map(SegmentEntry::file)).contains(f);
                    }
                    String text = printed.toString(StandardCharsets.UTF_8);
                    assertThat(text).contains("not shipped yet");
                    // shipped segments before the new base did go, locally, and wait for the store
                    assertThat(pruned.shippingState().remotePendingDeletes()).isNotEmpty();
                    java.util.List<String> goneRemotely = pruned.shippingState().remotePendingDeletes();

                    // the store comes back: everything ships, the alert is resolved, the pruned objects go from the store
                    s3.start();
                    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                            .until(() -> allShipped(during, s3, "outage"));
                    await().atMost(Duration.ofSeconds(10)).until(() -> during.runtimeLog().contains("RESOLVED ship-failing"));
                    Map<String, Long> objects = s3.objects("outage", "outage/");
                    for (String f : goneRemotely) {
                        assertThat(objects).doesNotContainKey("outage/" + f);
                    }
                    // now that they are shipped, the segments before the new base can go
                    new Pruner(p.store(), RetentionPolicy.DEFAULT, nextWeek, true)
                            .prune(false, null);
                    for (String f : unshipped) {
                        if (during.manifest().segments().stream().noneMatch(s -> s.file().equals(f))) {
                            assertThat(p.backupDir.resolve(f)).doesNotExist();
                        }
                    }
                    assertThat(during.manifest().segments().size()).isLessThan(pruned.segments().size());
                    // the log is the JVM's: count this store's alerts only
                    assertThat(during.runtimeLog().split("ALERT ship-failing \\(CRITICAL\\): Shipping to bucket outage ", -1))
                            .as("raised once").hasSize(2);
                }
            }
        }
    }
}
