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
        "bases", "globals", "segments", "capture", "retention", "shipping", "writtenAt", "sha256", "signature"})
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
        Shipping shipping,
        String writtenAt,
        String sha256,
        Signature signature) {

    public static final int FORMAT = 1;

    /**
     * Who vouches for this manifest: {@code value} signs the manifest as written with its
     * sha256 but without this field ({@link ManifestStore}), by the key {@code key} names.
     */
    public record Signature(String algorithm, String key, String value) {
    }

    /** The database the backup set is of. */
    public record Source(String database, String systemIdentifier, String serverVersion, int serverVersionNum,
                         String encoding) {
        /** Which database of which server: what every writer checks before it writes. */
        public io.pgscribe.pg.SourceIdentity identity() {
            return new io.pgscribe.pg.SourceIdentity(systemIdentifier, database);
        }
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

    /**
     * What is in object storage: each shipped file (as stored) with the time the store
     * confirmed it, and the objects pruning removed from the manifest that are still to be
     * deleted from the store (after a manifest without them has been shipped).
     */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record Shipping(java.util.Map<String, String> shipped, List<String> remotePendingDeletes) {
        public static final Shipping NONE = new Shipping(null, null);

        public Shipping {
            shipped = shipped == null ? java.util.Map.of() : java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(shipped));
            remotePendingDeletes = remotePendingDeletes == null ? List.of() : List.copyOf(remotePendingDeletes);
        }

        public boolean isShipped(String file) {
            return shipped.containsKey(file);
        }

        public Shipping withShipped(String file, String at) {
            java.util.Map<String, String> next = new java.util.TreeMap<>(shipped);
            next.put(file, at);
            return new Shipping(next, remotePendingDeletes);
        }

        /** Forgets removed files; those that were shipped are to be deleted from the store too. */
        public Shipping withRemoved(java.util.Collection<String> files) {
            java.util.Map<String, String> next = new java.util.TreeMap<>(shipped);
            List<String> pending = new ArrayList<>(remotePendingDeletes);
            for (String f : files) {
                if (next.remove(f) != null && !pending.contains(f)) {
                    pending.add(f);
                }
            }
            return new Shipping(next, pending);
        }

        public Shipping withoutRemotePending(java.util.Collection<String> deleted) {
            List<String> pending = new ArrayList<>(remotePendingDeletes);
            pending.removeAll(deleted);
            return new Shipping(shipped, pending);
        }
    }

    public Manifest(int format, String pgscribeVersion, Source source, String slot, String decoder,
                    List<String> decoderOptions, String createdAt, List<BaseEntry> bases, List<GlobalsEntry> globals,
                    List<SegmentEntry> segments, CaptureState capture, String sha256) {
        this(format, pgscribeVersion, source, slot, decoder, decoderOptions, createdAt, bases, globals, segments, capture,
                null, null, null, sha256, null);
    }

    public Manifest {
        bases = bases == null ? List.of() : List.copyOf(bases);
        globals = globals == null ? List.of() : List.copyOf(globals);
        segments = segments == null ? List.of() : List.copyOf(segments);
        decoderOptions = decoderOptions == null ? List.of() : List.copyOf(decoderOptions);
    }

    /** Never null: an empty state when nothing was ever shipped. */
    public Shipping shippingState() {
        return shipping == null ? Shipping.NONE : shipping;
    }

    private Manifest with(List<BaseEntry> b, List<GlobalsEntry> g, List<SegmentEntry> s, CaptureState c, Retention r,
                          Shipping sh) {
        return new Manifest(format, pgscribeVersion, source, slot, decoder, decoderOptions, createdAt, b, g, s, c, r, sh, writtenAt, null,
                null);
    }

    public Manifest withBase(BaseEntry base) {
        return with(append(bases, base), globals, segments, capture, retention, shipping);
    }

    public Manifest withGlobals(GlobalsEntry entry) {
        return with(bases, append(globals, entry), segments, capture, retention, shipping);
    }

    public Manifest withSegment(SegmentEntry segment, CaptureState newCapture) {
        return with(bases, globals, append(segments, segment), newCapture.keepingHoles(capture), retention, shipping);
    }

    public Manifest withCapture(CaptureState newCapture) {
        return with(bases, globals, segments, newCapture.keepingHoles(capture), retention, shipping);
    }

    /** The same entries with the capture's holes replaced (one closed): the only change that drops a hole as it was. */
    public Manifest withHoles(List<CaptureState.Hole> holes) {
        return with(bases, globals, segments, capture.withHoles(holes), retention, shipping);
    }

    /** The same entries with this checksum and no signature. */
    public Manifest withSha256(String checksum) {
        return new Manifest(format, pgscribeVersion, source, slot, decoder, decoderOptions, createdAt,
                bases, globals, segments, capture, retention, shipping, writtenAt, checksum, null);
    }

    /** The same entries, written at {@code at} (every write of the set says when: a set put back from before shows it). */
    public Manifest withWrittenAt(String at) {
        return new Manifest(format, pgscribeVersion, source, slot, decoder, decoderOptions, createdAt,
                bases, globals, segments, capture, retention, shipping, at, null, null);
    }

    public Manifest withSignature(Signature s) {
        return new Manifest(format, pgscribeVersion, source, slot, decoder, decoderOptions, createdAt,
                bases, globals, segments, capture, retention, shipping, writtenAt, sha256, s);
    }

    public Manifest mapSegments(UnaryOperator<List<SegmentEntry>> f) {
        return with(bases, globals, f.apply(segments), capture, retention, shipping);
    }

    public Manifest mapBases(UnaryOperator<List<BaseEntry>> f) {
        return with(f.apply(bases), globals, segments, capture, retention, shipping);
    }

    public Manifest mapGlobals(UnaryOperator<List<GlobalsEntry>> f) {
        return with(bases, f.apply(globals), segments, capture, retention, shipping);
    }

    /** Only these entries (pruning); everything else as it is. */
    public Manifest retain(List<BaseEntry> keptBases, List<GlobalsEntry> keptGlobals, List<SegmentEntry> keptSegments) {
        java.util.Set<String> kept = new java.util.HashSet<>();
        keptBases.forEach(b -> kept.add(b.file()));
        keptGlobals.forEach(g -> kept.add(g.file()));
        keptSegments.forEach(s -> kept.add(s.file()));
        return with(bases.stream().filter(b -> kept.contains(b.file())).toList(),
                globals.stream().filter(g -> kept.contains(g.file())).toList(),
                segments.stream().filter(s -> kept.contains(s.file())).toList(), capture, retention, shipping);
    }

    public Manifest withRetention(Retention r) {
        return with(bases, globals, segments, capture, r, shipping);
    }

    public Manifest withShipping(Shipping sh) {
        return with(bases, globals, segments, capture, retention, sh);
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
