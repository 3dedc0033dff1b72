package io.pgscribe.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgscribe.ExitCode;
import io.pgscribe.signing.SetKey;
import io.pgscribe.storage.DurableFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SetTrustTest {

    @TempDir
    Path tmp;

    private final SetKey key = SetKey.generate();

    private Manifest sample() {
        return new Manifest(Manifest.FORMAT, "0.2.0", new Manifest.Source("shop", "7311", "15.18", 150018, "UTF8"),
                "pgscribe", "wal2json", List.of("format-version=2"), "2026-12-02T00:00:00Z",
                List.of(new BaseEntry("base/x.sql", "plain", "0/15300B0", "00000003-00000002-1", "t", 10, "ab", null, null)),
                null, null, CaptureState.initial(List.of()), null);
    }

    private ManifestStore signedSet() {
        ManifestStore store = new ManifestStore(tmp, SetTrust.writer(key));
        store.save(sample());
        return store;
    }

    private static int exitOf(Throwable e) {
        return ((ManifestException) e).exitCode();
    }

    @Test
    void aSignedSetReadsUnderItsKeyAndWritesStaySigned() {
        ManifestStore store = signedSet();
        Manifest m = ManifestStore.read(store.file(), SetTrust.reader(key, false));
        assertThat(m.signature().key()).isEqualTo(key.id());
        assertThat(m.signature().algorithm()).isEqualTo("ed25519");
        store.update(x -> x.withGlobals(new GlobalsEntry("globals/g.sql", "t", 5, "cd")));
        Manifest again = ManifestStore.read(store.file(), SetTrust.reader(key, false));
        assertThat(again.globals()).hasSize(1);
        assertThat(SetTrust.reader(key, false).describe(again, store.file())).contains("signature holds");
        // the store's copy of the set is signed the same way
        Path copy = tmp.resolve("copy.json");
        DurableFiles.writeAtomically(copy, store.sealedJson(again.retain(List.of(), List.of(), List.of())));
        assertThat(ManifestStore.read(copy, SetTrust.reader(key, false)).bases()).isEmpty();
    }

    @Test
    void anEntryChangedAndResealedByHandFailsTheSignature() throws Exception {
        ManifestStore store = signedSet();
        Manifest m = ManifestStore.readUnverified(store.file());
        // a replaced base: its new sha256 in the manifest, the manifest's own sha256 made to match, the old signature kept
        Manifest forged = ManifestStore.seal(m.mapBases(l -> List.of(new BaseEntry("base/x.sql", "plain", "0/15300B0",
                "00000003-00000002-1", "t", 11, "evil", null, null)))).withSignature(m.signature());
        Files.write(store.file(), ManifestStore.jsonOf(forged));
        assertThat(ManifestStore.readUnverified(store.file()).bases().get(0).sha256()).isEqualTo("evil"); // the seal holds
        for (SetTrust t : List.of(SetTrust.reader(key, false), SetTrust.reader(key, true), SetTrust.writer(key))) {
            assertThatThrownBy(() -> ManifestStore.read(store.file(), t)).isInstanceOf(ManifestException.class)
                    .hasMessageContaining("manifest.json fails its signature by key " + key.id())
                    .satisfies(e -> assertThat(exitOf(e)).isEqualTo(ExitCode.DAMAGED));
        }
        assertThatThrownBy(() -> new ManifestStore(tmp, SetTrust.writer(key)).update(x -> x))
                .hasMessageContaining("fails its signature");
    }

    @Test
    void aStrippedSignatureIsAnUnsignedSet() throws Exception {
        ManifestStore store = signedSet();
        Manifest m = ManifestStore.readUnverified(store.file());
        Files.write(store.file(), ManifestStore.jsonOf(m.withSignature(null)));
        assertThatThrownBy(() -> ManifestStore.read(store.file(), SetTrust.reader(key, false)))
                .hasMessageContaining("is not signed").satisfies(e -> assertThat(exitOf(e)).isEqualTo(ExitCode.REFUSED))
                .satisfies(e -> assertThat(((ManifestException) e).hint()).contains("--allow-unsigned"));
        // with a key, --allow-unsigned does not take it either: stripping is all a forger needs
        assertThatThrownBy(() -> ManifestStore.read(store.file(), SetTrust.reader(key, true)))
                .hasMessageContaining("a signature can be removed by anyone who can write the set");
        assertThat(ManifestStore.read(store.file(), SetTrust.reader(null, true)).signature()).isNull();
        // a writer with the key does not vouch for it without being told (pgscribe sign)
        assertThatThrownBy(() -> new ManifestStore(tmp, SetTrust.writer(key)).load())
                .hasMessageContaining("is not signed").satisfies(e -> assertThat(((ManifestException) e).hint())
                        .contains("pgscribe sign"));
        assertThat(new ManifestStore(tmp).load().signature()).isNull();
    }

    @Test
    void anotherKeyOrNoKeyIsRefusedUnlessAllowed() {
        ManifestStore store = signedSet();
        SetKey other = SetKey.generate();
        assertThatThrownBy(() -> ManifestStore.read(store.file(), SetTrust.reader(other, false)))
                .hasMessageContaining("is signed by key " + key.id() + ", not by the configured key " + other.id());
        assertThatThrownBy(() -> ManifestStore.read(store.file(), SetTrust.reader(null, false)))
                .hasMessageContaining("no key is configured");
        assertThat(ManifestStore.read(store.file(), SetTrust.reader(null, true)).signature()).isNotNull();
        // a writer without the key would drop the signature
        assertThatThrownBy(() -> new ManifestStore(tmp).load()).hasMessageContaining("has no signing key");
    }

    @Test
    void aPublicKeyCannotBeAWritersKey() {
        key.write(tmp.resolve("k"), tmp.resolve("k.pub"));
        SetKey pub = SetKey.read(tmp.resolve("k.pub"));
        assertThatThrownBy(() -> SetTrust.writer(pub)).hasMessageContaining("is a public key");
        assertThat(ManifestStore.read(signedSet().file(), SetTrust.reader(pub, false)).signature().key()).isEqualTo(key.id());
    }
}
