package io.pgscribe.restore;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgscribe.ExitCode;
import io.pgscribe.manifest.ManifestStore;
import io.pgscribe.manifest.SegmentEntry;
import io.pgscribe.pg.Pg;
import io.pgscribe.pg.PgServer;
import io.pgscribe.pg.ReplicaIdentityAudit;
import io.pgscribe.testing.PgClusterExtension;
import io.pgscribe.testing.Pipeline;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** A damaged chain is refused before anything is restored, with the file named and exit code 5. */
@ExtendWith(PgClusterExtension.class)
class DamagedChainIT {

    @TempDir
    Path tmp;

    @Test
    void aDeletedAFlippedATruncatedSegmentAndAHoleAreEachRefused(PgServer cluster) throws Exception {
        try (Pipeline p = Pipeline.create(cluster, "damaged", tmp.resolve("backup"), Map.of("pgscribe.segment.max-bytes", "4000"))) {
            try (Connection c = p.connect()) {
                Pg.execute(c, "CREATE TABLE t (id serial PRIMARY KEY, v text)");
            }
            p.init(ReplicaIdentityAudit.Mode.REFUSE);
            p.start();
            try (Connection c = p.connect()) {
                for (int i = 0; i < 60; i++) {
                    Pg.execute(c, "INSERT INTO t (v) SELECT repeat('x', 50) FROM generate_series(1, 3)");
                }
            }
            p.fenceAndWait();
            p.stop();
            List<SegmentEntry> segments = p.manifest().segments();
            assertThat(segments).hasSizeGreaterThanOrEqualTo(4);
            assertThat(p.cli("verify", "--backup").code()).isZero();

            Path middle = p.backupDir.resolve(segments.get(1).file());
            Path saved = tmp.resolve("saved.sql");
            Files.copy(middle, saved);

            // deleted
            Files.delete(middle);
            assertRefused(p, segments.get(1).file() + " is listed in the manifest but missing");
            Files.copy(saved, middle);
            // one flipped byte
            try (RandomAccessFile f = new RandomAccessFile(middle.toFile(), "rw")) {
                f.seek(f.length() / 2);
                int b = f.read();
                f.seek(f.length() / 2);
                f.write(b ^ 0x01);
            }
            assertRefused(p, segments.get(1).file() + " does not match its checksum");
            Files.copy(saved, middle, StandardCopyOption.REPLACE_EXISTING);
            // truncated
            try (RandomAccessFile f = new RandomAccessFile(middle.toFile(), "rw")) {
                f.setLength(f.length() - 100);
            }
            assertRefused(p, segments.get(1).file() + " does not match its checksum");
            Files.copy(saved, middle, StandardCopyOption.REPLACE_EXISTING);
            // a hole: the manifest (consistently rewritten) lacks a segment in the middle
            Path manifest = p.backupDir.resolve(ManifestStore.FILE_NAME);
            Files.copy(manifest, tmp.resolve("manifest.json"));
            ManifestStore store = p.store();
            store.save(store.load().mapSegments(list -> list.stream().filter(s -> !s.equals(segments.get(2))).toList()));
            assertRefused(p, "the chain has a hole: segment number " + segments.get(2).ordinal() + " is missing");
            Files.copy(tmp.resolve("manifest.json"), manifest, StandardCopyOption.REPLACE_EXISTING);

            // intact again: the restore goes through
            Pipeline.Cli ok = p.cli("restore", "--to-db", "damaged_restored");
            assertThat(ok.code()).as(ok.err()).isZero();
            assertThat(p.verify("damaged_restored").differences()).isEmpty();
        }
    }

    private static void assertRefused(Pipeline p, String message) throws Exception {
        Pipeline.Cli restore = p.cli("restore", "--to-db", "damaged_restored");
        assertThat(restore.code()).as(restore.err()).isEqualTo(ExitCode.DAMAGED);
        assertThat(restore.err()).contains(message).contains("HINT: ");
        Pipeline.Cli verify = p.cli("verify", "--backup");
        assertThat(verify.code()).isEqualTo(ExitCode.DAMAGED);
        assertThat(verify.out()).contains("DAMAGED  ");
        try (Connection admin = Pg.connect(p.cluster.connection("postgres"), "t")) {
            assertThat(Pg.string(admin, "SELECT count(*)::text FROM pg_database WHERE datname = 'damaged_restored'"))
                    .as("nothing half-restored").isEqualTo("0");
        }
    }
}
