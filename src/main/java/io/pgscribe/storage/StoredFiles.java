package io.pgscribe.storage;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.HexFormat;

/** The files of a backup set as stored: where an entry's file is, and its checksums. */
public final class StoredFiles {

    /** Size and sha256 of a file as stored, and of the content it decompresses to. */
    public record Digest(long storedBytes, String storedSha256, long contentBytes, String contentSha256) {
    }

    private StoredFiles() {
    }

    /**
     * Where the file a manifest entry names is now: under that name, or, when the compress
     * route replaced it after the manifest was read, under the compressed name. The content
     * checksum tells whether what is found is the same SQL.
     */
    public static Path locate(Path backupDir, String relative) {
        Path listed = backupDir.resolve(relative);
        if (Files.exists(listed) || Compression.ofFile(relative) != Compression.NONE) {
            return listed;
        }
        for (Compression c : Compression.values()) {
            if (c != Compression.NONE) {
                Path compressed = backupDir.resolve(relative + c.suffix());
                if (Files.exists(compressed)) {
                    return compressed;
                }
            }
        }
        return listed;
    }

    /**
     * Reads a stored file once: its own sha256 and, decompressed by its suffix, the sha256 of
     * its content. A compressed file that does not decompress (damage) throws.
     */
    public static Digest digest(Path file) throws IOException {
        return digest(file, Compression.ofFile(file.getFileName().toString()));
    }

    /** As {@link #digest(Path)}, for a file compressed with {@code c} whatever its name (a .partial one). */
    public static Digest digest(Path file, Compression c) throws IOException {
        MessageDigest stored = DurableFiles.newSha256();
        MessageDigest content = c == Compression.NONE ? stored : DurableFiles.newSha256();
        byte[] buf = new byte[1 << 16];
        long contentBytes = 0;
        try (InputStream raw = Files.newInputStream(file);
             DigestInputStream rawDigest = new DigestInputStream(raw, stored);
             InputStream in = c.decompressing(rawDigest)) {
            int n;
            while ((n = in.read(buf)) > 0) {
                if (c != Compression.NONE) {
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
        String contentSha = c == Compression.NONE ? storedSha : HexFormat.of().formatHex(content.digest());
        return new Digest(Files.size(file), storedSha, contentBytes, contentSha);
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
