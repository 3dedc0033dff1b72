package io.pgscribe.restore;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgscribe.ExitCode;
import io.pgscribe.manifest.Manifest;
import io.pgscribe.manifest.ManifestStore;
import io.pgscribe.manifest.SegmentEntry;
import io.pgscribe.pg.Pg;
import io.pgscribe.pg.PgServer;
import io.pgscribe.pg.ReplicaIdentityAudit;
import io.pgscribe.storage.DurableFiles;
import io.pgscribe.testing.BackupSets;
import io.pgscribe.testing.PgClusterExtension;
import io.pgscribe.testing.Pipeline;
import io.pgscribe.testing.TestKeys;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Write access to a backup directory is not write access to the restore server: a segment
 * replaced with the manifest resealed to match is refused by its signature, an unsigned set
 * only with --allow-unsigned, and `pgscribe sign` takes one in.
 */
@ExtendWith(PgClusterExtension.class)
class SignedSetIT {

    @TempDir
    Path tmp;

    @Test
    void aForgedSegmentWithAResealedManifestIsRefusedAndAnUnsignedSetOnlyWhenAllowed(PgServer cluster) throws Exception {
        try (Pipeline p = Pipeline.create(cluster, "signedset", tmp.resolve("backup"))) {
            try (Connection c = p.connect()) {
                Pg.execute(c, "CREATE TABLE t (id int PRIMARY KEY, v text)");
            }
            p.init(ReplicaIdentityAudit.Mode.REFUSE);
            p.start();
            try (Connection c = p.connect()) {
                Pg.execute(c, "INSERT INTO t VALUES (1, 'genuine')");
            }
            p.fenceAndWait();
            p.stop();
            String keyId = TestKeys.key().id();
            Pipeline.Cli verified = p.cli("verify", "--backup");
            assertThat(verified.code()).as(verified.out() + verified.err()).isZero();
            assertThat(verified.out()).contains("manifest.json (signed by key " + keyId + ", signature holds)");
            // a replayed set is signed too: its age tells (the runtime is stopped, so this one only gets older)
            Pipeline.Cli fresh = p.cli("verify", "--backup", "--max-age", "1h");
            assertThat(fresh.code()).as(fresh.out() + fresh.err()).isZero();
            java.time.Instant written = java.time.Instant.parse(p.manifest().writtenAt());
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                    .until(() -> java.time.Instant.now().isAfter(written.plusSeconds(2)));
            Pipeline.Cli stale = p.cli("verify", "--backup", "--max-age", "1s");
            assertThat(stale.code()).as(stale.out() + stale.err()).isEqualTo(ExitCode.DAMAGED);
            assertThat(stale.out()).contains("STALE    the manifest was last written at " + p.manifest().writtenAt());

            Path manifestFile = p.backupDir.resolve(ManifestStore.FILE_NAME);
            Path savedManifest = tmp.resolve("manifest.saved");
            Files.copy(manifestFile, savedManifest);
            Manifest m = p.manifest();
            SegmentEntry target = m.segments().stream()
                    .filter(s -> read(p.backupDir.resolve(s.file())).contains("'genuine'")).findFirst().orElseThrow();
            Path segment = p.backupDir.resolve(target.file());
            Path savedSegment = tmp.resolve("segment.saved");
            Files.copy(segment, savedSegment);

            // what someone who can write the directory does: new SQL, the manifest made to match, its sha256 recomputed
            Files.writeString(segment, read(segment).replace("'genuine'", "'forged'"), StandardCharsets.UTF_8);
            List<SegmentEntry> forged = new ArrayList<>();
            for (SegmentEntry s : m.segments()) {
                forged.add(!s.equals(target) ? s : new SegmentEntry(s.file(), s.ordinal(), s.firstLsn(), s.lastLsn(),
                        s.firstCommitTime(), s.lastCommitTime(), s.transactions(), Files.size(segment),
                        DurableFiles.sha256(segment), s.spoolEnd(), null, null, null, s.ddlNotReplayed(), s.ddlRoles()));
            }
            Files.write(manifestFile, BackupSets.resealedKeepingSignature(manifestFile, x -> x.mapSegments(l -> forged)));
            assertThat(ManifestStore.readUnverified(manifestFile).segments()).as("the seal holds").isEqualTo(forged);

            Pipeline.Cli restore = p.cli("restore", "--to-db", "signedset_forged");
            assertThat(restore.code()).as(restore.out() + restore.err()).isEqualTo(ExitCode.DAMAGED);
            assertThat(restore.err()).contains("manifest.json fails its signature by key " + keyId).contains("HINT: ");
            Pipeline.Cli verify = p.cli("verify", "--backup");
            assertThat(verify.code()).isEqualTo(ExitCode.DAMAGED);
            assertThat(verify.err()).contains("manifest.json fails its signature by key " + keyId).contains("HINT: ");
            // not even with --allow-unsigned: a signature that fails is a forgery, not a missing signature
            assertThat(p.cli("restore", "--to-db", "signedset_forged", "--allow-unsigned").code()).isEqualTo(ExitCode.DAMAGED);
            // and neither a writer nor `pgscribe sign` signs it over
            Pipeline.Cli prune = p.cli("prune", "--dry-run");
            assertThat(prune.code()).isEqualTo(ExitCode.DAMAGED);
            byte[] forgedBytes = Files.readAllBytes(manifestFile);
            Pipeline.Cli launder = p.cli("sign");
            assertThat(launder.code()).isEqualTo(ExitCode.DAMAGED);
            assertThat(launder.err()).contains("fails its signature");
            assertThat(Files.readAllBytes(manifestFile)).isEqualTo(forgedBytes);
            assertDatabaseAbsent(p, "signedset_forged");

            // the genuine set, its signature stripped: an unsigned set
            Files.copy(savedSegment, segment, StandardCopyOption.REPLACE_EXISTING);
            Files.write(manifestFile, new ManifestStore(p.backupDir).sealedJson(m));
            Pipeline.Cli unsigned = p.cli("restore", "--to-db", "signedset_unsigned");
            assertThat(unsigned.code()).as(unsigned.err()).isEqualTo(ExitCode.REFUSED);
            assertThat(unsigned.err()).contains("is not signed").contains("--allow-unsigned");
            assertDatabaseAbsent(p, "signedset_unsigned");
            assertThat(p.cli("verify", "--backup").code()).isEqualTo(ExitCode.REFUSED);
            Pipeline.Cli writer = p.cli("prune", "--dry-run");
            assertThat(writer.code()).isEqualTo(ExitCode.REFUSED);
            assertThat(writer.err()).contains("is not signed").contains("pgscribe sign");
            // with a key configured, not even --allow-unsigned: a stripped signature looks just like this
            Pipeline.Cli stripped = p.cli("restore", "--to-db", "signedset_unsigned", "--allow-unsigned");
            assertThat(stripped.code()).isEqualTo(ExitCode.REFUSED);
            assertThat(stripped.err()).contains("a signature can be removed");
            Pipeline.Cli allowed = p.cli("-s", "pgscribe.backup.signing-key=", "restore", "--to-db", "signedset_unsigned",
                    "--allow-unsigned");
            assertThat(allowed.code()).as(allowed.err()).isZero();
            assertThat(allowed.out()).contains("Manifest: not signed");
            assertThat(p.verify("signedset_unsigned").differences()).isEmpty();

            // taken in by the operator, once every file matches: signed again, restored under the key
            Files.writeString(segment, read(segment).replace("'genuine'", "'forged'"), StandardCharsets.UTF_8);
            Pipeline.Cli damaged = p.cli("sign");
            assertThat(damaged.code()).isEqualTo(ExitCode.DAMAGED);
            assertThat(damaged.out()).contains("DAMAGED  " + target.file());
            assertThat(ManifestStore.readUnverified(manifestFile).signature()).isNull();
            Files.copy(savedSegment, segment, StandardCopyOption.REPLACE_EXISTING);
            Pipeline.Cli sign = p.cli("sign");
            assertThat(sign.code()).as(sign.err()).isZero();
            assertThat(sign.out()).contains("Was:    not signed").contains("with key " + keyId);
            Pipeline.Cli ok = p.cli("restore", "--to-db", "signedset_ok");
            assertThat(ok.code()).as(ok.err()).isZero();
            assertThat(ok.out()).contains("Manifest: signed by key " + keyId + ", signature holds");
            try (Connection c = Pg.connect(p.cluster.connection("signedset_ok"), "t")) {
                assertThat(Pg.string(c, "SELECT v FROM t WHERE id = 1")).isEqualTo("genuine");
            }

            // a set of another OS user (the runtime's) is restored from a private copy, which that user cannot change
            // between its check and its use
            if ("root".equals(System.getProperty("user.name"))) {
                var nobody = p.backupDir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
                var root = p.backupDir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("root");
                chown(p.backupDir, nobody);
                try {
                    Pipeline.Cli staged = p.cli("restore", "--to-db", "signedset_staged");
                    assertThat(staged.code()).as(staged.out() + staged.err()).isZero();
                    assertThat(staged.out()).contains("The backup set belongs to nobody: restoring from a private copy in ");
                    assertThat(p.verify("signedset_staged").differences()).isEmpty();
                } finally {
                    chown(p.backupDir, root);
                }
            }
        }
    }

