package io.pgscribe.capture;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgscribe.decode.DecoderPlugin;
import io.pgscribe.manifest.BaseEntry;
import io.pgscribe.manifest.CaptureState;
import io.pgscribe.manifest.Manifest;
import io.pgscribe.manifest.ManifestStore;
import io.pgscribe.manifest.SegmentEntry;
import io.pgscribe.pg.ConnectionSpec;
import io.pgscribe.pg.Pg;
import io.pgscribe.pg.PgServer;
import io.pgscribe.pg.PgTools;
import io.pgscribe.restore.Restorer;
import io.pgscribe.segment.SegmentWriter;
import io.pgscribe.spool.SpoolDirectory;
import io.pgscribe.spool.SpoolFile;
import io.pgscribe.spool.SpoolFollower;
import io.pgscribe.storage.DurableFiles;
import io.pgscribe.testing.PgClusterExtension;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.copy.CopyManager;
import org.postgresql.core.BaseConnection;

/**
 * Real decoder_raw output (../shared/fixtures/decoder_raw) through the decoder_raw capture
 * path: spool, split at real COMMITs only, segments, restore (which repairs decoder_raw's
 * statements to the tables' shapes); then the tables are compared with the source's final rows.
 */
@ExtendWith(PgClusterExtension.class)
class DecoderRawFixtureIT {

    static final Path FIXTURE = Path.of("src/test/resources/fixtures/decoder_raw");

    @TempDir
    Path tmp;

    @Test
    void fixtureReplaysToItsExpectedRows(PgServer cluster) throws Exception {
        ConnectionSpec restored = replay(cluster, FIXTURE, "shop", 33, 2);
        try (Connection r = Pg.connect(restored, "t")) {
            Map<String, String> tables = Map.of(
                    "public.customers", "SELECT * FROM public.customers ORDER BY id",
                    "public.orders", "SELECT * FROM public.orders ORDER BY id",
                    "public.order_lines", "SELECT * FROM public.order_lines ORDER BY order_id, line_no",
                    "Mixed Case.Odd Table", "SELECT * FROM \"Mixed Case\".\"Odd Table\" ORDER BY \"Id\"",
                    // a FULL identity DELETE of a row with a NULL: decoder_raw writes "msg = null", repaired to IS NULL
                    "public.audit_log", "SELECT * FROM public.audit_log ORDER BY ts, msg, payload");
            for (Map.Entry<String, String> t : tables.entrySet()) {
                assertThat(copy(r, t.getValue())).as(t.getKey())
                        .isEqualTo(Files.readString(FIXTURE.resolve("expected/" + t.getKey() + ".copy")));
            }
        }
    }

    /**
     * Stored generated columns, a GENERATED ALWAYS identity key and a FULL identity table whose
     * rows hold NULLs: decoder_raw writes every column and "col = null", which the restored
     * tables refuse or match nothing with as written.
     */
    @Test
    void generatedColumnsAlwaysIdentityAndNullsInAFullIdentityReplayToTheirExpectedRows(PgServer cluster) throws Exception {
        Path fixture = Path.of("src/test/resources/fixtures/decoder_raw_generated");
        ConnectionSpec restored = replay(cluster, fixture, "shop_gen", 11, 1);
        try (Connection r = Pg.connect(restored, "t")) {
            Map<String, String> tables = Map.of(
                    "public.items", "SELECT * FROM public.items ORDER BY id",
                    "public.tagged", "SELECT * FROM public.tagged ORDER BY id",
                    "public.events", "SELECT * FROM public.events ORDER BY kind, detail, amount");
            for (Map.Entry<String, String> t : tables.entrySet()) {
                assertThat(copy(r, t.getValue())).as(t.getKey())
                        .isEqualTo(Files.readString(fixture.resolve("expected/" + t.getKey() + ".copy")));
            }
            // the identity's sequence is the source's too: the next row gets the key after the restored ones
            assertThat(Pg.string(r, "INSERT INTO public.tagged (name) VALUES ('next') RETURNING id::text")).isEqualTo("3");
        }
    }

