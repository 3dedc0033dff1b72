package io.pgscribe.encryption;

import io.pgscribe.ExitCode;
import io.pgscribe.PgscribeException;
import io.pgscribe.config.Setting;
import io.pgscribe.config.Settings;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.bouncycastle.bcpg.SymmetricKeyAlgorithmTags;
import org.bouncycastle.openpgp.PGPEncryptedDataGenerator;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPLiteralData;
import org.bouncycastle.openpgp.PGPLiteralDataGenerator;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.api.OpenPGPCertificate;
import org.bouncycastle.openpgp.api.OpenPGPKeyReader;
import org.bouncycastle.openpgp.operator.bc.BcPBEKeyEncryptionMethodGenerator;
import org.bouncycastle.openpgp.operator.bc.BcPGPDataEncryptorBuilder;
import org.bouncycastle.openpgp.operator.bc.BcPGPDigestCalculatorProvider;
import org.bouncycastle.openpgp.operator.bc.BcPublicKeyKeyEncryptionMethodGenerator;

/**
 * Encryption at rest of a backup set's closed files: each becomes an OpenPGP message (RFC 4880,
 * what {@code gpg --decrypt} has read for 25 years), AES-256 with an integrity packet, to every
 * recipient's public key and, if one is set, to a passphrase. Public keys are all a writer needs:
 * the runtime cannot read back what it encrypted, so only a host with a secret key can.
 */
public final class Encryption {

    /** The suffix of an encrypted file, after any compression suffix ({@code .sql.gz.gpg}). */
    public static final String SUFFIX = ".gpg";
    /** S2K iterations for a passphrase: 8 MiB of SHA-256 per file (about 30 ms here). */
    private static final int S2K_COUNT = 0xd0;

    private final List<Recipient> recipients;
    private final char[] passphrase;
    private final SecureRandom random = new SecureRandom();

    /** A public key files are encrypted to: the certificate's fingerprint and its encryption (sub)key. */
    public record Recipient(String fingerprint, PGPPublicKey key) {
    }

    Encryption(List<Recipient> recipients, char[] passphrase) {
        this.recipients = List.copyOf(recipients);
        this.passphrase = passphrase;
    }

    /** To these recipients and, if not null, to {@code passphrase}. */
    public static Encryption of(List<Recipient> recipients, String passphrase) {
        return new Encryption(recipients, passphrase == null ? null : passphrase.toCharArray());
    }

    /** From {@code pgscribe.encryption.recipients} and {@code .passphrase}; null when neither is set. */
    public static Encryption fromSettings(Settings s) {
        List<Recipient> recipients = new ArrayList<>();
        for (String f : s.get(Setting.ENCRYPTION_RECIPIENTS).split(",")) {
            if (!f.isBlank()) {
                recipients.addAll(readRecipients(Path.of(f.strip())));
            }
        }
        String pass = s.get(Setting.ENCRYPTION_PASSPHRASE);
        if (recipients.isEmpty() && pass.isEmpty()) {
            return null;
        }
        return new Encryption(recipients, pass.isEmpty() ? null : pass.toCharArray());
    }

