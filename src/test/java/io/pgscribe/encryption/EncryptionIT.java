package io.pgscribe.encryption;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgscribe.ExitCode;
import io.pgscribe.manifest.BaseEntry;
import io.pgscribe.manifest.Manifest;
import io.pgscribe.manifest.SegmentEntry;
import io.pgscribe.pg.LocalCluster;
import io.pgscribe.pg.Pg;
import io.pgscribe.pg.PgServer;
import io.pgscribe.pg.ReplicaIdentityAudit;
import io.pgscribe.testing.PgClusterExtension;
import io.pgscribe.testing.Pipeline;
import io.pgscribe.testing.S3TestServer;
import io.pgscribe.verify.Verifier;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * An encrypted backup set against a real server, the in-process S3 server and gpg itself: the
 * keys are made with gpg as an operator would, and gpg reads what pgscribe encrypted.
 */
@ExtendWith(PgClusterExtension.class)
class EncryptionIT {

    static final String SECRET_VALUE = "card-4929-1234-5678-9012";
    static final String SECRET_DDL = "ddl-password-Tr0ub4dor";

    @TempDir
    Path tmp;
    Path gnupgHome;
    Path publicKey;
    Path secretKey;

    @BeforeEach
    void gpgKey() throws Exception {
        gnupgHome = Files.createTempDirectory(Path.of("/tmp"), "gpg"); // the agent's socket path must be short
        Files.setPosixFilePermissions(gnupgHome, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        gpg(null, "--batch", "--passphrase", "", "--quick-gen-key", "pgscribe backups <backups@example.org>", "default",
                "default", "never");
        publicKey = tmp.resolve("backups.pub.asc");
        Files.write(publicKey, gpg(null, "--export", "--armor", "backups@example.org"));
        secretKey = tmp.resolve("backups.secret.asc");
        Files.write(secretKey, gpg(null, "--batch", "--pinentry-mode", "loopback", "--passphrase", "", "--export-secret-keys",
                "--armor", "backups@example.org"));
        Files.setPosixFilePermissions(secretKey, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    }

    @AfterEach
    void stopAgent() throws Exception {
        new ProcessBuilder("gpgconf", "--homedir", gnupgHome.toString(), "--kill", "gpg-agent").start().waitFor();
        LocalCluster.deleteTree(gnupgHome);
    }

    private byte[] gpg(byte[] input, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("gpg", "--homedir", gnupgHome.toString(), "--quiet"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectError(tmp.resolve("gpg.err").toFile()).start();
        try (var in = p.getOutputStream()) {
            if (input != null) {
                in.write(input);
            }
        }
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor()).as(String.join(" ", cmd) + ": " + Files.readString(tmp.resolve("gpg.err"))).isZero();
        return out;
    }

    private Map<String, String> settings(S3TestServer s3) {
        Map<String, String> m = new HashMap<>(s3.shipping("vault"));
        m.put("pgscribe.compression", "gzip");
        m.put("pgscribe.compression.interval-ms", "200");
        m.put("pgscribe.ship.interval-ms", "300");
        m.put("pgscribe.ship.retry-max-delay", "1");
        m.put("pgscribe.segment.max-bytes", "16384");
        m.put("pgscribe.encryption.recipients", publicKey.toString());
        return m;
    }

    /** Every file the manifest lists is encrypted and shipped, and the store has the current manifest. */
    private static boolean allShipped(Pipeline p, S3TestServer s3) {
        Manifest m = p.manifest();
        Manifest.Shipping sh = m.shippingState();
        List<String> files = files(m);
        if (files.isEmpty() || !files.stream().allMatch(f -> f.endsWith(".gpg") && sh.isShipped(f))
                || !sh.remotePendingDeletes().isEmpty()) {
            return false;
        }
        Map<String, Long> objects = s3.objects("vault", p.database + "/");
        return objects.containsKey(p.database + "/manifest.json") && files.stream().allMatch(f -> objects.containsKey(p.database + "/" + f));
    }

    private static List<String> files(Manifest m) {
        List<String> files = new ArrayList<>();
        m.globals().forEach(g -> files.add(g.file()));
        for (BaseEntry b : m.bases()) {
            files.add(b.file());
            files.add(b.metadataFile());
            if (b.checksumsFile() != null) {
                files.add(b.checksumsFile());
            }
        }
        m.segments().forEach(s -> files.add(s.file()));
        return files;
    }

    private static void workload(Connection c, int rounds) throws Exception {
        for (int i = 0; i < rounds; i++) {
            Pg.execute(c, "BEGIN; INSERT INTO payment (card, note) SELECT '" + SECRET_VALUE + "', repeat(md5(g::text), 4) "
                    + "FROM generate_series(1, 20) g; UPDATE payment SET note = note || '+' WHERE id % 7 = " + (i % 7) + "; COMMIT");
        }
        Pg.execute(c, "COMMENT ON TABLE payment IS '" + SECRET_DDL + "'");
    }

    /** A table of secrets in the base ({@code baseRows}) and in the segments ({@code rounds}), captured. */
    private static void captured(Pipeline p, int baseRows, int rounds) throws Exception {
        try (Connection c = p.connect()) {
            Pg.execute(c, "CREATE TABLE payment (id bigserial PRIMARY KEY, card text, note text)");
            Pg.execute(c, "INSERT INTO payment (card, note) SELECT '" + SECRET_VALUE + "', 'in the base' FROM generate_series(1, "
                    + baseRows + ")");
        }
        p.init(ReplicaIdentityAudit.Mode.REFUSE);
        p.start();
        try (Connection c = p.connect()) {
            workload(c, rounds);
        }
        p.fenceAndWait();
    }

    @Test
    void anEncryptedSetShipsNoPlainTextAndRestoresFromTheStoreWithTheSecretKey(PgServer cluster) throws Exception {
        try (S3TestServer s3 = new S3TestServer(tmp.resolve("s3"));
             Pipeline p = Pipeline.create(cluster, "vaulted", tmp.resolve("backup"), settings(s3))) {
            s3.createBucket("vault");
            captured(p, 50, 30);
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).until(() -> allShipped(p, s3));
            p.stop();

            Manifest m = p.manifest();
            assertThat(m.segments()).hasSizeGreaterThan(1);
            // nothing in the store reads as plain text: no value, no DDL text
            Map<String, Long> objects = s3.objects("vault", "vaulted/");
            for (String key : objects.keySet()) {
                String raw = new String(s3.client().getObjectAsBytes(g -> g.bucket("vault").key(key)).asByteArray(),
                        StandardCharsets.ISO_8859_1);
                assertThat(raw).as(key).doesNotContain(SECRET_VALUE).doesNotContain(SECRET_DDL).doesNotContain("INSERT INTO");
                assertThat(key.endsWith(".gpg") || key.endsWith("/manifest.json")).as(key + " is encrypted").isTrue();
            }
            // nor the local set's closed files (the spool, pg_recvlogical's own output, is not among them)
            for (String f : files(m)) {
                assertThat(new String(Files.readAllBytes(p.backupDir.resolve(f)), StandardCharsets.ISO_8859_1)).as(f)
                        .doesNotContain(SECRET_VALUE).doesNotContain(SECRET_DDL);
                assertThat(Files.getPosixFilePermissions(p.backupDir.resolve(f))).as(f + " owner-only")
                        .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            }

            // gpg itself reads a segment: SQL whose digest and size the manifest (plain in the store) does not give away
            SegmentEntry seg = m.segments().stream().filter(s -> s.transactions() > 0).findFirst().orElseThrow();
            assertThat(seg.sqlSha256()).isNull();
            assertThat(seg.sqlBytes()).isNull();
            byte[] decrypted = gpg(null, "--batch", "--decrypt", p.backupDir.resolve(seg.file()).toString());
            byte[] sql;
            try (var in = new GZIPInputStream(new ByteArrayInputStream(decrypted))) {
                sql = in.readAllBytes();
            }
            assertThat(new String(sql, StandardCharsets.UTF_8)).contains(SECRET_VALUE).contains("COMMIT;");
            // a whole segment: its footer counts its transactions as the manifest does
            assertThat(new String(sql, StandardCharsets.UTF_8)).endsWith(io.pgscribe.segment.SegmentFormat.footer(seg.transactions(),
                    seg.firstLsn(), seg.lastLsn()));

            LocalCluster.deleteTree(p.backupDir); // the store alone restores
            Path staging = tmp.resolve("staging");
            // without a key: verify checks the stored bytes and says it did not read them; restore is refused
            Pipeline.Cli verify = p.cli("verify", "--backup", "--from-s3", "--staging-dir", staging.toString());
            assertThat(verify.code()).as(verify.out() + verify.err()).isZero();
            assertThat(verify.out()).contains("only as stored (set pgscribe.encryption.secret-key");
            Pipeline.Cli refused = p.cli("restore", "--to-db", "vaulted_nokey", "--from-s3", "--staging-dir", staging.toString());
            assertThat(refused.code()).as(refused.out() + refused.err()).isEqualTo(ExitCode.USAGE);
            assertThat(refused.err()).contains(m.bases().get(0).file() + " is encrypted (OpenPGP) to key")
                    .contains("no key to read it is configured");
            System.out.println(refused.err()); // the README shows this message

            Map<String, String> reader = settings(s3);
            reader.put("pgscribe.encryption.secret-key", secretKey.toString());
            try (Pipeline r = new Pipeline(cluster, "vaulted", p.backupDir, reader)) {
                Pipeline.Cli fullVerify = r.cli("verify", "--backup", "--from-s3", "--staging-dir", staging.toString());
                assertThat(fullVerify.code()).as(fullVerify.out() + fullVerify.err()).isZero();
                assertThat(fullVerify.out()).contains("every one matches the manifest").doesNotContain("only as stored");
                Pipeline.Cli restore = r.cli("restore", "--to-db", "vaulted_restored", "--with-globals", "--from-s3",
                        "--staging-dir", staging.toString());
                assertThat(restore.code()).as(restore.out() + restore.err()).isZero();
                Verifier.Report report = p.verify("vaulted_restored");
                assertThat(report.same()).as(report.toString()).isTrue();
            }
        }
    }

    @Test
    void aCustomFormatBaseWithAPassphraseRestoresThroughPgRestoresInput(PgServer cluster) throws Exception {
        Map<String, String> extra = new HashMap<>();
        extra.put("pgscribe.base.format", "custom");
        extra.put("pgscribe.compression", "none");
        extra.put("pgscribe.compression.interval-ms", "200");
        extra.put("pgscribe.encryption.passphrase", "long enough passphrase for the test");
        try (Pipeline p = Pipeline.create(cluster, "vaulted_custom", tmp.resolve("custom"), extra)) {
            captured(p, 200, 5);
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> files(p.manifest()).stream().allMatch(f -> f.endsWith(".gpg")));
            p.stop();
            Manifest m = p.manifest();
            BaseEntry base = m.bases().get(0);
            assertThat(base.file()).endsWith(".dump.gpg");
            // gpg with the passphrase gives back pg_dump's archive, byte for byte what the manifest names
            byte[] archive = gpg(null, "--batch", "--pinentry-mode", "loopback", "--passphrase",
                    "long enough passphrase for the test", "--decrypt", p.backupDir.resolve(base.file()).toString());
            assertThat(new String(archive, 0, 5, StandardCharsets.US_ASCII)).isEqualTo("PGDMP");
            assertThat(base.sqlSha256()).isNull(); // the archive's digest is no one's to read from the plain manifest

            Pipeline.Cli restore = p.cli("restore", "--to-db", "vaulted_custom_restored");
            assertThat(restore.code()).as(restore.out() + restore.err()).isZero();
            assertThat(p.verify("vaulted_custom_restored").same()).isTrue();

            // a wrong passphrase is named, and nothing is restored
            Map<String, String> wrong = new HashMap<>(extra);
            wrong.put("pgscribe.encryption.passphrase", "not the passphrase");
            try (Pipeline w = new Pipeline(cluster, "vaulted_custom", p.backupDir, wrong)) {
                Pipeline.Cli refused = w.cli("restore", "--to-db", "vaulted_custom_wrong");
                assertThat(refused.code()).as(refused.out() + refused.err()).isEqualTo(ExitCode.USAGE);
                assertThat(refused.err()).contains("cannot decrypt").contains("(a wrong passphrase?)");
            }
        }
    }

