package io.pgscribe.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgscribe.encryption.Decryption;
import io.pgscribe.storage.DurableFiles;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileIntegrityTest {

    @TempDir
    Path dir;

    private static final byte[] SQL = "BEGIN;\nINSERT INTO t VALUES (1);\nCOMMIT;\n".getBytes(StandardCharsets.UTF_8);

    private SegmentEntry listed(String file, byte[] stored) {
        return new SegmentEntry(file, 1, "0/1", "0/2", null, null, 1, stored.length, DurableFiles.sha256(stored), null);
    }

    private void gzip(Path to, byte[] content) throws IOException {
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(to))) {
            out.write(content);
        }
    }

    @Test
    void aStoredFileIsIntactMissingOrNotTheOneListed() throws IOException {
        Files.createDirectories(dir.resolve("segments"));
        SegmentEntry e = listed("segments/a.sql", SQL);
        assertThat(FileIntegrity.stored(dir, e, Decryption.NONE).verdict()).isEqualTo(FileIntegrity.Verdict.MISSING);
        Files.write(dir.resolve("segments/a.sql"), SQL);
        assertThat(FileIntegrity.stored(dir, e, Decryption.NONE).verdict()).isEqualTo(FileIntegrity.Verdict.INTACT);
        byte[] other = "BEGIN;\nDROP TABLE t;\nCOMMIT;\n".getBytes(StandardCharsets.UTF_8);
        Files.write(dir.resolve("segments/a.sql"), other);
        FileIntegrity.Result r = FileIntegrity.stored(dir, e, Decryption.NONE);
        assertThat(r.verdict()).isEqualTo(FileIntegrity.Verdict.STORED_MISMATCH);
        assertThat(r.actual()).isEqualTo(DurableFiles.sha256(other));
        assertThat(r.intact()).isFalse();
    }

    @Test
    void aFileCompressedSinceTheManifestWasReadIsJudgedByTheSqlItHolds() throws IOException {
        Files.createDirectories(dir.resolve("segments"));
        SegmentEntry e = listed("segments/b.sql", SQL);
        gzip(dir.resolve("segments/b.sql.gz"), SQL);
        FileIntegrity.Result r = FileIntegrity.stored(dir, e, Decryption.NONE);
        assertThat(r.verdict()).isEqualTo(FileIntegrity.Verdict.INTACT);
        assertThat(r.asListed()).isFalse();
        gzip(dir.resolve("segments/b.sql.gz"), "BEGIN;\nCOMMIT;\n".getBytes(StandardCharsets.UTF_8));
        assertThat(FileIntegrity.stored(dir, e, Decryption.NONE).verdict()).isEqualTo(FileIntegrity.Verdict.CONTENT_MISMATCH);
        Files.write(dir.resolve("segments/b.sql.gz"), new byte[] {0x1f, (byte) 0x8b, 8, 0, 0}); // a torn gzip
        FileIntegrity.Result torn = FileIntegrity.stored(dir, e, Decryption.NONE);
        assertThat(torn.verdict()).isEqualTo(FileIntegrity.Verdict.UNREADABLE);
        assertThat(torn.detail()).isNotBlank().doesNotContain("null");
    }

    @Test
    void anEncryptedFileWithNoKeyHereIsCheckedAsStoredOnly() throws IOException {
        Files.createDirectories(dir.resolve("globals"));
        byte[] message = "not really OpenPGP, never opened without a key".getBytes(StandardCharsets.UTF_8);
        Files.write(dir.resolve("globals/g.sql.gpg"), message);
        FileIntegrity.Result r = FileIntegrity.file(dir, "globals/g.sql.gpg", DurableFiles.sha256(message), Decryption.NONE);
        assertThat(r.verdict()).isEqualTo(FileIntegrity.Verdict.NOT_DECRYPTED);
        assertThat(r.intact()).isTrue();
        assertThat(FileIntegrity.file(dir, "globals/g.sql.gpg", DurableFiles.sha256(SQL), Decryption.NONE).verdict())
                .isEqualTo(FileIntegrity.Verdict.STORED_MISMATCH);
    }

    @Test
    void aSidecarIsItsSha256AsListed() throws IOException {
        Files.createDirectories(dir.resolve("base"));
        Files.write(dir.resolve("base/x.meta.json"), SQL);
        assertThat(FileIntegrity.file(dir, "base/x.meta.json", DurableFiles.sha256(SQL), Decryption.NONE).verdict())
                .isEqualTo(FileIntegrity.Verdict.INTACT);
        assertThat(FileIntegrity.file(dir, "base/x.meta.json", "00", Decryption.NONE).verdict())
                .isEqualTo(FileIntegrity.Verdict.STORED_MISMATCH);
        assertThat(FileIntegrity.file(dir, "base/y.meta.json", "00", Decryption.NONE).verdict())
                .isEqualTo(FileIntegrity.Verdict.MISSING);
    }
}
