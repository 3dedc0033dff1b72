package io.pgscribe.compress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgscribe.PgscribeException;
import io.pgscribe.manifest.BaseEntry;
import io.pgscribe.manifest.CaptureState;
import io.pgscribe.manifest.Manifest;
import io.pgscribe.manifest.ManifestStore;
import io.pgscribe.manifest.SegmentEntry;
import io.pgscribe.storage.Compression;
import io.pgscribe.storage.DurableFiles;
import io.pgscribe.storage.StoredFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class CompressorTest {

    @TempDir
    Path dir;

    private static final String SEGMENT = "segments/0000000001000000-20261201T000000Z.sql";
    private static final String CUSTOM_BASE = "base/0000000000F00000-20261130T000000Z.dump";
    private static final String PLAIN_BASE = "base/0000000000F00000-20261130T000000Z.sql";

    /** A backup set with one plain base, one custom-format base and one segment, all as written. */
    private ManifestStore backupSet(String segmentText) throws IOException {
        Files.createDirectories(dir.resolve("segments"));
        Files.createDirectories(dir.resolve("base"));
        Files.writeString(dir.resolve(SEGMENT), segmentText);
        Files.writeString(dir.resolve(PLAIN_BASE), "-- a plain base\nCREATE TABLE t (id int);\n");
        Files.write(dir.resolve(CUSTOM_BASE), new byte[] {'P', 'G', 'D', 'M', 'P', 1, 2, 3});
        ManifestStore store = new ManifestStore(dir);
        store.save(new Manifest(Manifest.FORMAT, "test", new Manifest.Source("shop", "1", "15", 150000, "UTF8"), "pgscribe",
                "wal2json", List.of(), "2026-12-01T00:00:00Z",
                List.of(base(PLAIN_BASE, "plain"), base(CUSTOM_BASE, "custom")), null,
                List.of(new SegmentEntry(SEGMENT, 1, "0/1000000", "0/1000100", "t0", "t1", 2, Files.size(dir.resolve(SEGMENT)),
                        DurableFiles.sha256(dir.resolve(SEGMENT)), null)),
                CaptureState.initial(List.of()), null));
        return store;
    }

    private BaseEntry base(String file, String format) throws IOException {
        Path p = dir.resolve(file);
        return new BaseEntry(file, format, "0/F00000", "snap", "2026-11-30T00:00:00Z", Files.size(p), DurableFiles.sha256(p),
                null, null);
    }

    private static String sql(int statements) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < statements; i++) {
            b.append("INSERT INTO \"public\".\"t\" (\"id\", \"note\") VALUES (").append(i).append(", 'ünïcode ").append(i)
                    .append("');\n");
        }
        return b.toString();
    }

    @ParameterizedTest
    @EnumSource(value = Compression.class, names = {"GZIP", "ZSTD"})
    void compressesClosedFilesAndPointsTheManifestAtThem(Compression method) throws IOException {
        String text = sql(5000);
        ManifestStore store = backupSet(text);
        String sqlSha = DurableFiles.sha256(dir.resolve(SEGMENT));

        assertThat(new Compressor(store, method, 0).compressClosed()).isEqualTo(2);

        Manifest m = ManifestStore.readUnverified(store.file());
        SegmentEntry s = m.segments().get(0);
        assertThat(s.file()).isEqualTo(SEGMENT + method.suffix());
        assertThat(s.compression()).isEqualTo(method.settingName());
        assertThat(s.sqlSha256()).isEqualTo(sqlSha);
        assertThat(s.sqlBytes()).isEqualTo(text.getBytes(StandardCharsets.UTF_8).length);
        Path stored = dir.resolve(s.file());
        assertThat(s.sha256()).isEqualTo(DurableFiles.sha256(stored));
        assertThat(s.bytes()).isEqualTo(Files.size(stored)).isLessThan(s.sqlBytes() / 4);
        assertThat(Files.getPosixFilePermissions(stored)).isEqualTo(DurableFiles.OWNER_FILE);
        assertThat(dir.resolve(SEGMENT)).doesNotExist();
        try (InputStream in = Compression.open(stored)) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo(text);
        }
        // the plain base is compressed; the custom-format one (pg_dump compressed it already) is left as it is
        assertThat(m.bases().get(0).file()).isEqualTo(PLAIN_BASE + method.suffix());
        assertThat(m.bases().get(1).file()).isEqualTo(CUSTOM_BASE);
        assertThat(m.bases().get(1).compression()).isNull();
        assertThat(dir.resolve(CUSTOM_BASE)).exists();
        // a reader that still holds the old name finds the compressed file
        assertThat(StoredFiles.locate(dir, SEGMENT)).isEqualTo(stored);
        // nothing left to do on the next run
        assertThat(new Compressor(store, method, 0).compressClosed()).isZero();
        try (var files = Files.list(dir.resolve("segments"))) {
            assertThat(files.map(f -> f.getFileName().toString())).containsExactly(stored.getFileName().toString());
        }
    }

    @ParameterizedTest
    @EnumSource(value = Compression.class, names = {"GZIP", "ZSTD"})
    void aDamagedCompressedFileIsDetectedByItsDigest(Compression method) throws IOException {
        ManifestStore store = backupSet(sql(2000));
        new Compressor(store, method, 0).compressClosed();
        SegmentEntry s = ManifestStore.readUnverified(store.file()).segments().get(0);
        Path stored = dir.resolve(s.file());
        byte[] bytes = Files.readAllBytes(stored);
        bytes[bytes.length / 2] ^= 0x40;
        Files.write(stored, bytes);
        StoredFiles.Digest d;
        try {
            d = StoredFiles.digest(stored);
        } catch (IOException damagedStream) {
            return; // the decompressor itself noticed: also a detection
        }
        assertThat(d.storedSha256()).isNotEqualTo(s.sha256());
        assertThat(d.contentSha256()).isNotEqualTo(s.sqlSha256());
    }

    @org.junit.jupiter.api.Test
    void aFileChangedSinceItWasListedIsNotCompressedAndKept() throws IOException {
        ManifestStore store = backupSet(sql(100));
        Files.writeString(dir.resolve(SEGMENT), "-- altered after it was closed\n", java.nio.file.StandardOpenOption.APPEND);
        Manifest before = ManifestStore.readUnverified(store.file());
        assertThatThrownBy(() -> new Compressor(store, Compression.GZIP, 0).compressClosed())
                .isInstanceOf(PgscribeException.class).hasMessageContaining(SEGMENT).hasMessageContaining("no longer matches");
        Manifest after = ManifestStore.readUnverified(store.file());
        assertThat(after.segments()).isEqualTo(before.segments());
        assertThat(dir.resolve(SEGMENT)).exists();
        assertThat(dir.resolve(SEGMENT + ".gz")).doesNotExist();
        assertThat(dir.resolve(SEGMENT + ".gz.partial")).doesNotExist();
    }

    @org.junit.jupiter.api.Test
    void whileTheSetIsReadFromItsCopyACompressedFileItDoesNotListIsKeptAndTheStartRefused() throws IOException {
        ManifestStore store = backupSet(sql(100));
        new Compressor(store, Compression.GZIP, 0).compressClosed();
        String newer = "segments/0000000002000000-20261201T010000Z.sql.gz"; // listed only by the lost manifest
        Files.writeString(dir.resolve(newer), "closed after the copy was last written");
        Files.writeString(store.file(), "{");
        ManifestStore restarted = new ManifestStore(dir);
        assertThatThrownBy(() -> new Compressor(restarted, Compression.GZIP, 0).removeLeftovers())
                .isInstanceOf(PgscribeException.class).hasMessageContaining(newer).hasMessageContaining("copy is older");
        assertThat(dir.resolve(newer)).exists();
        assertThat(dir.resolve(SEGMENT + ".gz")).exists();
    }

    @org.junit.jupiter.api.Test
    void leftoversOfACrashAreRemovedAndTheListedFileStays() throws IOException {
        ManifestStore store = backupSet(sql(100));
        new Compressor(store, Compression.GZIP, 0).compressClosed();
        String original = sql(100);
        // crash before the original was deleted; an unfinished copy; a copy the manifest never listed
        Files.writeString(dir.resolve(SEGMENT), original);
        Files.writeString(dir.resolve(SEGMENT + ".zst.partial"), "half");
        String unlisted = "segments/0000000002000000-20261201T010000Z.sql.gz";
        Files.writeString(dir.resolve(unlisted), "never listed");
        Files.writeString(dir.resolve("segments/0000000003000000-20261201T020000Z.sql.partial"), "the open segment");

        new Compressor(store, Compression.GZIP, 0).removeLeftovers();

        assertThat(dir.resolve(SEGMENT)).doesNotExist();
        assertThat(dir.resolve(SEGMENT + ".zst.partial")).doesNotExist();
        assertThat(dir.resolve(unlisted)).doesNotExist();
        assertThat(dir.resolve(SEGMENT + ".gz")).exists();
        assertThat(dir.resolve(PLAIN_BASE + ".gz")).exists();
        assertThat(dir.resolve(CUSTOM_BASE)).exists();
        // the capture's open segment is not the compressor's to touch
        assertThat(dir.resolve("segments/0000000003000000-20261201T020000Z.sql.partial")).exists();
    }

    @org.junit.jupiter.api.Test
    void levelsAreChecked() {
        assertThat(Compression.GZIP.checkedLevel(0)).isEqualTo(6);
        assertThat(Compression.ZSTD.checkedLevel(19)).isEqualTo(19);
        assertThatThrownBy(() -> Compression.GZIP.checkedLevel(12)).isInstanceOf(PgscribeException.class)
                .hasMessageContaining("out of range for gzip");
        assertThatThrownBy(() -> Compression.fromName("lz4")).isInstanceOf(PgscribeException.class)
                .hasMessageContaining("lz4");
        assertThat(Compression.fromName("ZSTD")).isEqualTo(Compression.ZSTD);
    }

    @org.junit.jupiter.api.Test
    void withEncryptionEveryClosedFileIsReplacedByItsEncryptedFormAndReadsBack() throws Exception {
        String text = sql(3000);
        ManifestStore store = backupSet(text);
        Files.createDirectories(dir.resolve("globals"));
        Files.writeString(dir.resolve("globals/20261130T000000Z.sql"), "CREATE ROLE app;\n");
        Files.writeString(dir.resolve("base/meta.json"), "{\"database\":{}}");
        String metaSha = DurableFiles.sha256(dir.resolve("base/meta.json"));
        store.update(m -> m.withGlobals(new io.pgscribe.manifest.GlobalsEntry("globals/20261130T000000Z.sql", "t", 17,
                DurableFiles.sha256(dir.resolve("globals/20261130T000000Z.sql"))))
                .mapBases(bases -> bases.stream().map(b -> b.withSidecars("base/meta.json", metaSha, null, null)).toList())
                .withShipping(new Manifest.Shipping(java.util.Map.of(SEGMENT, "2026-12-01T00:00:01Z"), List.of())));
        String sqlSha = DurableFiles.sha256(dir.resolve(SEGMENT));
        io.pgscribe.encryption.Encryption enc = io.pgscribe.encryption.Encryption.of(List.of(), "pass phrase");

        // segment, two bases, globals, and the sidecar of each base (one file shared here)
        assertThat(new Compressor(store, Compression.GZIP, 0, enc).compressClosed()).isEqualTo(5);

        Manifest m = ManifestStore.readUnverified(store.file());
        SegmentEntry s = m.segments().get(0);
        assertThat(s.file()).isEqualTo(SEGMENT + ".gz.gpg");
        assertThat(s.compression()).isEqualTo("gzip");
        // the manifest, plain in the store, names no digest or size of the plain text: with one, a guess of a small
        // segment could be confirmed offline
        assertThat(s.sqlSha256()).isNull();
        assertThat(s.sqlBytes()).isNull();
        assertThat(s.contentKnown()).isFalse();
        assertThat(m.bases()).allSatisfy(b -> assertThat(b.sqlSha256()).isNull());
        assertThat(ManifestStore.readUnverified(store.file()).toString()).doesNotContain(sqlSha);
        assertThat(m.bases()).extracting(BaseEntry::file).containsExactly(PLAIN_BASE + ".gz.gpg", CUSTOM_BASE + ".gpg");
        assertThat(m.bases().get(0).metadataFile()).isEqualTo("base/meta.json.gpg");
        assertThat(m.globals().get(0).file()).isEqualTo("globals/20261130T000000Z.sql.gpg");
        assertThat(dir.resolve(SEGMENT)).doesNotExist();
        assertThat(dir.resolve("globals/20261130T000000Z.sql")).doesNotExist();
        // the plain copy the store already has stays there until the shipper has sent the encrypted one
        assertThat(m.shippingState().remotePendingDeletes()).isEmpty();
        assertThat(m.shippingState().isShipped(SEGMENT)).isTrue();
        assertThat(Files.readString(dir.resolve(s.file()), StandardCharsets.ISO_8859_1)).doesNotContain("INSERT INTO");

        io.pgscribe.encryption.Decryption dec = io.pgscribe.encryption.Decryption.of(null, null, "pass phrase");
        StoredFiles.Digest d = StoredFiles.digest(dir.resolve(s.file()), dec);
        assertThat(d.storedSha256()).isEqualTo(s.sha256());
        assertThat(d.contentSha256()).isEqualTo(sqlSha);
        try (InputStream in = StoredFiles.open(dir.resolve(s.file()), dec)) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo(text);
        }
        try (InputStream in = StoredFiles.open(dir.resolve(m.globals().get(0).file()), dec)) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("CREATE ROLE app;\n");
        }
        // without the key the stored bytes are still checked, the content is unknown
        StoredFiles.Digest unread = StoredFiles.digest(dir.resolve(s.file()));
        assertThat(unread.storedSha256()).isEqualTo(s.sha256());
        assertThat(unread.contentRead()).isFalse();
        assertThat(new Compressor(store, Compression.GZIP, 0, enc).compressClosed()).as("nothing left to do").isZero();
    }

    @org.junit.jupiter.api.Test
    void leftoversOfAnInterruptedEncryptionAreRemovedAtStart() throws Exception {
        ManifestStore store = backupSet(sql(10));
        io.pgscribe.encryption.Encryption enc = io.pgscribe.encryption.Encryption.of(List.of(), "p");
        // a crash after the encrypted copy was renamed, before the manifest pointed at it
        Files.writeString(dir.resolve(SEGMENT + ".gz.gpg"), "unlisted");
        Files.writeString(dir.resolve(PLAIN_BASE + ".gz.gpg.partial"), "unfinished");
        new Compressor(store, Compression.GZIP, 0, enc).removeLeftovers();
        assertThat(dir.resolve(SEGMENT + ".gz.gpg")).doesNotExist();
        assertThat(dir.resolve(PLAIN_BASE + ".gz.gpg.partial")).doesNotExist();
        assertThat(dir.resolve(SEGMENT)).exists();
        // a crash after the manifest pointed at it, before the original went
        new Compressor(store, Compression.GZIP, 0, enc).compressClosed();
        Files.writeString(dir.resolve(SEGMENT), "the original, still there");
        new Compressor(store, Compression.GZIP, 0, enc).removeLeftovers();
        assertThat(dir.resolve(SEGMENT)).doesNotExist();
        assertThat(dir.resolve(SEGMENT + ".gz.gpg")).exists();
    }
}
