package io.pgscribe.testing;

import io.pgscribe.manifest.ManifestStore;
import io.pgscribe.manifest.SegmentEntry;
import io.pgscribe.storage.DurableFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/** Backup sets changed on purpose by tests and benchmarks: the files and the manifest kept in step. */
public final class BackupSets {

    private BackupSets() {
    }

    /**
     * Rewrites the text of every (uncompressed) segment with {@code edit}, with sizes and
     * checksums in the manifest made to match, as a pgscribe that wrote that text would have.
     */
    public static void rewriteSegments(Path backupDir, UnaryOperator<String> edit) {
        ManifestStore store = new ManifestStore(backupDir, io.pgscribe.manifest.SetTrust.writer(TestKeys.key()));
        List<SegmentEntry> out = new ArrayList<>();
        try {
            for (SegmentEntry s : store.load().segments()) {
                Path f = backupDir.resolve(s.file());
                Files.writeString(f, edit.apply(Files.readString(f, StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
                out.add(new SegmentEntry(s.file(), s.ordinal(), s.firstLsn(), s.lastLsn(), s.firstCommitTime(),
                        s.lastCommitTime(), s.transactions(), Files.size(f), DurableFiles.sha256(f), s.spoolEnd(), null, null,
                        null, s.ddlNotReplayed(), s.ddlRoles()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        store.update(m -> m.mapSegments(x -> out));
    }

    /**
     * What someone who can write a backup set but has not its key makes of a signed manifest: the
     * entries changed, the manifest's own sha256 recomputed to match, the old signature kept.
     */
    public static byte[] resealedKeepingSignature(Path signedManifest, UnaryOperator<io.pgscribe.manifest.Manifest> change) {
        try {
            io.pgscribe.manifest.Manifest m = ManifestStore.readUnverified(signedManifest);
            com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
            var resealed = (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(
                    new ManifestStore(signedManifest.getParent()).sealedJson(change.apply(m)));
            resealed.set("signature", json.readTree(signedManifest.toFile()).get("signature"));
            return json.writerWithDefaultPrettyPrinter().writeValueAsBytes(resealed);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
