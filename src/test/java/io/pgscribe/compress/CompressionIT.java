package io.pgscribe.compress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgscribe.manifest.BaseEntry;
import io.pgscribe.manifest.Manifest;
import io.pgscribe.manifest.SegmentEntry;
import io.pgscribe.pg.Pg;
import io.pgscribe.pg.PgServer;
import io.pgscribe.pg.ReplicaIdentityAudit;
import io.pgscribe.storage.Compression;
import io.pgscribe.storage.DurableFiles;
import io.pgscribe.testing.PgClusterExtension;
import io.pgscribe.testing.Pipeline;
import io.pgscribe.verify.Verifier;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Closed segments and bases compressed by the compress route while the capture runs, and a
 * custom-format base: restores from them equal the source, damage is found before anything is
 * created.
 */
@ExtendWith(PgClusterExtension.class)
class CompressionIT {

    @TempDir
    Path tmp;

    private static void schema(Connection c) throws Exception {
        Pg.execute(c, "CREATE TABLE item (id bigserial PRIMARY KEY, name text NOT NULL, payload bytea, price numeric(12,2))");
        Pg.execute(c, "CREATE TABLE note (id bigserial PRIMARY KEY, item bigint REFERENCES item, body text)");
        Pg.execute(c, "INSERT INTO item (name, payload, price) SELECT 'item ' || g, decode(md5(g::text), 'hex'), g * 1.5 "
                + "FROM generate_series(1, 500) g");
        // a large object: in the base only (its changes are not in the WAL stream)
        Pg.execute(c, "SELECT lo_from_bytea(424242, convert_to('large object content', 'UTF8'))");
    }

    private static void workload(Connection c, int rounds) throws Exception {
        for (int i = 0; i < rounds; i++) {
            Pg.execute(c, "BEGIN; INSERT INTO item (name, payload, price) SELECT 'round " + i + " ' || g || ' ünï ''q''', "
                    + "decode(repeat('ab', g), 'hex'), g FROM generate_series(1, 40) g; "
                    + "UPDATE item SET price = price + 1 WHERE id % 17 = " + (i % 17) + "; "
                    + "INSERT INTO note (item, body) SELECT id, repeat('n', 200) FROM item WHERE id % 50 = " + (i % 50) + "; "
                    + "DELETE FROM note WHERE id % 13 = 0; COMMIT");
        }
    }

    private static String largeObject(PgServer cluster, String db) throws Exception {
        try (Connection c = Pg.connect(cluster.connection(db), "test")) {
            return Pg.query(c, "SELECT convert_from(lo_get(424242), 'UTF8')", rs -> rs.getString(1)).get(0);
        }
    }

    @Test
    void gzipSegmentsAndBaseRestoreEqualToTheSourceAndDamageIsFound(PgServer cluster) throws Exception {
        Map<String, String> gzip = Map.of("pgscribe.compression", "gzip", "pgscribe.compression.interval-ms", "200",
                "pgscribe.segment.max-bytes", "65536");
        try (Pipeline p = Pipeline.create(cluster, "gz", tmp.resolve("gz"), gzip)) {
            try (Connection c = p.connect()) {
                schema(c);
            }
            p.init(ReplicaIdentityAudit.Mode.REFUSE);
            p.start();
            try (Connection c = p.connect()) {
                workload(c, 60);
            }
            p.fenceAndWait();
            // every closed file compressed by the route, and the originals gone
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
                Manifest m = p.manifest();
                return m.segments().stream().allMatch(s -> s.compression() != null)
                        && m.bases().stream().allMatch(b -> b.compression() != null);
            });
            // before the stop: the stop's own last sequence sample closes one more segment, compressed at the next start
            Manifest m = p.manifest();
            p.stop();

