package io.pgscribe.manifest;

import io.pgscribe.ExitCode;
import io.pgscribe.signing.SetKey;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Which manifests a reader or a writer of a backup set accepts. A signed manifest is taken only
 * when its signature holds under the configured key. A writer with a signing key refuses an
 * unsigned set (it would vouch for what anyone wrote there) and one without a key refuses a
 * signed set (it would drop the signature). A reader with a key refuses an unsigned set (anyone
 * can strip a signature); one without a key takes an unsigned or signed set only when the
 * operator allowed it ({@code --allow-unsigned}).
 */
public final class SetTrust {

    /** Prefixed to what is signed, so that the signature means "a pgscribe manifest" and nothing else. */
    private static final byte[] CONTEXT = "pgscribe manifest\n".getBytes(StandardCharsets.US_ASCII);

    private final SetKey key;
    private final boolean writer;
    private final boolean allowUnsigned;

    private SetTrust(SetKey key, boolean writer, boolean allowUnsigned) {
        if (writer && key != null && !key.canSign()) {
            throw new ManifestException("the signing key " + key.id() + " is a public key: it cannot sign",
                    "Set pgscribe.backup.signing-key to the private key (the public one is for pgscribe.backup.verify-key).",
                    ExitCode.USAGE);
        }
        this.key = key;
        this.writer = writer;
        this.allowUnsigned = allowUnsigned;
    }

    /** A writer that signs every manifest with {@code key}, or writes unsigned sets when it is null. */
    public static SetTrust writer(SetKey key) {
        return new SetTrust(key, true, false);
    }

    /** A reader that checks signatures with {@code key} (may be null) and takes an unsigned set only when allowed. */
    public static SetTrust reader(SetKey key, boolean allowUnsigned) {
        return new SetTrust(key, false, allowUnsigned);
    }

    public SetKey key() {
        return key;
    }

    /** True when this writer signs what it writes. */
    boolean signs() {
        return writer && key != null;
    }

    /** {@code sealed} with its signature, when this is a writer with a key. */
    Manifest sign(Manifest sealed) {
        if (!signs()) {
            return sealed;
        }
        return sealed.withSignature(new Manifest.Signature(SetKey.ALGORITHM, key.id(), key.sign(signedBytes(sealed))));
    }

    /** What the signature covers: the context, then the manifest's JSON with its sha256 and without its signature. */
    static byte[] signedBytes(Manifest m) {
        byte[] json = ManifestStore.jsonOf(m.withSignature(null));
        byte[] all = new byte[CONTEXT.length + json.length];
        System.arraycopy(CONTEXT, 0, all, 0, CONTEXT.length);
        System.arraycopy(json, 0, all, CONTEXT.length, json.length);
        return all;
    }

    /** Refuses {@code m}, read from {@code file}, unless this policy takes it. */
    public void check(Manifest m, Path file) {
        Manifest.Signature s = m.signature();
        String set = "the backup set in " + file.toAbsolutePath().getParent();
        if (s == null) {
            if (writer && key != null) {
                throw new ManifestException(set + " is not signed, and this pgscribe signs with key " + key.id()
                        + ": it will not vouch for files it did not check",
                        "If you trust the set as it is, sign it once with `pgscribe sign` (it checks every file against the "
                                + "manifest first). Or leave out pgscribe.backup.signing-key to go on unsigned.", ExitCode.REFUSED);
            }
            if (!writer && key != null) {
                // with a key, an unsigned manifest is as likely a signed one stripped: --allow-unsigned does not take it
                throw new ManifestException(set + " is not signed (" + file.getFileName() + " has no signature), and this "
                        + "pgscribe checks signatures with key " + key.id() + ": a signature can be removed by anyone who can "
                        + "write the set", "If the set was made unsigned (before pgscribe 0.2, or without a key) and you trust "
                        + "everyone who could write it, restore it with pgscribe.backup.verify-key and signing-key empty and "
                        + "--allow-unsigned, or sign it once with `pgscribe sign`.", ExitCode.REFUSED);
            }
            if (!writer && !allowUnsigned) {
                throw new ManifestException(set + " is not signed (" + file.getFileName() + " has no signature): nothing "
                        + "shows that its files are the ones pgscribe wrote",
                        "Pass --allow-unsigned if you trust everyone who could write it (sets made before pgscribe 0.2 are "
                                + "unsigned). Sign new sets with pgscribe.backup.signing-key.", ExitCode.REFUSED);
            }
            return;
        }
        if (key == null) {
            if (writer) {
                throw new ManifestException(set + " is signed (key " + s.key() + ") and this pgscribe has no signing key: "
                        + "its next manifest would be unsigned",
                        "Set pgscribe.backup.signing-key (or PGSCRIBE_BACKUP_SIGNING_KEY) to the set's private key.",
                        ExitCode.REFUSED);
            }
            if (!allowUnsigned) {
                throw new ManifestException(set + " is signed by key " + s.key() + ", and no key is configured to check "
                        + "the signature", "Set pgscribe.backup.verify-key to the set's public key (or signing-key to its "
                        + "private key); --allow-unsigned restores it unchecked.", ExitCode.REFUSED);
            }
            return;
        }
        if (!key.id().equals(s.key())) {
            throw new ManifestException(set + " is signed by key " + s.key() + ", not by the configured key " + key.id(),
                    "Configure the key this set was signed with (pgscribe.backup.verify-key or signing-key).", ExitCode.REFUSED);
        }
        if (!SetKey.ALGORITHM.equals(s.algorithm()) || s.value() == null || !key.verifies(signedBytes(m), s.value())) {
            throw new ManifestException(file + " fails its signature by key " + key.id() + ": it was changed after pgscribe "
                    + "signed it", "Do not restore from it, and find out who could write " + file.toAbsolutePath().getParent()
                    + ". Restore from a copy whose signature holds (the S3 copy, a file backup of the directory).",
                    ExitCode.DAMAGED);
        }
    }

    /** One line for status: whether the set is signed, and whether the signature holds under the configured key. */
    public String describe(Manifest m, Path file) {
        Manifest.Signature s = m.signature();
        if (s == null) {
            return "not signed";
        }
        if (key == null) {
            return "signed by key " + s.key() + " (not checked: no key configured)";
        }
        try {
            reader(key, false).check(m, file);
            return "signed by key " + s.key() + ", signature holds";
        } catch (ManifestException e) {
            return "SIGNATURE REFUSED: " + e.getMessage();
        }
    }
}
