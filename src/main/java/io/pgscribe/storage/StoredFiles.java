package io.pgscribe.storage;

import io.pgscribe.encryption.Decryption;
import io.pgscribe.encryption.Encryption;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** The files of a backup set as stored: where an entry's file is, and its checksums. */
public final class StoredFiles {

    /**
     * Size and sha256 of a file as stored, and of the content it decompresses to; for an
     * encrypted file read without its key the content's are unknown: -1 and null.
     */
    public record Digest(long storedBytes, String storedSha256, long contentBytes, String contentSha256) {

        public boolean contentRead() {
            return contentSha256 != null;
        }
    }

    private StoredFiles() {
    }

    /**
     * Where the file a manifest entry names is now: under that name, or, when the compress
     * route replaced it after the manifest was read, under the compressed or encrypted name. The content
     * checksum tells whether what is found is the same SQL.
     */
    public static Path locate(Path backupDir, String relative) {
        Path listed = backupDir.resolve(relative);
        if (Files.exists(listed) || Encryption.isEncrypted(relative)) {
            return listed;
        }
        List<String> suffixes = new ArrayList<>();
        if (Compression.ofFile(relative) == Compression.NONE) {
            for (Compression c : Compression.values()) {
                if (c != Compression.NONE) {
                    suffixes.add(c.suffix());
                    suffixes.add(c.suffix() + Encryption.SUFFIX);
                }
            }
        }
        suffixes.add(Encryption.SUFFIX);
        for (String suffix : suffixes) {
            Path replaced = backupDir.resolve(relative + suffix);
            if (Files.exists(replaced)) {
                return replaced;
            }
        }
        return listed;
    }

    /**
     * Reads a stored file once: its own sha256 and, decrypted and decompressed by its suffix,
     * the sha256 of its content. A compressed file that does not decompress (damage) throws,
     * as does an encrypted one that fails its integrity check.
     */
    public static Digest digest(Path file) throws IOException {
        return digest(file, Decryption.NONE);
    }

    /** As {@link #digest(Path)}; an encrypted file's content is read only when {@code d} is configured. */
    public static Digest digest(Path file, Decryption d) throws IOException {
        String name = file.getFileName().toString();
        if (Encryption.isEncrypted(name) && !d.configured()) {
            return new Digest(Files.size(file), DurableFiles.sha256(file), -1, null);
        }
        return digest(file, Compression.ofFile(name), Encryption.isEncrypted(name) ? d : null);
    }

    /** As {@link #digest(Path)}, for a file compressed with {@code c} whatever its name (a .partial one). */
    public static Digest digest(Path file, Compression c) throws IOException {
        return digest(file, c, null);
    }

    private static Digest digest(Path file, Compression c, Decryption encrypted) throws IOException {
        boolean plain = c == Compression.NONE && encrypted == null;
        MessageDigest stored = DurableFiles.newSha256();
        MessageDigest content = plain ? stored : DurableFiles.newSha256();
        byte[] buf = new byte[1 << 16];
        long contentBytes = 0;
        try (InputStream raw = Files.newInputStream(file);
             DigestInputStream rawDigest = new DigestInputStream(raw, stored);
             InputStream in = contentOf(rawDigest, c, encrypted, shownName(file))) {
            int n;
            while ((n = in.read(buf)) > 0) {
                if (!plain) {
                    content.update(buf, 0, n);
                }
                contentBytes += n;
            }
            // trailing bytes the decompressor did not need are still part of the stored file
            while (rawDigest.read(buf) > 0) {
                // digested as read
            }
        }
        String storedSha = HexFormat.of().formatHex(stored.digest());
        String contentSha = plain ? storedSha : HexFormat.of().formatHex(content.digest());
        return new Digest(Files.size(file), storedSha, contentBytes, contentSha);
    }

    /**
     * Opens a stored file for reading its original content: decrypted with {@code d} when its
     * name ends in {@code .gpg}, then decompressed by the suffix before that.
     */
    public static InputStream open(Path file, Decryption d) {
        String name = file.getFileName().toString();
        try {
            InputStream raw = Files.newInputStream(file);
            try {
                return contentOf(raw, Compression.ofFile(name), Encryption.isEncrypted(name) ? d : null, shownName(file));
            } catch (IOException | RuntimeException e) {
                raw.close();
                throw e;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * The content of {@code raw}: decrypted when {@code d} is given, then decompressed. A
     * decompressor may stop before the end of what it reads, so at its end the decrypted
     * stream is read to its own, where the message's integrity check is.
     */
    private static InputStream contentOf(InputStream raw, Compression c, Decryption d, String name) throws IOException {
        if (d == null) {
            return c.decompressing(raw);
        }
        InputStream decrypted = d.decrypting(raw, name);
        if (c == Compression.NONE) {
            return decrypted;
        }
        return new io.pgscribe.encryption.CheckedAtEnd(c.decompressing(decrypted), () -> {
            if (decrypted.read() >= 0) {
                throw new IOException(name + " holds more after its compressed content");
            }
        });
    }

    /** A stored file as messages name it: with its directory in the set ({@code base/...}). */
    static String shownName(Path file) {
        Path dir = file.getParent();
        return dir == null ? file.getFileName().toString() : dir.getFileName() + "/" + file.getFileName();
    }

    /** Copies {@code in} to {@code out} and returns how many bytes went. */
    public static long copy(InputStream in, OutputStream out) throws IOException {
        byte[] buf = new byte[1 << 16];
        long total = 0;
        int n;
        while ((n = in.read(buf)) > 0) {
            out.write(buf, 0, n);
            total += n;
        }
        return total;
    }
}
