package io.pgscribe.segment;

import io.pgscribe.encryption.Encryption;
import io.pgscribe.manifest.Manifest;
import io.pgscribe.manifest.SegmentEntry;
import io.pgscribe.storage.Compression;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** The closed segment files of a backup set as they lie on disk, whatever they are stored as. */
public final class SegmentFiles {

    private SegmentFiles() {
    }

    /**
     * Closed segments in {@code setDir/segments} (plain, compressed or encrypted) that {@code m}
     * does not list, sorted: what a manifest older than the set (its copy) does not know of.
     * Unfinished ({@code .partial}) files are not closed segments.
     */
    public static List<String> unlisted(Path setDir, Manifest m) {
        Set<String> listed = new HashSet<>();
        for (SegmentEntry s : m.segments()) {
            listed.add(stem(Path.of(s.file()).getFileName().toString()));
        }
        Path dir = setDir.resolve("segments");
        List<String> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                String stem = stem(p.getFileName().toString());
                if (SegmentFormat.isSegmentName(stem) && !listed.contains(stem)) {
                    out.add("segments/" + p.getFileName());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
        out.sort(null);
        return out;
    }

    /** A stored name without its encryption and compression suffixes. */
    static String stem(String name) {
        String s = name.endsWith(Encryption.SUFFIX) ? name.substring(0, name.length() - Encryption.SUFFIX.length()) : name;
        Compression c = Compression.ofFile(s);
        return c == Compression.NONE ? s : s.substring(0, s.length() - c.suffix().length());
    }
}
