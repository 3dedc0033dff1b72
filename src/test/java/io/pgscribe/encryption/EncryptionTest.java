package io.pgscribe.encryption;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgscribe.PgscribeException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.bouncycastle.openpgp.api.OpenPGPKey;
import org.bouncycastle.openpgp.api.bc.BcOpenPGPApi;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EncryptionTest {

    static final byte[] SQL = ("INSERT INTO t VALUES ('secret-value-4711');\nCOMMIT;\n").repeat(5000)
            .getBytes(StandardCharsets.UTF_8);

    @TempDir
    static Path dir;
    static Path alicePub;
    static Path aliceSec;
    static Path bobPub;
    static Path bobSec;

    @BeforeAll
    static void keys() throws Exception {
        // version 4 keys: what gpg 2.2 reads and writes
        OpenPGPKey alice = new BcOpenPGPApi().generateKey(4).ed25519x25519Key("alice <a@example.org>").build("alice-pass".toCharArray());
        OpenPGPKey bob = new BcOpenPGPApi().generateKey(4).ed25519x25519Key("bob <b@example.org>").build(null);
        alicePub = write("alice.asc", alice.toCertificate().toAsciiArmoredString());
        aliceSec = write("alice-secret.asc", alice.toAsciiArmoredString());
        bobPub = dir.resolve("bob.gpg");
        Files.write(bobPub, bob.toCertificate().getEncoded()); // binary, as gpg --export writes without --armor
        bobSec = write("bob-secret.asc", bob.toAsciiArmoredString());
    }

    static Path write(String name, String text) throws IOException {
        Path p = Files.writeString(dir.resolve(name), text);
        Files.setPosixFilePermissions(p, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        return p;
    }

    static byte[] encrypt(Encryption e, byte[] plain) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        // buffered: closing the encrypting stream must flush and close what it writes to
        try (OutputStream enc = e.encrypting(new java.io.BufferedOutputStream(out, 1 << 16), "segment.sql")) {
            enc.write(plain);
        }
        return out.toByteArray();
    }

    static byte[] decrypt(Decryption d, byte[] cipher) throws IOException {
        try (InputStream in = d.decrypting(new ByteArrayInputStream(cipher), "segment.sql.gpg")) {
            return in.readAllBytes();
        }
    }

    static Encryption to(Path... keys) {
        List<Encryption.Recipient> r = new java.util.ArrayList<>();
        for (Path k : keys) {
            r.addAll(Encryption.readRecipients(k));
        }
        return new Encryption(r, null);
    }

    @Test
    void everyRecipientReadsWhatIsEncryptedToThemAll() throws IOException {
        byte[] cipher = encrypt(to(alicePub, bobPub), SQL);
        assertFalse(new String(cipher, StandardCharsets.ISO_8859_1).contains("secret-value-4711"));
        assertArrayEquals(SQL, decrypt(new Decryption(Decryption.readSecretKeys(aliceSec), "alice-pass".toCharArray(), null), cipher));
        assertArrayEquals(SQL, decrypt(new Decryption(Decryption.readSecretKeys(bobSec), null, null), cipher));
    }

    @Test
    void aPassphraseAloneEncryptsAndDecrypts() throws IOException {
        byte[] cipher = encrypt(new Encryption(List.of(), "correct horse".toCharArray()), SQL);
        assertArrayEquals(SQL, decrypt(new Decryption(null, null, "correct horse".toCharArray()), cipher));
        PgscribeException wrong = assertThrows(PgscribeException.class,
                () -> decrypt(new Decryption(null, null, "wrong".toCharArray()), cipher));
        assertTrue(wrong.getMessage().contains("cannot decrypt segment.sql.gpg"), wrong.getMessage());
    }

    @Test
    void aFileForAnotherKeyNamesTheKeysItIsFor() throws IOException {
        byte[] cipher = encrypt(to(alicePub), SQL);
        String aliceKey = String.format("%016X", Encryption.readRecipients(alicePub).get(0).key().getKeyID());
        PgscribeException e = assertThrows(PgscribeException.class,
                () -> decrypt(new Decryption(Decryption.readSecretKeys(bobSec), null, null), cipher));
        assertTrue(e.getMessage().contains("encrypted (OpenPGP) to key " + aliceKey + ", and none of those is configured here"),
                e.getMessage());
        PgscribeException none = assertThrows(PgscribeException.class, () -> decrypt(Decryption.NONE, cipher));
        assertTrue(none.getMessage().contains("no key to read it is configured"), none.getMessage());
    }

    @Test
    void aProtectedSecretKeyWithoutItsPassphraseIsNamed() throws IOException {
        byte[] cipher = encrypt(to(alicePub), SQL);
        PgscribeException e = assertThrows(PgscribeException.class,
                () -> decrypt(new Decryption(Decryption.readSecretKeys(aliceSec), null, null), cipher));
        assertTrue(e.hint().contains("PGSCRIBE_ENCRYPTION_SECRET_KEY_PASSPHRASE"), e.hint());
    }

    @Test
    void aChangedCiphertextNeverReadsAsData() throws IOException {
        byte[] cipher = encrypt(to(bobPub), SQL);
        Decryption bob = new Decryption(Decryption.readSecretKeys(bobSec), null, null);
        for (int at : new int[] {cipher.length / 2, cipher.length - 30}) {
            byte[] bad = cipher.clone();
            bad[at] ^= 0x01;
            Exception e = assertThrows(Exception.class, () -> decrypt(bob, bad));
            assertTrue(e instanceof IOException || e instanceof PgscribeException, e.toString());
        }
    }

    @Test
    void aKeyFileThatIsNoKeyIsRefusedWithTheCommandToMakeOne() throws IOException {
        Path junk = write("junk.asc", "not a key\n");
        PgscribeException e = assertThrows(PgscribeException.class, () -> Encryption.readRecipients(junk));
        assertTrue(e.hint().contains("gpg --export"), e.hint());
        PgscribeException missing = assertThrows(PgscribeException.class, () -> Encryption.readRecipients(dir.resolve("none.asc")));
        assertTrue(missing.getMessage().contains("none.asc"), missing.getMessage());
    }

    @Test
    void namesSayWhichFilesAreEncrypted() {
        assertTrue(Encryption.isEncrypted("segments/x.sql.gz.gpg"));
        assertFalse(Encryption.isEncrypted("segments/x.sql.gz"));
        assertEquals("segments/x.sql.gz", Encryption.plainName("segments/x.sql.gz.gpg"));
        assertEquals("OpenPGP to a passphrase", new Encryption(List.of(), "p".toCharArray()).describe());
    }

    @Test
    void aSecretKeyGivenAsARecipientAndKeyFilesOthersCanChangeAreRefused() throws IOException {
        PgscribeException secret = assertThrows(PgscribeException.class, () -> Encryption.readRecipients(bobSec));
        assertTrue(secret.getMessage().contains("holds a secret key, not a public one"), secret.getMessage());
        Path shared = write("shared.asc", Files.readString(alicePub));
        Files.setPosixFilePermissions(shared, java.nio.file.attribute.PosixFilePermissions.fromString("rw-rw-r--"));
        PgscribeException writable = assertThrows(PgscribeException.class, () -> Encryption.readRecipients(shared));
        assertTrue(writable.hint().startsWith("chmod 644"), writable.hint());
        Path readable = write("readable-secret.asc", Files.readString(bobSec));
        Files.setPosixFilePermissions(readable, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        PgscribeException open = assertThrows(PgscribeException.class, () -> Decryption.readSecretKeys(readable));
        assertTrue(open.hint().startsWith("chmod 600"), open.hint());
        PgscribeException missing = assertThrows(PgscribeException.class, () -> Encryption.readRecipients(dir.resolve("gone.asc")));
        assertTrue(missing.getMessage().endsWith("gone.asc does not exist"), missing.getMessage());
    }
}
