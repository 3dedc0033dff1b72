package io.pgscribe.encryption;

import io.pgscribe.ExitCode;
import io.pgscribe.PgscribeException;
import io.pgscribe.config.Setting;
import io.pgscribe.config.Settings;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.bouncycastle.openpgp.PGPCompressedData;
import org.bouncycastle.openpgp.PGPEncryptedData;
import org.bouncycastle.openpgp.PGPEncryptedDataList;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPLiteralData;
import org.bouncycastle.openpgp.PGPMarker;
import org.bouncycastle.openpgp.PGPPBEEncryptedData;
import org.bouncycastle.openpgp.PGPPrivateKey;
import org.bouncycastle.openpgp.PGPPublicKeyEncryptedData;
import org.bouncycastle.openpgp.PGPSecretKey;
import org.bouncycastle.openpgp.PGPSecretKeyRingCollection;
import org.bouncycastle.openpgp.PGPUtil;
import org.bouncycastle.openpgp.bc.BcPGPObjectFactory;
import org.bouncycastle.openpgp.operator.bc.BcKeyFingerprintCalculator;
import org.bouncycastle.openpgp.operator.bc.BcPBEDataDecryptorFactory;
import org.bouncycastle.openpgp.operator.bc.BcPBESecretKeyDecryptorBuilder;
import org.bouncycastle.openpgp.operator.bc.BcPGPDigestCalculatorProvider;
import org.bouncycastle.openpgp.operator.bc.BcPublicKeyDataDecryptorFactory;

/**
 * Reading encrypted files back: with a secret key ({@code pgscribe.encryption.secret-key}, as
 * {@code gpg --export-secret-keys} writes it) or the passphrase. A message without an
 * integrity packet is refused, and one whose integrity check fails throws at its end, so a
 * changed ciphertext never reads as SQL.
 */
public final class Decryption {

    /** Reads nothing encrypted: the error names the keys a file is encrypted to. */
    public static final Decryption NONE = new Decryption(null, null, null);

    private final PGPSecretKeyRingCollection secretKeys;
    private final char[] keyPassphrase;
    private final char[] passphrase;
    private final Map<Long, PGPPrivateKey> unlocked = new HashMap<>();

    Decryption(PGPSecretKeyRingCollection secretKeys, char[] keyPassphrase, char[] passphrase) {
        this.secretKeys = secretKeys;
        this.keyPassphrase = keyPassphrase;
        this.passphrase = passphrase;
    }

    /** With the secret keys in {@code secretKey} (null: none) and, if not null, a passphrase. */
    public static Decryption of(Path secretKey, String keyPassphrase, String passphrase) {
        return new Decryption(secretKey == null ? null : readSecretKeys(secretKey),
                keyPassphrase == null ? null : keyPassphrase.toCharArray(), passphrase == null ? null : passphrase.toCharArray());
    }

    /** From {@code pgscribe.encryption.secret-key}, {@code .secret-key-passphrase} and {@code .passphrase}. */
    public static Decryption fromSettings(Settings s) {
        String keyFile = s.get(Setting.ENCRYPTION_SECRET_KEY);
        String keyPass = s.get(Setting.ENCRYPTION_SECRET_KEY_PASSPHRASE);
        String pass = s.get(Setting.ENCRYPTION_PASSPHRASE);
        if (keyFile.isBlank() && pass.isEmpty()) {
            return NONE;
        }
        return new Decryption(keyFile.isBlank() ? null : readSecretKeys(Path.of(keyFile.strip())),
                keyPass.isEmpty() ? null : keyPass.toCharArray(), pass.isEmpty() ? null : pass.toCharArray());
    }

    static PGPSecretKeyRingCollection readSecretKeys(Path file) {
        try {
            java.util.Set<java.nio.file.attribute.PosixFilePermission> p = Files.getPosixFilePermissions(file);
            if (p.contains(java.nio.file.attribute.PosixFilePermission.OTHERS_READ)
                    || p.contains(java.nio.file.attribute.PosixFilePermission.OTHERS_WRITE)
                    || p.contains(java.nio.file.attribute.PosixFilePermission.GROUP_WRITE)) {
                throw new PgscribeException("the OpenPGP secret key " + file + " can be read or written by others ("
                        + java.nio.file.attribute.PosixFilePermissions.toString(p) + ")",
                        "chmod 600 " + file + ": whoever reads it can read every backup encrypted to it.", ExitCode.USAGE, null);
            }
        } catch (IOException e) {
            throw new PgscribeException("cannot read the OpenPGP secret key " + file + ": " + (e instanceof
                    java.nio.file.NoSuchFileException ? "no such file" : e.getMessage()),
                    "Set pgscribe.encryption.secret-key to a file written by `gpg --export-secret-keys --armor KEYID > FILE`.",
                    ExitCode.USAGE, e);
        }
        try (InputStream in = PGPUtil.getDecoderStream(Files.newInputStream(file))) {
            PGPSecretKeyRingCollection keys = new PGPSecretKeyRingCollection(in, new BcKeyFingerprintCalculator());
            if (keys.size() == 0) {
                throw new PGPException("it holds no secret key");
            }
            return keys;
        } catch (IOException | PGPException | RuntimeException e) {
            throw new PgscribeException("cannot read the OpenPGP secret key " + file + ": " + e.getMessage(),
                    "Set pgscribe.encryption.secret-key to a file written by `gpg --export-secret-keys --armor KEYID > FILE` "
                            + "(owner-only).", ExitCode.USAGE, e);
        }
    }

