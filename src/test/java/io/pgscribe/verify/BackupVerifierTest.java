package io.pgscribe.verify;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgscribe.manifest.CaptureState;
import io.pgscribe.manifest.Manifest;
import io.pgscribe.manifest.ManifestStore;
import io.pgscribe.manifest.SetTrust;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackupVerifierTest {

    @TempDir
    Path set;

    private ManifestStore emptySet() {
        ManifestStore store = new ManifestStore(set);
        store.save(new Manifest(Manifest.FORMAT, "test", new Manifest.Source("db", "1", "15", 150000, "UTF8"), "slot",
                "wal2json", List.of(), "now", List.of(), null, null, CaptureState.initial(List.of()), null));
        return store;
    }

    private static final SetTrust UNSIGNED = SetTrust.reader(null, true);

    @Test
    void aWholeSetWithItsCopyIsOk() {
        emptySet();
        List<BackupVerifier.Check> checks = BackupVerifier.check(set, UNSIGNED);
        assertThat(checks).allMatch(BackupVerifier.Check::ok).hasSize(1);
        assertThat(checks.get(0).file()).startsWith("manifest.json (");
    }

    @Test
    void aLostManifestIsReadFromItsCopyAndReportedDamaged() throws IOException {
        ManifestStore store = emptySet();
        Files.delete(store.file());
        List<BackupVerifier.Check> checks = BackupVerifier.check(set, UNSIGNED);
        assertThat(checks).extracting(BackupVerifier.Check::file).containsExactly(
                checks.get(0).file(), "manifest.json");
        assertThat(checks.get(0).file()).startsWith("manifest.json.copy (");
        assertThat(checks.get(0).ok()).isTrue();
        assertThat(checks.get(1).problem()).contains("the set was read from its copy");
    }

    @Test
    void aDamagedCopyIsReportedThoughTheManifestReads() throws IOException {
        ManifestStore store = emptySet();
        Files.writeString(ManifestStore.copyOf(store.file()), "{}");
        List<BackupVerifier.Check> checks = BackupVerifier.check(set, UNSIGNED);
        assertThat(checks).hasSize(2);
        assertThat(checks.get(0).ok()).isTrue();
        assertThat(checks.get(1).file()).isEqualTo(ManifestStore.COPY_NAME);
        assertThat(checks.get(1).ok()).isFalse();
    }

    @Test
    void anOlderCopyIsReportedThoughItIsWhole() throws IOException {
        ManifestStore store = emptySet();
        byte[] older = Files.readAllBytes(ManifestStore.copyOf(store.file()));
        store.update(m -> m.withGlobals(new io.pgscribe.manifest.GlobalsEntry("globals/g.sql", "t", 5, "cd")));
        Files.write(ManifestStore.copyOf(store.file()), older); // whole and sealed, one write behind
        List<BackupVerifier.Check> checks = BackupVerifier.check(set, UNSIGNED);
        assertThat(checks).filteredOn(c -> c.file().equals(ManifestStore.COPY_NAME)).singleElement()
                .satisfies(c -> assertThat(c.problem()).contains("not the same as manifest.json"));
    }
    @Test
    void segmentsOnDiskThatTheCopyReadInsteadDoesNotListAreNamed() throws IOException {
        ManifestStore store = emptySet();
        Path segments = Files.createDirectories(set.resolve("segments"));
        // closed after the copy was last written, in each stored form; an unfinished one is not closed
        Files.writeString(segments.resolve("0000000002000000-20261201T010000Z.sql.gz"), "x");
        Files.writeString(segments.resolve("0000000003000000-20261201T020000Z.sql"), "x");
        Files.writeString(segments.resolve("0000000004000000-20261201T030000Z.sql.partial"), "x");
        assertThat(BackupVerifier.check(set, UNSIGNED)).allMatch(BackupVerifier.Check::ok); // read from manifest.json
        Files.writeString(store.file(), "{");
        List<BackupVerifier.Check> checks = BackupVerifier.check(set, UNSIGNED);
        assertThat(checks).filteredOn(c -> c.file().startsWith("segments/")).extracting(BackupVerifier.Check::file)
                .containsExactly("segments/0000000002000000-20261201T010000Z.sql.gz",
                        "segments/0000000003000000-20261201T020000Z.sql");
        assertThat(checks).filteredOn(c -> c.file().startsWith("segments/"))
                .allSatisfy(c -> assertThat(c.problem()).contains("the copy is older than the set"));
    }
}
