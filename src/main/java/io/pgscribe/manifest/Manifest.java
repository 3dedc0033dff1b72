package io.pgscribe.manifest;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The machine-readable index of a backup set: its source, slot and decoder, every base,
 * globals dump and closed segment with LSN range, size and sha256, and where the capture
 * resumes. A file is part of the backup set only once it is listed here.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"format", "pgscribeVersion", "source", "slot", "decoder", "decoderOptions", "createdAt",
        "bases", "globals", "segments", "capture", "retention", "sha256"})
public record Manifest(
        int format,
        String pgscribeVersion,
        Source source,
        String slot,
        String decoder,
        List<String> decoderOptions,
        String createdAt,
        List<BaseEntry> bases,
        List<GlobalsEntry> globals,
        List<SegmentEntry> segments,
        CaptureState capture,
        Retention retention,
        String sha256) {

    public static final int FORMAT = 1;

    /** The database the backup set is of. */
    public record Source(String database, String systemIdentifier, String serverVersion, int serverVersionNum,
                         String encoding) {
    }

    /**
     * What pruning did: point-in-time restores start at {@code pointInTimeFrom} (the window
     * base's consistent point; segments before it are gone), and files it is still to delete
     * (listed here before any is deleted, so a crash leaves no unlisted orphan).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Retention(String pointInTimeFrom, String prunedAt, List<String> pendingDeletes) {
        public Retention {
            pendingDeletes = pendingDeletes == null ? List.of() : List.copyOf(pendingDeletes);
        }
    }

    public Manifest(int format, String pgscribeVersion, Source source, String slot, String decoder,
                    List<String> decoderOptions, String createdAt, List<BaseEntry> bases, List<GlobalsEntry> globals,
                    List<SegmentEntry> segments, CaptureState capture, String sha256) {
        this(format, pgscribeVersion, source, slot, decoder, decoderOptions, createdAt, bases, globals, segments, capture,
                null, sha256);
    }

    public Manifest {
        bases = bases == null ? List.of() : List.copyOf(bases);
        globals = globals == null ? List.of() : List.copyOf(globals);
        segments = segments == null ? List.of() : List.copyOf(segments);
        decoderOptions = decoderOptions == null ? List.of() : List.copyOf(decoderOptions);
    }

    public Manifest withBase(BaseEntry base) {
        return new Manifest(format, pgscribeVersion, source, slot, decoder, decoderOptions, createdAt,
                append(bases, base), globals, segments, capture, retention, null);
    }

    public Manifest withGlobals(GlobalsEntry entry) {
        return new Manifest(format, pgscribeVersion, source, slot, decoder, decoderOptions, createdAt,
                bases, append(globals, entry), segments, capture, retention, null);
    }

    public Manifest withSegment(SegmentEntry segment, CaptureState newCapture) {
        return new Manifest(format, pgscribeVersion, source, slot, decoder, decoderOptions, createdAt,
                bases, globals, append(segments, segment), newCapture, retention, null);
    }

    public Manifest withCapture(CaptureState newCapture) {
        return new Manifest(format, pgscribeVersion, source, slot, decoder, decoderOptions, createdAt,
                bases, globals, segments, newCapture, retention, null);
    }

    public Manifest withSha256(String checksum) {
        return new Manifest(format, pgscribeVersion, source, slot, decoder, decoderOptions, createdAt,
                bases, globals, segments, capture, retention, checksum);
    }

    public Manifest mapSegments(UnaryOperator<List<SegmentEntry>> f) {
        return new Manifest(format, pgscribeVersion, source, slot, decoder, decoderOptions, createdAt,
                bases, globals, f.apply(segments), capture, retention, null);
    }

    public Manifest mapBases(UnaryOperator<List<BaseEntry>> f) {
        return new Manifest(format, pgscribeVersion, source, slot, decoder, decoderOptions, createdAt,
                f.apply(bases), globals, segments, capture, retention, null);
    }

    /** Only these entries (pruning); everything else as it is. */
    public Manifest retain(List<BaseEntry> keptBases, List<GlobalsEntry> keptGlobals, List<SegmentEntry> keptSegments) {
        java.util.Set<String> kept = new java.util.HashSet<>();
        keptBases.forEach(b -> kept.add(b.file()));
        keptGlobals.forEach(g -> kept.add(g.file()));
        keptSegments.forEach(s -> kept.add(s.file()));
        return new Manifest(format, pgscribeVersion, source, slot, decoder, decoderOptions, createdAt,
                bases.stream().filter(b -> kept.contains(b.file())).toList(),
                globals.stream().filter(g -> kept.contains(g.file())).toList(),
                segments.stream().filter(s -> kept.contains(s.file())).toList(), capture, retention, null);
    }

    public Manifest withRetention(Retention r) {
        return new Manifest(format, pgscribeVersion, source, slot, decoder, decoderOptions, createdAt,
                bases, globals, segments, capture, r, null);
    }

    public SegmentEntry lastSegment() {
        return segments.isEmpty() ? null : segments.get(segments.size() - 1);
    }

    private static <T> List<T> append(List<T> list, T item) {
        List<T> copy = new ArrayList<>(list.size() + 1);
        copy.addAll(list);
        copy.add(item);
        return copy;
    }
}
