package io.pgscribe.segment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgscribe.manifest.CaptureState;
import io.pgscribe.manifest.Manifest;
import io.pgscribe.manifest.ManifestStore;
import io.pgscribe.manifest.SegmentEntry;
import io.pgscribe.manifest.SpoolPosition;
import io.pgscribe.pg.Lsn;
import io.pgscribe.storage.DurableFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SegmentWriterTest {

    @TempDir
    Path tmp;

    static Manifest emptyManifest() {
        return new Manifest(Manifest.FORMAT, "test", new Manifest.Source("db", "1", "15", 150000, "UTF8"), "slot",
                "wal2json", List.of(), "now", null, null, null, null, null);
    }

    static TransactionHeader tx(int n) {
        return new TransactionHeader((long) n, Lsn.of(0x1000L * n), Lsn.of(0x1000L * n + 0x30),
                "2026-11-24 22:21:3" + n + "+00");
    }

    private SegmentWriter writer(ManifestStore store, long maxBytes, List<SegmentEntry> closed, Clock clock) {
        return new SegmentWriter(tmp.resolve("segments"), new SegmentWriter.Policy(maxBytes, Duration.ofMinutes(1)),
                clock, store, StandardCharsets.UTF_8, "-- header\n", closed::add);
    }

    @Test
    void anAbortedTransactionLeavesNoTraceAndTheSegmentClosesDurably() throws IOException {
        ManifestStore store = new ManifestStore(tmp);
        store.save(emptyManifest());
        List<SegmentEntry> closed = new ArrayList<>();
        SegmentWriter w = writer(store, 1 << 20, closed, Clock.systemUTC());
        w.begin(tx(1), 1);
        w.write("INSERT INTO t VALUES (1);\n");
        w.commit(tx(1));
        w.begin(tx(2), 1);
        w.write("INSERT INTO t VALUES ('" + "x".repeat(400_000) + "');\n"); // past the buffer: on disk already
        w.abort();
        w.begin(tx(3), 1);
        w.write("INSERT INTO t VALUES (3);\n");
        w.commit(tx(3));
        SegmentEntry e = w.close(new CaptureState("0/3000", "0/3000", new SpoolPosition("00000001-000001.jsonl", 42), List.of(), 1),
                new SpoolPosition("00000001-000001.jsonl", 42), 0, List.of());

        Path file = tmp.resolve(e.file());
        String text = Files.readString(file);
        assertThat(text).isEqualTo("-- header\n"
                + tx(1).beginLine() + "\nINSERT INTO t VALUES (1);\nCOMMIT;\n\n"
                + tx(3).beginLine() + "\nINSERT INTO t VALUES (3);\nCOMMIT;\n\n"
                + "-- end of segment: 2 transactions, commit LSN 0/1000 to 0/3000\n");
        assertThat(file.getFileName().toString()).isEqualTo("0000000000001000-20261124T222131Z.sql");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(e.sha256()).isEqualTo(DurableFiles.sha256(file));
        assertThat(e.transactions()).isEqualTo(2);
        assertThat(e.firstLsn()).isEqualTo("0/1000");
        assertThat(e.lastLsn()).isEqualTo("0/3000");
        assertThat(closed).containsExactly(e);
        Manifest m = ManifestStore.readUnverified(store.file());
        assertThat(m.segments()).containsExactly(e);
        assertThat(m.capture().lastCommitLsn()).isEqualTo("0/3000");
        try (var files = Files.list(tmp.resolve("segments"))) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly(file.getFileName().toString());
        }
    }

    @Test
    void closesOnlyBetweenTransactionsWhenBigOrOld() {
        ManifestStore store = new ManifestStore(tmp);
        store.save(emptyManifest());
        Instant[] now = {Instant.parse("2026-11-24T00:00:00Z")};
        Clock clock = new Clock() {
            public ZoneOffset getZone() {
                return ZoneOffset.UTC;
            }

            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            public Instant instant() {
                return now[0];
            }
        };
        SegmentWriter w = writer(store, 100, new ArrayList<>(), clock);
        w.begin(tx(1), 1);
        w.write("INSERT INTO t VALUES ('" + "y".repeat(200) + "');\n");
        assertThat(w.isDue()).isFalse(); // big, but inside a transaction
        w.commit(tx(1));
        assertThat(w.isDue()).isTrue();

        SegmentWriter young = new SegmentWriter(tmp.resolve("segments2"), new SegmentWriter.Policy(1 << 20,
                Duration.ofMinutes(1)), clock, store, StandardCharsets.UTF_8, "", e -> { });
        young.begin(tx(2), 1);
        young.commit(tx(2));
        assertThat(young.isDue()).isFalse();
        now[0] = now[0].plusSeconds(61);
        assertThat(young.isDue()).isTrue();
    }

    @Test
    void removeUnlistedDeletesPartialAndUnrecordedSegmentsAndNothingElse() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("segments"));
        String listed = "00000000015300B0-20261124T222131Z.sql";
        String unrecorded = "00000000015400B0-20261124T222231Z.sql";
        for (String name : List.of(listed, unrecorded, unrecorded + SegmentFormat.PARTIAL, "README", listed + ".gz")) {
            Files.writeString(dir.resolve(name), "x");
        }
        SegmentWriter.removeUnlisted(dir, Set.of(listed), false);
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder(listed, "README", listed + ".gz");
        }
        SegmentWriter.removeUnlisted(tmp.resolve("none"), Set.of(), false); // no directory yet: nothing to do
    }

    @Test
    void removeUnlistedKeepsEverythingAndRefusesWhenTheManifestCameFromItsCopy() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("segments"));
        String listed = "00000000015300B0-20261124T222131Z.sql";
        String newer = "00000000015400B0-20261124T222231Z.sql"; // listed by the lost manifest only
        for (String name : List.of(listed, newer, newer + SegmentFormat.PARTIAL)) {
            Files.writeString(dir.resolve(name), "x");
        }
        assertThatThrownBy(() -> SegmentWriter.removeUnlisted(dir, Set.of(listed), true))
                .isInstanceOf(io.pgscribe.PgscribeException.class)
                .hasMessageContaining(newer).hasMessageContaining("copy");
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder(listed, newer,
                    newer + SegmentFormat.PARTIAL);
        }
        Files.delete(dir.resolve(newer)); // moved aside by the operator: a .partial is still never a segment
        SegmentWriter.removeUnlisted(dir, Set.of(listed), true);
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly(listed);
        }
    }
}