    /**
     * A backup set as init would leave it with decoder_raw (a base of the fixture's schema, an
     * empty capture), the fixture's output as pg_recvlogical would have written it into the
     * spool, captured into 64 kB segments and restored into {@code database}_restored.
     */
    private ConnectionSpec replay(PgServer cluster, Path fixture, String database, int transactions, int minSegments)
            throws Exception {
        try (Connection c = Pg.connect(cluster.connection("postgres"), "t")) {
            Pg.execute(c, "CREATE DATABASE " + database);
        }
        ConnectionSpec shop = cluster.connection(database);
        try (Connection c = Pg.connect(shop, "t")) {
            Pg.execute(c, Files.readString(fixture.resolve("schema.sql")));
        }
        Path backup = tmp.resolve(database);
        Files.createDirectories(backup.resolve("base"));
        Path base = backup.resolve("base/0000000000000000-20240101T000000Z.sql");
        PgTools.Result dump = PgTools.run(List.of(PgTools.locate("").path("pg_dump"), "--file=" + base,
                "--dbname=" + shop.conninfo("t")), shop.toolEnvironment(), Duration.ofMinutes(2));
        assertThat(dump.ok()).as(dump.stderr()).isTrue();
        ManifestStore store = new ManifestStore(backup, io.pgscribe.manifest.SetTrust.writer(io.pgscribe.testing.TestKeys.key()));
        store.save(new Manifest(Manifest.FORMAT, "test", new Manifest.Source(database, "1", "15", 150000, "UTF8"),
                "fx", "decoder_raw", DecoderPlugin.DECODER_RAW.options(), "2024-01-01T00:00:00Z",
                List.of(new BaseEntry("base/" + base.getFileName(), "plain", "0/0", "none", "2024-01-01T00:00:00Z",
                        Files.size(base), DurableFiles.sha256(base), null, null)), null, null, CaptureState.initial(List.of()), null));
        SpoolDirectory spool = new SpoolDirectory(backup.resolve("spool"), "sql");
        SpoolFile f = spool.advance(true);
        Files.copy(fixture.resolve("decoder_raw.sql"), spool.resolve(f), java.nio.file.StandardCopyOption.REPLACE_EXISTING);

        CaptureSink sink = new CaptureSink(DecoderPlugin.DECODER_RAW, store, spool,
                new SegmentWriter.Policy(64 * 1024, Duration.ofHours(1)), Clock.systemUTC());
        try (SpoolFollower follower = new SpoolFollower(spool, sink.resumePosition(), StandardCharsets.UTF_8)) {
            List<SpoolFollower.Item> batch = new ArrayList<>();
            SpoolFollower.Item item;
            while ((item = follower.poll()) != null) {
                batch.add(item);
            }
            sink.accept(batch);
        }
        sink.shutdown();
        Manifest m = ManifestStore.readUnverified(store.file());
        assertThat(m.segments().stream().mapToLong(SegmentEntry::transactions).sum()).isEqualTo(transactions);
        assertThat(m.segments()).hasSizeGreaterThanOrEqualTo(minSegments); // 64 kB segments: cut only at COMMIT
        for (SegmentEntry s : m.segments()) {
            assertThat(s.firstLsn()).isNull(); // decoder_raw carries no LSN
        }
        new Restorer(PgTools.locate(""), System.out, io.pgscribe.testing.TestKeys.reader()).run(new Restorer.Options(backup, shop,
                cluster.connection("postgres"), database + "_restored"));
        return cluster.connection(database + "_restored");
    }

    static String copy(Connection c, String query) throws Exception {
        StringWriter w = new StringWriter();
        new CopyManager(c.unwrap(BaseConnection.class)).copyOut("COPY (" + query + ") TO STDOUT", w);
        return w.toString();
    }
}
