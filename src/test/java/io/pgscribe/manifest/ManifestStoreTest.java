package io.pgscribe.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgscribe.signing.SetKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManifestStoreTest {

    @TempDir
    Path tmp;

    private Manifest sample() {
        return new Manifest(Manifest.FORMAT, "0.1.0", new Manifest.Source("shop", "7311", "15.18", 150018, "UTF8"),
                "pgscribe", "wal2json", List.of("format-version=2"), "2026-11-24T00:00:00Z",
                List.of(new BaseEntry("base/x.sql", "plain", "0/15300B0", "00000003-00000002-1", "t", 10, "ab", null, null)),
                null, null, CaptureState.initial(List.of()), null);
    }

    @Test
    void roundTripsWithItsOwnChecksum() {
        ManifestStore store = new ManifestStore(tmp);
        store.save(sample());
        Manifest m = ManifestStore.readUnverified(store.file());
        assertThat(m.sha256()).hasSize(64);
        assertThat(m.bases()).hasSize(1);
        assertThat(m.bases().get(0).consistentPoint()).isEqualTo("0/15300B0");
        Manifest updated = store.update(x -> x.withGlobals(new GlobalsEntry("globals/g.sql", "t", 5, "cd")));
        assertThat(ManifestStore.readUnverified(store.file()).globals()).isEqualTo(updated.globals());
    }

    @Test
    void aTableShapeWithManyColumnsOfTheirOwnComparisonWritesTheSameJsonInEveryJvm() throws IOException {
        // the seal is over the JSON: a map must come out in one order, whatever order it was read or built in
        java.util.Map<String, List<String>> equality = new java.util.LinkedHashMap<>();
        for (String c : List.of("m", "c", "x", "a", "k", "b", "z", "d", "q", "e", "y", "f")) {
            equality.put(c, List.of("", "text"));
        }
        TableShape shape = new TableShape("public", "t", List.of(), List.of(), null, equality);
        ManifestStore store = new ManifestStore(tmp);
        store.save(sample().withCapture(CaptureState.initial(List.of(shape))));
        String json = Files.readString(store.file());
        List<Integer> at = List.of("a", "b", "c", "d", "e", "f", "k", "m", "q", "x", "y", "z").stream()
                .map(c -> json.indexOf("\"" + c + "\" : [")).toList();
        assertThat(at).doesNotContain(-1).isSorted();
        assertThat(ManifestStore.readUnverified(store.file()).capture().tables()).containsExactly(shape);
    }

    @Test
    void anEditedOrTornManifestIsRefused() throws IOException {
        ManifestStore store = new ManifestStore(tmp);
        store.save(sample());
        Files.delete(ManifestStore.copyOf(store.file())); // a set written before the copy
        String text = Files.readString(store.file());
        Files.writeString(store.file(), text.replace("0/15300B0", "0/15300B1"));
        assertThatThrownBy(() -> ManifestStore.readUnverified(store.file())).isInstanceOf(ManifestException.class)
                .hasMessageContaining("fails its checksum");
        Files.writeString(store.file(), text.substring(0, text.length() / 2));
        assertThatThrownBy(() -> ManifestStore.readUnverified(store.file())).isInstanceOf(ManifestException.class)
                .hasMessageContaining("not readable JSON");
        assertThatThrownBy(() -> ManifestStore.readUnverified(tmp.resolve("nope.json"))).isInstanceOf(ManifestException.class)
                .satisfies(e -> assertThat(((ManifestException) e).hint()).contains("pgscribe init"));
    }

    @Test
    void aManifestThatPgscribe01WroteReadsBackToItsOwnSeal() {
        // written by pgscribe 0.1 (init, commit 92245a5): the seal is the sha256 of the manifest as this version
        // writes it again, so a field this version writes otherwise would make every older backup set unreadable
        Manifest m = ManifestStore.readUnverified(java.nio.file.Path.of("src/test/resources/fixtures/manifest-0.1/manifest.json"));
        assertThat(m.capture().tables()).extracting(TableShape::table).contains("t");
        assertThat(m.bases()).hasSize(1);
    }

    @Test
    void everyWriteLeavesTheSameBytesInTheCopy() throws IOException {
        ManifestStore store = new ManifestStore(tmp);
        store.save(sample());
        store.update(x -> x.withGlobals(new GlobalsEntry("globals/g.sql", "t", 5, "cd")));
        Path copy = tmp.resolve(ManifestStore.COPY_NAME);
        assertThat(Files.readAllBytes(copy)).isEqualTo(Files.readAllBytes(store.file()));
        assertThat(Files.getPosixFilePermissions(copy)).isEqualTo(Files.getPosixFilePermissions(store.file()));
    }

    @Test
    void aMissingEditedOrTornManifestIsReadFromItsCopy() throws IOException {
        ManifestStore store = new ManifestStore(tmp);
        store.save(sample());
        String text = Files.readString(store.file());
        Manifest before = ManifestStore.readUnverified(store.file());
        for (String damaged : List.of(text.replace("0/15300B0", "0/15300B1"), text.substring(0, text.length() / 2))) {
            Files.writeString(store.file(), damaged);
            assertThat(ManifestStore.readUnverified(store.file()).bases().get(0).consistentPoint()).isEqualTo("0/15300B0");
            assertThat(ManifestStore.problemOf(store.file(), SetTrust.reader(null, true))).isNotNull();
        }
        Files.delete(store.file());
        assertThat(ManifestStore.read(store.file(), SetTrust.reader(null, true)).bases()).hasSize(1);
        // the next write puts it back
        store.update(x -> x);
        assertThat(ManifestStore.problemOf(store.file(), SetTrust.reader(null, true))).isNull();
        Manifest after = ManifestStore.readUnverified(store.file());
        assertThat(after.withWrittenAt(null)).isEqualTo(before.withWrittenAt(null)); // the same set, written again later
        assertThat(java.time.Instant.parse(after.writtenAt())).isAfterOrEqualTo(java.time.Instant.parse(before.writtenAt()));
    }

    @Test
    void whenBothAreDamagedTheRefusalNamesBothAndNeverSaysInit() throws IOException {
        ManifestStore store = new ManifestStore(tmp);
        store.save(sample());
        Files.delete(store.file());
        Files.writeString(ManifestStore.copyOf(store.file()), "{");
        // no segments/ or base/ yet: the copy alone shows that a set is here
        assertThat(store.exists()).isTrue();
        assertThatThrownBy(() -> ManifestStore.readUnverified(store.file())).isInstanceOf(ManifestException.class)
                .hasMessageContaining("manifest.json of " + tmp + " is missing")
                .hasMessageContaining("its copy manifest.json.copy too").hasMessageContaining("not readable JSON")
                .satisfies(e -> assertThat(((ManifestException) e).exitCode()).isEqualTo(io.pgscribe.ExitCode.DAMAGED))
                .satisfies(e -> assertThat(((ManifestException) e).hint()).doesNotContain("pgscribe init"));
        Files.delete(ManifestStore.copyOf(store.file()));
        Files.createDirectories(tmp.resolve("segments"));
        assertThat(store.holdsSegments()).isFalse(); // an empty directory is no capture's work
        Files.writeString(tmp.resolve("segments/00000000015300B0-20261124T222131Z.sql"), "x");
        assertThat(store.exists()).isFalse();
        assertThat(store.holdsSegments()).isTrue();
        assertThatThrownBy(() -> ManifestStore.readUnverified(store.file())).isInstanceOf(ManifestException.class)
                .hasMessageContaining("has lost its manifest")
                .satisfies(e -> assertThat(((ManifestException) e).exitCode()).isEqualTo(io.pgscribe.ExitCode.DAMAGED));
    }

    @Test
    void aCopyThatCannotBeWrittenDoesNotFailTheWriteThatReplacedTheManifest() throws IOException {
        ManifestStore store = new ManifestStore(tmp);
        store.save(sample());
        Path copy = ManifestStore.copyOf(store.file());
        Files.delete(copy);
        Files.createDirectories(copy.resolve("in-the-way")); // a rename onto a non-empty directory fails
        Manifest next = store.update(x -> x.withGlobals(new GlobalsEntry("globals/g.sql", "t", 5, "cd")));
        assertThat(ManifestStore.readUnverified(store.file()).globals()).isEqualTo(next.globals());
        assertThat(store.load().globals()).isEqualTo(next.globals());
        assertThat(store.copyProblem()).contains("cannot write manifest.json.copy");
        Files.delete(copy.resolve("in-the-way"));
        Files.delete(copy);
        store.update(x -> x);
        assertThat(store.copyProblem()).isNull();
        assertThat(Files.readAllBytes(copy)).isEqualTo(Files.readAllBytes(store.file()));
    }

    @Test
    void aCopyOlderThanTheLastWriteIsNeverWrittenBackAsTheManifest() throws IOException {
        ManifestStore store = new ManifestStore(tmp);
        store.save(sample());
        // the copy's write fails from here on, and the copy stays as it was
        Files.createDirectories(tmp.resolve(".manifest.json.copy.tmp").resolve("in-the-way"));
        store.update(x -> x.withGlobals(new GlobalsEntry("globals/g1.sql", "t", 5, "cd")));
        assertThat(store.copyProblem()).contains("cannot write manifest.json.copy");
        Files.writeString(store.file(), "{"); // then manifest.json is damaged
        assertThat(store.load().globals()).hasSize(1);
        store.update(x -> x.withGlobals(new GlobalsEntry("globals/g2.sql", "t", 5, "ef")));
        assertThat(ManifestStore.readUnverified(store.file()).globals()).extracting(GlobalsEntry::file)
                .containsExactly("globals/g1.sql", "globals/g2.sql");
        // another process has only the files: it reads the copy, and knows it did
        ManifestStore other = new ManifestStore(tmp);
        Files.writeString(store.file(), "{");
        assertThat(other.load().globals()).isEmpty();
        assertThat(other.readFromCopy()).isTrue();
    }

    @Test
    void whileTheManifestIsMissingAnotherWritersCopyIsReadAgain() throws IOException {
        ManifestStore runtime = new ManifestStore(tmp);
        runtime.save(sample());
        Files.delete(runtime.file());
        assertThat(runtime.load().globals()).isEmpty();
        assertThat(runtime.readFromCopy()).isTrue();
        // another writer (a prune beside it) changed the set, and only the copy shows it yet
        Path other = Files.createDirectories(tmp.resolve("other"));
        ManifestStore prune = new ManifestStore(other);
        prune.save(sample().withGlobals(new GlobalsEntry("globals/g.sql", "t", 5, "cd")));
        Files.copy(prune.file(), ManifestStore.copyOf(runtime.file()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertThat(runtime.load().globals()).hasSize(1);
        runtime.update(x -> x);
        assertThat(runtime.readFromCopy()).isFalse();
    }

    @Test
    void aCopyThatDiffersFromTheManifestIsReported() throws IOException {
        ManifestStore store = new ManifestStore(tmp);
        store.save(sample());
        assertThat(store.copyProblem()).isNull();
        byte[] older = Files.readAllBytes(ManifestStore.copyOf(store.file()));
        store.update(x -> x.withGlobals(new GlobalsEntry("globals/g.sql", "t", 5, "cd")));
        Files.write(ManifestStore.copyOf(store.file()), older); // a crash between the two writes
        assertThat(store.copyProblem()).contains("not the same");
        assertThat(ManifestStore.copyProblemOf(store.file())).contains("not the same");
        Files.delete(ManifestStore.copyOf(store.file()));
        assertThat(store.copyProblem()).contains("missing");
    }

    @Test
    void aManifestOfAnotherFormatIsNotReplacedByItsCopy() throws IOException {
        ManifestStore store = new ManifestStore(tmp);
        store.save(sample());
        String text = Files.readString(store.file());
        String newer = text.replaceFirst("\"format\" : " + Manifest.FORMAT, "\"format\" : 99");
        assertThat(newer).isNotEqualTo(text);
        Files.writeString(store.file(), newer); // written by a newer pgscribe: an older copy would undo its writes
        assertThatThrownBy(() -> ManifestStore.readUnverified(store.file())).isInstanceOf(ManifestException.class)
                .hasMessageContaining("has format 99");
    }

    @Test
    void aCopyThatFailsItsSignatureIsNamedAsTheCopy() throws IOException {
        SetKey key = SetKey.generate();
        ManifestStore store = new ManifestStore(tmp, SetTrust.writer(key));
        store.save(sample());
        Files.delete(store.file());
        Path copy = ManifestStore.copyOf(store.file());
        ManifestStore forger = new ManifestStore(Files.createDirectories(tmp.resolve("forger")), SetTrust.writer(SetKey.generate()));
        forger.save(sample());
        String forged = Files.readString(forger.file());
        String keyId = forged.replaceAll("(?s).*\"key\" : \"([^\"]+)\".*", "$1");
        Files.writeString(copy, forged.replace(keyId, key.id())); // its checksum still holds: it is not over the signature
        assertThatThrownBy(() -> ManifestStore.read(store.file(), SetTrust.reader(key, false)))
                .isInstanceOf(ManifestException.class).hasMessageContaining(copy.toString())
                .hasMessageContaining("fails its signature");
    }
}
