package io.pgscribe.signing;

import io.pgscribe.ExitCode;
import io.pgscribe.PgscribeException;
import io.pgscribe.storage.DurableFiles;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;
import org.bouncycastle.util.io.pem.PemWriter;

/**
 * The key a backup set is signed with: an Ed25519 key pair, or only its public half on a host
 * that restores but never writes. Ed25519 rather than an HMAC so that a restore host holds
 * nothing that could sign a set. Files are the PEM openssl reads and writes
 * ({@code openssl genpkey -algorithm ed25519}, {@code openssl pkey -pubout}).
 */
public final class SetKey {

    public static final String ALGORITHM = "ed25519";
    private static final ASN1ObjectIdentifier ID_ED25519 = new ASN1ObjectIdentifier("1.3.101.112"); // RFC 8410
    private static final AlgorithmIdentifier ED25519 = new AlgorithmIdentifier(ID_ED25519);

    private final Ed25519PrivateKeyParameters privateKey; // null: verify only
    private final Ed25519PublicKeyParameters publicKey;

    private SetKey(Ed25519PrivateKeyParameters privateKey, Ed25519PublicKeyParameters publicKey) {
        this.privateKey = privateKey;
        this.publicKey = publicKey;
    }

    public static SetKey generate() {
        Ed25519PrivateKeyParameters k = new Ed25519PrivateKeyParameters(new SecureRandom());
        return new SetKey(k, k.generatePublicKey());
    }

    /**
     * Reads a private key ("PRIVATE KEY", PKCS#8) or a public key ("PUBLIC KEY"). A private key
     * file others can read or anyone but its owner can write is refused, as ssh and libpq do.
     */
    public static SetKey read(Path file) {
        String what = "key file " + file;
        if (!Files.isRegularFile(file)) {
            throw refused(what + " does not exist or is not a file", "Create one with `pgscribe keygen DIR`, or give the "
                    + "path of an Ed25519 key in PEM (openssl genpkey -algorithm ed25519 -out FILE).");
        }
        PemObject pem;
        try (PemReader r = new PemReader(new StringReader(Files.readString(file, StandardCharsets.US_ASCII)))) {
            pem = r.readPemObject();
        } catch (IOException | RuntimeException e) {
            throw refused(what + " is not PEM text: " + e.getMessage(), "Give an Ed25519 key in PEM.");
        }
        if (pem == null) {
            throw refused(what + " holds no PEM block", "Give an Ed25519 key in PEM (-----BEGIN PRIVATE KEY----- or "
                    + "-----BEGIN PUBLIC KEY-----).");
        }
        try {
            switch (pem.getType()) {
                case "PRIVATE KEY" -> {
                    requireOwnerOnly(file);
                    PrivateKeyInfo info = PrivateKeyInfo.getInstance(pem.getContent());
                    requireEd25519(info.getPrivateKeyAlgorithm(), what);
                    byte[] raw = ASN1OctetString.getInstance(info.parsePrivateKey()).getOctets();
                    Ed25519PrivateKeyParameters k = new Ed25519PrivateKeyParameters(raw, 0);
                    return new SetKey(k, k.generatePublicKey());
                }
                case "PUBLIC KEY" -> {
                    SubjectPublicKeyInfo info = SubjectPublicKeyInfo.getInstance(pem.getContent());
                    requireEd25519(info.getAlgorithm(), what);
                    return new SetKey(null, new Ed25519PublicKeyParameters(info.getPublicKeyData().getOctets(), 0));
                }
                default -> throw refused(what + " holds a " + pem.getType() + ", not an Ed25519 PRIVATE KEY or PUBLIC KEY",
                        "Give an Ed25519 key in PEM.");
            }
        } catch (IOException | IllegalArgumentException | IllegalStateException e) {
            throw refused(what + " is not a readable Ed25519 key: " + e.getMessage(), "Give an Ed25519 key in PEM.");
        }
    }

    private static void requireEd25519(AlgorithmIdentifier a, String what) {
        if (!ID_ED25519.equals(a.getAlgorithm())) {
            throw refused(what + " is a key of algorithm " + a.getAlgorithm() + ", not Ed25519",
                    "Backup sets are signed with Ed25519 keys: openssl genpkey -algorithm ed25519 -out FILE.");
        }
    }

    private static void requireOwnerOnly(Path file) throws IOException {
        // the file a link names (mounted secrets are links), not the link
        Set<PosixFilePermission> p = Files.getPosixFilePermissions(file);
        if (p.contains(PosixFilePermission.OTHERS_READ) || p.contains(PosixFilePermission.OTHERS_WRITE)
                || p.contains(PosixFilePermission.GROUP_WRITE)) {
            throw refused("private key " + file + " can be read or written by others (" + java.nio.file.attribute
                    .PosixFilePermissions.toString(p) + ")", "chmod 600 " + file + ": whoever reads it can sign a backup "
                    + "set this host would restore.");
        }
    }

    private static PgscribeException refused(String message, String hint) {
        return new PgscribeException(message, hint, ExitCode.USAGE, null);
    }

    /** Writes the private key (owner-only from its first byte) and the public key beside it; neither may exist. */
    public void write(Path privateFile, Path publicFile) {
        if (privateKey == null) {
            throw new IllegalStateException("a public key only");
        }
        try {
            byte[] pkcs8 = new PrivateKeyInfo(ED25519, new DEROctetString(privateKey.getEncoded())).getEncoded();
            DurableFiles.writeNew(privateFile, pem("PRIVATE KEY", pkcs8));
            DurableFiles.writeNew(publicFile, pem("PUBLIC KEY", publicInfo()));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot write " + privateFile, e);
        }
    }

    private byte[] publicInfo() throws IOException {
        return new SubjectPublicKeyInfo(ED25519, publicKey.getEncoded()).getEncoded();
    }

    private static byte[] pem(String type, byte[] der) throws IOException {
        StringWriter w = new StringWriter();
        try (PemWriter pw = new PemWriter(w)) {
            pw.writeObject(new PemObject(type, der));
        }
        return w.toString().getBytes(StandardCharsets.US_ASCII);
    }

    public boolean canSign() {
        return privateKey != null;
    }

    /** Names the key in messages and in the manifest: the first 16 hex digits of the sha256 of its public key. */
    public String id() {
        try {
            return ALGORITHM + ":" + DurableFiles.sha256(publicInfo()).substring(0, 16);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The signature of {@code data}, base64. */
    public String sign(byte[] data) {
        if (privateKey == null) {
            throw new IllegalStateException("key " + id() + " is a public key: it cannot sign");
        }
        Ed25519Signer s = new Ed25519Signer();
        s.init(true, privateKey);
        s.update(data, 0, data.length);
        return Base64.getEncoder().encodeToString(s.generateSignature());
    }

    public boolean verifies(byte[] data, String signature) {
        byte[] sig;
        try {
            sig = Base64.getDecoder().decode(signature);
        } catch (IllegalArgumentException e) {
            return false;
        }
        Ed25519Signer s = new Ed25519Signer();
        s.init(false, publicKey);
        s.update(data, 0, data.length);
        return s.verifySignature(sig);
    }

    @Override
    public String toString() {
        return id();
    }
}
