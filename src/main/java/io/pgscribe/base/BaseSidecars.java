package io.pgscribe.base;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pgscribe.Version;
import io.pgscribe.manifest.BaseEntry;
import io.pgscribe.storage.DurableFiles;
import io.pgscribe.verify.Verifier;
import java.nio.file.Path;
import java.util.List;

/**
 * The files written next to every base: {@code <name>.meta.json} (what a restorer in ten
 * years needs to know) and {@code <name>.checksums.json} (each table's row count and
 * checksum in the base's snapshot). Returns the base's manifest entry naming both.
 */
public final class BaseSidecars {

    private BaseSidecars() {
    }

    public static BaseEntry write(Path backupDir, BaseEntry base, BaseSnapshot snapshot, String plugin,
                                  List<String> decoderOptions, String slotName) {
        ObjectNode md = snapshot.metadata().deepCopy();
        md.put("pgscribe", Version.current());
        ObjectNode d = md.putObject("decoder");
        d.put("plugin", plugin);
        ArrayNode opts = d.putArray("options");
        decoderOptions.forEach(opts::add);
        ObjectNode s = md.putObject("slot");
        s.put("name", slotName);
        s.put("consistentPoint", base.consistentPoint());
        s.put("snapshot", base.snapshot());
        ObjectNode g = md.putObject("gaps");
        ArrayNode ri = g.putArray("replicaIdentity");
        snapshot.replicaIdentityGaps().forEach(ri::add);
        ArrayNode sp = g.putArray("numericSpecialValues");
        snapshot.specialNumberColumns().forEach(sp::add);

        String metaName = BaseBackup.stem(base.file()) + ".meta.json";
        Metadata.write(md, backupDir.resolve(metaName));
        String sumsName = null;
        String sumsSha = null;
        if (snapshot.checksums() != null) {
            sumsName = BaseBackup.stem(base.file()) + ".checksums.json";
            Verifier.save(snapshot.checksums(), backupDir.resolve(sumsName));
            sumsSha = DurableFiles.sha256(backupDir.resolve(sumsName));
        }
        return new BaseEntry(base.file(), base.format(), base.consistentPoint(), base.snapshot(), base.takenAt(),
                base.bytes(), base.sha256(), metaName, DurableFiles.sha256(backupDir.resolve(metaName)), sumsName, sumsSha,
                base.compression(), base.sqlBytes(), base.sqlSha256());
    }
}