            assertThat(m.segments()).hasSizeGreaterThanOrEqualTo(3);
            for (SegmentEntry s : m.segments()) {
                Path stored = p.backupDir.resolve(s.file());
                assertThat(s.file()).endsWith(".sql.gz");
                assertThat(s.compression()).isEqualTo("gzip");
                assertThat(Files.size(stored)).isEqualTo(s.bytes()).isLessThan(s.sqlBytes());
                assertThat(DurableFiles.sha256(stored)).isEqualTo(s.sha256());
                assertThat(Files.getPosixFilePermissions(stored)).isEqualTo(DurableFiles.OWNER_FILE);
                assertThat(p.backupDir.resolve(s.file().replaceFirst("\\.gz$", ""))).doesNotExist();
            }
            BaseEntry base = m.bases().get(0);
            assertThat(base.file()).endsWith(".sql.gz");
            try (Stream<Path> files = Files.list(p.backupDir.resolve("segments"))) {
                // each compressed once, no plain copy beside it (the stop's last segment waits for the next start)
                List<String> names = files.map(f -> "segments/" + f.getFileName()).toList();
                assertThat(names).containsAll(m.segments().stream().map(SegmentEntry::file).toList());
                assertThat(names).noneMatch(n -> names.contains(n + ".gz"));
            }
            // the segments stay plain SQL underneath: gunzip gives what psql -f reads
            try (var in = Compression.open(p.backupDir.resolve(m.segments().get(0).file()))) {
                assertThat(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8))
                        .startsWith("-- pgscribe segment of database \"gz\"").contains("\nBEGIN; -- {\"xid\":");
            }

            assertThat(p.cli("verify", "--backup").code()).isZero();
            Pipeline.Cli restored = p.cli("restore", "--to-db", "gz_restored");
            assertThat(restored.code()).as(restored.err()).isZero();
            Verifier.Report report = p.verify("gz_restored");
            assertThat(report.same()).as(report.toString()).isTrue();
            assertThat(largeObject(cluster, "gz_restored")).isEqualTo("large object content");

            // one flipped byte inside a compressed segment: found by verify --backup and refused by restore
            Path middle = p.backupDir.resolve(m.segments().get(1).file());
            Path saved = tmp.resolve("saved.gz");
            Files.copy(middle, saved);
            try (RandomAccessFile f = new RandomAccessFile(middle.toFile(), "rw")) {
                f.seek(f.length() / 2);
                int b = f.read();
                f.seek(f.length() / 2);
                f.write(b ^ 0x10);
            }
            Pipeline.Cli verify = p.cli("verify", "--backup");
            assertThat(verify.code()).isEqualTo(5);
            assertThat(verify.out()).contains("DAMAGED  " + m.segments().get(1).file());
            Pipeline.Cli refused = p.cli("restore", "--to-db", "gz_damaged");
            assertThat(refused.code()).isEqualTo(5);
            assertThat(refused.err()).contains(m.segments().get(1).file());
            try (Connection c = Pg.connect(cluster.connection("postgres"), "test")) {
                assertThat(Pg.query(c, "SELECT 1 FROM pg_database WHERE datname = 'gz_damaged'", rs -> 1)).isEmpty();
            }
            Files.copy(saved, middle, StandardCopyOption.REPLACE_EXISTING);
            assertThat(p.cli("verify", "--backup").code()).isZero();
        }
    }

    @Test
    void customFormatBaseWithZstdSegmentsRestoresWholeAndInPart(PgServer cluster) throws Exception {
        Map<String, String> custom = Map.of("pgscribe.base.format", "custom", "pgscribe.compression", "zstd",
                "pgscribe.compression.interval-ms", "200");
        try (Pipeline p = Pipeline.create(cluster, "cust", tmp.resolve("cust"), custom)) {
            try (Connection c = p.connect()) {
                schema(c);
            }
            p.init(ReplicaIdentityAudit.Mode.REFUSE);
            BaseEntry base = p.manifest().bases().get(0);
            assertThat(base.file()).endsWith(".dump");
            assertThat(base.format()).isEqualTo("custom");
            assertThat(base.metadataFile()).endsWith(".meta.json").doesNotContain(".dump");
            // pg_dump's archive signature
            byte[] head = new byte[5];
            try (var in = Files.newInputStream(p.backupDir.resolve(base.file()))) {
                assertThat(in.read(head)).isEqualTo(5);
            }
            assertThat(new String(head, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("PGDMP");

            p.start();
            try (Connection c = p.connect()) {
                workload(c, 30);
            }
            p.fenceAndWait();
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                    .until(() -> p.manifest().segments().stream().allMatch(s -> "zstd".equals(s.compression())));
            Manifest m = p.manifest(); // before the stop's last sequence sample
            p.stop();
            assertThat(m.segments()).allMatch(s -> s.file().endsWith(".sql.zst"));
            // the archive is compressed by pg_dump already: stored as it is
            assertThat(m.bases().get(0).file()).isEqualTo(base.file());
            assertThat(m.bases().get(0).compression()).isNull();

            Pipeline.Cli whole = p.cli("restore", "--to-db", "cust_restored");
            assertThat(whole.code()).as(whole.err()).isZero();
            Verifier.Report report = p.verify("cust_restored");
            assertThat(report.same()).as(report.toString()).isTrue();
            assertThat(largeObject(cluster, "cust_restored")).isEqualTo("large object content");

            Pipeline.Cli part = p.cli("restore", "--to-db", "cust_items", "--only-table", "public.item");
            assertThat(part.code()).as(part.err()).isZero();
            try (Connection src = p.connect(); Connection dst = Pg.connect(cluster.connection("cust_items"), "test")) {
                List<Long> expected = Pg.query(src, "SELECT count(*) FROM item", rs -> rs.getLong(1));
                assertThat(Pg.query(dst, "SELECT count(*) FROM item", rs -> rs.getLong(1))).isEqualTo(expected);
                assertThat(Pg.query(dst, "SELECT to_regclass('public.note') IS NULL", rs -> rs.getBoolean(1)))
                        .containsExactly(true);
            }
        }
    }
}
