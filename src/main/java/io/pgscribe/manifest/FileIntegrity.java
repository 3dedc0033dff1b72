package io.pgscribe.manifest;

import io.pgscribe.encryption.Decryption;
import io.pgscribe.encryption.Encryption;
import io.pgscribe.storage.DurableFiles;
import io.pgscribe.storage.StoredFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether a file of a backup set is the one its manifest entry describes: the one check that
 * restore (which stops at the first bad file) and {@code verify --backup} (which lists every
 * file) both ask. A file the compress route replaced since the manifest was read (compressed or
 * encrypted) is found under its new name and judged by what it holds.
 */
public final class FileIntegrity {

    private FileIntegrity() {
    }

    public enum Verdict {
        /** As the manifest says. */
        INTACT,
        /** Its stored bytes are as the manifest says, but it is encrypted and no key to read it is configured here. */
        NOT_DECRYPTED,
        MISSING,
        /** It cannot be read to its end (damage, a wrong key): {@code detail} says why. */
        UNREADABLE,
        /** The stored bytes differ: {@code actual} is their sha256. */
        STORED_MISMATCH,
        /** The SQL it holds differs from the SQL the manifest recorded: {@code actual} is its sha256. */
        CONTENT_MISMATCH
    }

    /**
     * The verdict on one file; {@code asListed}: found under the name the manifest lists (else
     * under the name the compress route gave it since); {@code failure}: what made it unreadable.
     */
    public record Result(Verdict verdict, Path path, boolean asListed, String actual, String detail, Exception failure) {
        public boolean intact() {
            return verdict == Verdict.INTACT || verdict == Verdict.NOT_DECRYPTED;
        }
    }

    /** A base or segment: its stored bytes, and the SQL they decompress (and decrypt) to where the manifest knows it. */
    public static Result stored(Path dir, StoredFileEntry entry, Decryption d) {
        Path p = StoredFiles.locate(dir, entry.file());
        boolean asListed = p.equals(dir.resolve(entry.file()));
        if (!Files.isRegularFile(p)) {
            return new Result(Verdict.MISSING, p, asListed, null, null, null);
        }
        StoredFiles.Digest got;
        try {
            got = StoredFiles.digest(p, d);
        } catch (IOException | RuntimeException e) {
            return unreadable(p, asListed, e);
        }
        if (asListed && !got.storedSha256().equals(entry.sha256())) {
            return new Result(Verdict.STORED_MISMATCH, p, true, got.storedSha256(), null, null);
        }
        if (!got.contentRead()) {
            return new Result(Verdict.NOT_DECRYPTED, p, asListed, null, null, null);
        }
        if (entry.contentKnown() && !got.contentSha256().equals(entry.contentSha256())) {
            return new Result(Verdict.CONTENT_MISMATCH, p, asListed, got.contentSha256(), null, null);
        }
        return new Result(Verdict.INTACT, p, asListed, null, null, null);
    }

    /**
     * A globals dump or a base's sidecar, whose manifest entry has the sha256 of the file as
     * listed; one encrypted since is judged by what it decrypts to. An encrypted one is read to
     * its end, so that a restore finds a damaged one before it touches the target.
     */
    public static Result file(Path dir, String relative, String sha256, Decryption d) {
        Path p = StoredFiles.locate(dir, relative);
        boolean asListed = p.equals(dir.resolve(relative));
        if (!Files.isRegularFile(p)) {
            return new Result(Verdict.MISSING, p, asListed, null, null, null);
        }
        if (asListed) {
            String actual = DurableFiles.sha256(p);
            if (!actual.equals(sha256)) {
                return new Result(Verdict.STORED_MISMATCH, p, true, actual, null, null);
            }
            if (!Encryption.isEncrypted(relative)) {
                return new Result(Verdict.INTACT, p, true, null, null, null);
            }
        }
        StoredFiles.Digest got;
        try {
            got = StoredFiles.digest(p, d);
        } catch (IOException | RuntimeException e) {
            return unreadable(p, asListed, e);
        }
        if (!got.contentRead()) {
            return new Result(Verdict.NOT_DECRYPTED, p, asListed, null, null, null);
        }
        if (!asListed && !got.contentSha256().equals(sha256)) {
            return new Result(Verdict.STORED_MISMATCH, p, false, got.contentSha256(), null, null);
        }
        return new Result(Verdict.INTACT, p, asListed, null, null, null);
    }

    private static Result unreadable(Path p, boolean asListed, Exception e) {
        String why = e.getMessage() != null ? e.getMessage()
                : e instanceof java.io.EOFException ? "it ends early (torn)" : e.getClass().getSimpleName();
        return new Result(Verdict.UNREADABLE, p, asListed, null, why, e);
    }
}