    /** Every certificate in a public key file (armored or binary, as {@code gpg --export} writes it). */
    public static List<Recipient> readRecipients(Path file) {
        List<Recipient> out = new ArrayList<>();
        byte[] bytes;
        try {
            // whoever could write it could put their own key here and read every backup from then on
            java.util.Set<java.nio.file.attribute.PosixFilePermission> p = Files.getPosixFilePermissions(file);
            if (p.contains(java.nio.file.attribute.PosixFilePermission.GROUP_WRITE)
                    || p.contains(java.nio.file.attribute.PosixFilePermission.OTHERS_WRITE)) {
                throw new PgscribeException("the OpenPGP public key " + file + " can be written by others ("
                        + java.nio.file.attribute.PosixFilePermissions.toString(p) + ")",
                        "chmod 644 " + file + ": whoever can replace it can read every backup encrypted after that.",
                        ExitCode.USAGE, null);
            }
            bytes = Files.readAllBytes(file);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new PgscribeException("the OpenPGP public key " + file + " does not exist",
                    "Set pgscribe.encryption.recipients to files written by `gpg --export --armor KEYID > FILE`.",
                    ExitCode.USAGE, e);
        } catch (IOException e) {
            throw new PgscribeException("cannot read the OpenPGP public key " + file + ": " + e.getMessage(),
                    "Set pgscribe.encryption.recipients to files written by `gpg --export --armor KEYID > FILE`.",
                    ExitCode.USAGE, e);
        }
        List<OpenPGPCertificate> certs;
        try {
            certs = new OpenPGPKeyReader().parseKeysOrCertificates(bytes);
        } catch (IOException | RuntimeException e) {
            throw new PgscribeException(file + " is not an OpenPGP public key (" + e.getMessage() + ")",
                    "Export one with `gpg --export --armor KEYID > " + file + "`.", ExitCode.USAGE, e);
        }
        if (certs.isEmpty()) {
            throw new PgscribeException(file + " holds no OpenPGP key", "Export one with `gpg --export --armor KEYID`.",
                    ExitCode.USAGE, null);
        }
        Date now = new Date();
        for (OpenPGPCertificate c : certs) {
            if (c instanceof org.bouncycastle.openpgp.api.OpenPGPKey) {
                // the runtime must not hold what can read the backups
                throw new PgscribeException(file + " holds a secret key, not a public one",
                        "Give the runtime only the public key: `gpg --export --armor KEYID > FILE`; keep the secret key "
                                + "for the hosts that restore (pgscribe.encryption.secret-key).", ExitCode.USAGE, null);
            }
            String fingerprint = org.bouncycastle.util.encoders.Hex.toHexString(c.getFingerprint()).toUpperCase(java.util.Locale.ROOT);
            List<OpenPGPCertificate.OpenPGPComponentKey> keys = c.getEncryptionKeys(now);
            if (keys.isEmpty()) {
                throw new PgscribeException("the OpenPGP key " + fingerprint + " in " + file
                        + " has no encryption key that is valid now (expired, revoked, or for signing only)",
                        "Give a key with a valid encryption subkey (`gpg --quick-add-key FPR cv25519 encr`).",
                        ExitCode.USAGE, null);
            }
            // the newest valid encryption subkey, as gpg picks it
            OpenPGPCertificate.OpenPGPComponentKey newest = keys.get(0);
            for (var k : keys) {
                if (k.getCreationTime().after(newest.getCreationTime())) {
                    newest = k;
                }
            }
            out.add(new Recipient(fingerprint, newest.getPGPPublicKey()));
        }
        return out;
    }

    public List<Recipient> recipients() {
        return recipients;
    }

    /** For logs and status: who can read the files, never the passphrase. */
    public String describe() {
        List<String> parts = new ArrayList<>();
        // errors name the subkey a file is encrypted to, so both are shown
        recipients.forEach(r -> parts.add("key " + r.fingerprint() + " (encryption subkey "
                + String.format(java.util.Locale.ROOT, "%016X", r.key().getKeyID()) + ")"));
        if (passphrase != null) {
            parts.add("a passphrase");
        }
        return "OpenPGP to " + String.join(", ", parts);
    }

    /**
     * A stream that encrypts into {@code out}; closing it finishes the message and closes
     * {@code out}. {@code name} goes into the literal packet (what {@code gpg} calls the
     * embedded file name).
     */
    public OutputStream encrypting(OutputStream out, String name) throws IOException {
        PGPEncryptedDataGenerator gen = new PGPEncryptedDataGenerator(new BcPGPDataEncryptorBuilder(
                SymmetricKeyAlgorithmTags.AES_256).setWithIntegrityPacket(true).setSecureRandom(random));
        for (Recipient r : recipients) {
            gen.addMethod(new BcPublicKeyKeyEncryptionMethodGenerator(r.key()).setSecureRandom(random));
        }
        if (passphrase != null) {
            try {
                gen.addMethod(new BcPBEKeyEncryptionMethodGenerator(passphrase,
                        new BcPGPDigestCalculatorProvider().get(HashAlgorithmTags.SHA256), S2K_COUNT).setSecureRandom(random));
            } catch (PGPException e) {
                throw new IOException("cannot set up passphrase encryption: " + e.getMessage(), e);
            }
        }
        OutputStream encrypted;
        try {
            encrypted = gen.open(out, new byte[1 << 16]);
        } catch (PGPException e) {
            throw new IOException("cannot start OpenPGP encryption: " + e.getMessage(), e);
        }
        OutputStream target = out; // FilterOutputStream's own field "out" would shadow it below
        PGPLiteralDataGenerator literal = new PGPLiteralDataGenerator();
        OutputStream plain = literal.open(encrypted, PGPLiteralData.BINARY, name, new Date(), new byte[1 << 16]);
        return new FilterOutputStream(plain) {
            private boolean closed;

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                plain.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                if (closed) {
                    return;
                }
                closed = true;
                try {
                    plain.close(); // the literal packet's last part
                    gen.close(); // the integrity packet
                } finally {
                    target.close();
                }
            }
        };
    }

    /** Whether a stored file's name says it is encrypted. */
    public static boolean isEncrypted(String fileName) {
        return fileName.endsWith(SUFFIX);
    }

    /** The name without {@link #SUFFIX}. */
    public static String plainName(String fileName) {
        return isEncrypted(fileName) ? fileName.substring(0, fileName.length() - SUFFIX.length()) : fileName;
    }
}