    /** Whether this can read any encrypted file at all (a key or a passphrase is configured). */
    public boolean configured() {
        return secretKeys != null || passphrase != null;
    }

    /**
     * The plain bytes of the OpenPGP message {@code raw} (binary or armored). {@code name} is
     * for messages. A file none of the configured keys opens throws {@link PgscribeException}
     * naming the keys it is encrypted to.
     */
    public InputStream decrypting(InputStream raw, String name) throws IOException {
        BcPGPObjectFactory f = new BcPGPObjectFactory(PGPUtil.getDecoderStream(raw));
        Object o = next(f, name);
        while (o instanceof PGPMarker) {
            o = next(f, name);
        }
        if (!(o instanceof PGPEncryptedDataList list)) {
            throw new IOException(name + " is not an OpenPGP encrypted message");
        }
        List<String> to = new ArrayList<>();
        PGPEncryptedData chosen = null;
        InputStream clear = null;
        try {
            for (PGPEncryptedData d : list) {
                if (d instanceof PGPPublicKeyEncryptedData pk) {
                    to.add("key " + String.format(Locale.ROOT, "%016X", pk.getKeyID()));
                    PGPPrivateKey key = privateKey(pk.getKeyID());
                    if (key != null && clear == null) {
                        chosen = pk;
                        clear = pk.getDataStream(new BcPublicKeyDataDecryptorFactory(key));
                    }
                } else if (d instanceof PGPPBEEncryptedData pbe) {
                    to.add("a passphrase");
                    if (passphrase != null && clear == null) {
                        chosen = pbe;
                        clear = pbe.getDataStream(new BcPBEDataDecryptorFactory(passphrase, new BcPGPDigestCalculatorProvider()));
                    }
                }
            }
        } catch (PGPException e) {
            throw new PgscribeException("cannot decrypt " + name + ": " + e.getMessage()
                    + (chosen instanceof PGPPBEEncryptedData ? " (a wrong passphrase?)" : ""),
                    "Check pgscribe.encryption.passphrase, or the secret key and its passphrase.", ExitCode.USAGE, e);
        }
        if (clear == null) {
            throw new PgscribeException(name + " is encrypted (OpenPGP) to " + String.join(", ", to)
                    + (configured() ? ", and none of those is configured here" : "; no key to read it is configured"),
                    "Set pgscribe.encryption.secret-key to the secret key of one of them (exported with "
                            + "`gpg --export-secret-keys --armor KEYID`), or PGSCRIBE_ENCRYPTION_PASSPHRASE.",
                    ExitCode.USAGE, null);
        }
        if (!chosen.isIntegrityProtected()) {
            throw new IOException(name + " is an OpenPGP message without an integrity packet; pgscribe never writes one");
        }
        BcPGPObjectFactory inner = new BcPGPObjectFactory(clear);
        Object packet = next(inner, name);
        if (packet instanceof PGPCompressedData c) { // gpg compresses what it encrypts by default
            try {
                inner = new BcPGPObjectFactory(c.getDataStream());
            } catch (PGPException e) {
                throw new IOException(name + ": " + e.getMessage(), e);
            }
            packet = next(inner, name);
        }
        if (!(packet instanceof PGPLiteralData literal)) {
            throw new IOException(name + " holds no data packet where one belongs");
        }
        PGPEncryptedData checked = chosen;
        return new CheckedAtEnd(literal.getInputStream(), () -> {
            try {
                if (!checked.verify()) {
                    throw new IOException(name + " fails its OpenPGP integrity check: it was changed after it was encrypted");
                }
            } catch (PGPException e) {
                throw new IOException(name + " fails its OpenPGP integrity check: " + e.getMessage(), e);
            }
        }, raw);
    }

    private synchronized PGPPrivateKey privateKey(long keyId) throws PGPException {
        if (secretKeys == null) {
            return null;
        }
        PGPPrivateKey cached = unlocked.get(keyId);
        if (cached != null) {
            return cached;
        }
        PGPSecretKey sk = secretKeys.getSecretKey(keyId);
        if (sk == null) {
            return null;
        }
        PGPPrivateKey key;
        try {
            key = sk.extractPrivateKey(new BcPBESecretKeyDecryptorBuilder(new BcPGPDigestCalculatorProvider())
                    .build(keyPassphrase == null ? new char[0] : keyPassphrase));
        } catch (PGPException e) {
            throw new PgscribeException("cannot unlock the secret key " + String.format(Locale.ROOT, "%016X", keyId) + ": "
                    + e.getMessage(), keyPassphrase == null ? "The key is protected: set PGSCRIBE_ENCRYPTION_SECRET_KEY_PASSPHRASE."
                    : "Check PGSCRIBE_ENCRYPTION_SECRET_KEY_PASSPHRASE.", ExitCode.USAGE, e);
        }
        if (key == null) {
            return null; // a stub (gpg --export-secret-subkeys leaves the primary as one)
        }
        unlocked.put(keyId, key);
        return key;
    }

    private static Object next(BcPGPObjectFactory f, String name) throws IOException {
        try {
            return f.nextObject();
        } catch (IOException | RuntimeException e) {
            throw new IOException(name + " is not a readable OpenPGP message: " + e.getMessage(), e);
        }
    }
}
