package io.pgscribe.manifest;

/**
 * A manifest entry for a file that may be stored compressed. {@code bytes} and {@code sha256}
 * are always of the file as stored; for a compressed one {@code sqlBytes} and
 * {@code sqlSha256} are of the content it decompresses to, so both can be checked.
 */
public interface StoredFileEntry {

    String file();

    long bytes();

    String sha256();

    /** {@code gzip} or {@code zstd}; null when the file is stored as written. */
    String compression();

    Long sqlBytes();

    String sqlSha256();

    /** The sha256 of the content: of the stored file itself when it is not compressed. */
    default String contentSha256() {
        return sqlSha256() != null ? sqlSha256() : sha256();
    }

    /** Its size; the stored size where the manifest keeps none ({@link #contentKnown()}). */
    default long contentBytes() {
        return sqlBytes() != null ? sqlBytes() : bytes();
    }

    /**
     * Whether the manifest says what the file holds. Not for an encrypted one: the manifest is
     * plain in the store, and a digest and size of the plain text would let anyone who reads it
     * confirm a guess of a small segment's content offline. The signed stored sha256 and the
     * message's integrity packet bind its content instead.
     */
    default boolean contentKnown() {
        return sqlSha256() != null || !isEncryptedName(file());
    }

    /** An OpenPGP message (the compress route's {@code .gpg} files). */
    static boolean isEncryptedName(String file) {
        return file.endsWith(".gpg");
    }
}