    @Test
    void keygenWritesAnOwnerOnlyPairAndNeverOverwritesIt() throws Exception {
        Path dir = tmp.resolve("keys");
        Pipeline.Cli made = Pipeline.command("keygen", dir.toString());
        assertThat(made.code()).as(made.err()).isZero();
        assertThat(made.out()).contains("Key id:      ed25519:");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("pgscribe-signing.key"))))
                .isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwx------");
        String before = Files.readString(dir.resolve("pgscribe-signing.key"));
        Pipeline.Cli again = Pipeline.command("keygen", dir.toString());
        assertThat(again.code()).isEqualTo(ExitCode.REFUSED);
        assertThat(again.err()).contains("exists already");
        assertThat(Files.readString(dir.resolve("pgscribe-signing.key"))).isEqualTo(before);
    }

    private static void chown(Path dir, java.nio.file.attribute.UserPrincipal to) throws Exception {
        try (var all = Files.walk(dir)) {
            for (Path f : all.toList()) {
                Files.getFileAttributeView(f, java.nio.file.attribute.PosixFileAttributeView.class,
                        java.nio.file.LinkOption.NOFOLLOW_LINKS).setOwner(to);
            }
        }
    }

    private static void assertDatabaseAbsent(Pipeline p, String name) throws Exception {
        try (Connection admin = Pg.connect(p.cluster.connection("postgres"), "t")) {
            assertThat(Pg.string(admin, "SELECT count(*)::text FROM pg_database WHERE datname = '" + name + "'"))
                    .as("nothing restored").isEqualTo("0");
        }
    }

    private static String read(Path f) {
        try {
            return Files.readString(f, StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
