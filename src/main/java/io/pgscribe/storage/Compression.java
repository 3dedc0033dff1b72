package io.pgscribe.storage;

import com.github.luben.zstd.ZstdInputStream;
import com.github.luben.zstd.ZstdOutputStream;
import io.pgscribe.ExitCode;
import io.pgscribe.PgscribeException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * How a closed file is stored: as it is, gzip or zstd. Both are formats any system in ten
 * years can read ({@code gunzip}, {@code unzstd}). The stored file's name says which, by its
 * suffix, so a person with only the files knows how to read them.
 */
public enum Compression {

    NONE("none", "", 0),
    GZIP("gzip", ".gz", 6),
    ZSTD("zstd", ".zst", 3);

    private final String settingName;
    private final String suffix;
    private final int defaultLevel;

    Compression(String settingName, String suffix, int defaultLevel) {
        this.settingName = settingName;
        this.suffix = suffix;
        this.defaultLevel = defaultLevel;
    }

    /** The name in settings and in the manifest ({@code gzip}, {@code zstd}); {@code none} for NONE. */
    public String settingName() {
        return settingName;
    }

    public String suffix() {
        return suffix;
    }

    public int defaultLevel() {
        return defaultLevel;
    }

    /** From {@code pgscribe.compression} or a manifest entry; null and empty mean NONE. */
    public static Compression fromName(String name) {
        if (name == null || name.isBlank()) {
            return NONE;
        }
        for (Compression c : values()) {
            if (c.settingName.equals(name.strip().toLowerCase(Locale.ROOT))) {
                return c;
            }
        }
        throw new PgscribeException("unknown compression \"" + name + "\"", "Use none, gzip or zstd.", ExitCode.USAGE, null);
    }

    /**
     * By the file name's suffix: {@code .gz} is gzip, {@code .zst} zstd, anything else stored as
     * it is; an encrypted file's ({@code .sql.gz.gpg}) by the suffix before {@code .gpg}.
     */
    public static Compression ofFile(String fileName) {
        fileName = io.pgscribe.encryption.Encryption.plainName(fileName);
        if (fileName.endsWith(GZIP.suffix)) {
            return GZIP;
        }
        return fileName.endsWith(ZSTD.suffix) ? ZSTD : NONE;
    }

    /** Checks a level for this method: gzip 1 to 9, zstd 1 to 19; 0 means the method's default. */
    public int checkedLevel(int level) {
        if (level == 0 || this == NONE) {
            return defaultLevel;
        }
        int max = this == GZIP ? 9 : 19;
        if (level < 1 || level > max) {
            throw new PgscribeException("compression level " + level + " is out of range for " + settingName,
                    "Use 1 to " + max + " for " + settingName + ", or 0 for its default (" + defaultLevel + ").",
                    ExitCode.USAGE, null);
        }
        return level;
    }

    /** A stream that compresses into {@code out}; closing it finishes the format and closes {@code out}. */
    public OutputStream compressing(OutputStream out, int level) throws IOException {
        return switch (this) {
            case NONE -> out;
            case GZIP -> new LeveledGzip(out, checkedLevel(level));
            case ZSTD -> new ZstdOutputStream(out, checkedLevel(level)).setChecksum(true);
        };
    }

    /** A stream of the original bytes of {@code in}. */
    public InputStream decompressing(InputStream in) throws IOException {
        return switch (this) {
            case NONE -> in;
            case GZIP -> new GZIPInputStream(in, 1 << 16);
            case ZSTD -> new ZstdInputStream(new BufferedInputStream(in, 1 << 16));
        };
    }

    /** Opens a stored file that is not encrypted for reading its original content, decompressing by its suffix. */
    public static InputStream open(Path file) {
        return StoredFiles.open(file, io.pgscribe.encryption.Decryption.NONE);
    }

    /** gzip at a chosen level (the JDK's GZIPOutputStream has no constructor for it). */
    private static final class LeveledGzip extends GZIPOutputStream {
        LeveledGzip(OutputStream out, int level) throws IOException {
            super(out, 1 << 16);
            def.setLevel(level);
        }
    }
}