    private void storeStaysRestorable(S3TestServer s3, String prefix, int segmentsAtLeast) throws IOException {
        Map<String, Long> objects = s3.objects("vault", prefix + "/");
        Path copy = tmp.resolve("store-manifest.json");
        Files.write(copy, s3.client().getObjectAsBytes(g -> g.bucket("vault").key(prefix + "/manifest.json")).asByteArray());
        Manifest there = io.pgscribe.manifest.ManifestStore.readUnverified(copy);
        assertThat(there.bases()).as("the store's manifest names a base").isNotEmpty();
        assertThat(there.segments().size()).as("the store's manifest keeps its segments").isGreaterThanOrEqualTo(segmentsAtLeast);
        for (String f : files(there)) {
            assertThat(objects).as(f + ", which the store's manifest names, is in the store").containsKey(prefix + "/" + f);
        }
    }

    @Test
    void encryptionTurnedOnForAShippedSetReplacesEveryPlainCopyInTheStoreAndCannotBeLostQuietly(PgServer cluster)
            throws Exception {
        try (S3TestServer s3 = new S3TestServer(tmp.resolve("s3"))) {
            s3.createBucket("vault");
            Map<String, String> plain = settings(s3);
            plain.remove("pgscribe.encryption.recipients");
            try (Pipeline p = Pipeline.create(cluster, "vaulted_later", tmp.resolve("later"), plain)) {
                captured(p, 50, 20);
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
                    Manifest m = p.manifest();
                    return files(m).stream().allMatch(f -> m.shippingState().isShipped(f) && !f.endsWith(".gpg"))
                            && m.segments().stream().allMatch(x -> x.compression() != null);
                });
                p.stop();
                assertThat(s3.objects("vault", "vaulted_later/").keySet()).noneMatch(k -> k.endsWith(".gpg"));
                int shippedSegments = p.manifest().segments().size();

                // the same set, the runtime started again with a recipient
                Pipeline e = new Pipeline(cluster, "vaulted_later", p.backupDir, settings(s3));
                e.start();
                try (Connection c = e.connect()) {
                    workload(c, 5);
                }
                e.fenceAndWait();
                // all along, the store's manifest names a base and every segment it had, each one there
                await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100)).until(() -> {
                    storeStaysRestorable(s3, "vaulted_later", shippedSegments);
                    return allShipped(e, s3) && s3.objects("vault", "vaulted_later/").keySet().stream()
                            .allMatch(k -> k.endsWith(".gpg") || k.endsWith("/manifest.json"));
                });
                e.stop();
                for (String key : s3.objects("vault", "vaulted_later/").keySet()) {
                    String raw = new String(s3.client().getObjectAsBytes(g -> g.bucket("vault").key(key)).asByteArray(),
                            StandardCharsets.ISO_8859_1);
                    assertThat(raw).as(key).doesNotContain(SECRET_VALUE);
                }
                Map<String, String> reader = settings(s3);
                reader.put("pgscribe.encryption.secret-key", secretKey.toString());
                Pipeline.Cli restore = new Pipeline(cluster, "vaulted_later", p.backupDir, reader).cli("restore", "--to-db",
                        "vaulted_later_restored", "--from-s3", "--staging-dir", tmp.resolve("staging").toString());
                assertThat(restore.code()).as(restore.out() + restore.err()).isZero();
                assertThat(p.verify("vaulted_later_restored").same()).isTrue();

                // the passphrase variable or the recipients setting lost: the runtime does not start
                io.pgscribe.PgscribeException refused = org.junit.jupiter.api.Assertions.assertThrows(
                        io.pgscribe.PgscribeException.class, () -> new Pipeline(cluster, "vaulted_later", p.backupDir, plain).start());
                assertThat(refused.getMessage()).contains("holds encrypted files, but neither pgscribe.encryption.recipients "
                        + "nor PGSCRIBE_ENCRYPTION_PASSPHRASE is set");
                assertThat(refused.exitCode()).isEqualTo(ExitCode.REFUSED);
            }
        }
    }
}
