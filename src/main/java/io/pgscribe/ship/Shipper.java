package io.pgscribe.ship;

import io.pgscribe.Backoff;
import io.pgscribe.PgscribeException;
import io.pgscribe.manifest.BaseEntry;
import io.pgscribe.manifest.GlobalsEntry;
import io.pgscribe.manifest.Manifest;
import io.pgscribe.manifest.ManifestStore;
import io.pgscribe.manifest.SegmentEntry;
import io.pgscribe.storage.Compression;
import io.pgscribe.storage.DurableFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ship route's bean (routes/ship.camel.yaml). Each run uploads, through camel-aws2-s3, every
 * closed file not yet in the store, in order: globals, bases with their metadata and checksums,
 * segments by number (compressed ones only while compression is on), and last the manifest as
 * the store now holds it. A file counts as shipped only after the store confirms it (Content-MD5
 * for single uploads, then a HEAD for size and sha256). After the manifest, objects that pruning
 * removed from it are deleted from the store. Failures back off and, past
 * {@code alertAfter}, raise the {@code ship-failing} alert, resolved by the next good run.
 */
public final class Shipper {

    private static final Logger LOG = LoggerFactory.getLogger(Shipper.class);
    static final String REMOTE_MANIFEST = ".manifest-remote.json";
    public static final String ALERT = "ship-failing";

    /** One file to upload. {@code manifest}: the remote view of the manifest, uploaded last. */
    public record Upload(String relative, Path file, long bytes, String sha256, boolean manifest) {
    }

    private final ManifestStore store;
    private final S3Store s3;
    private final Compression compression;
    private final String storageClass;
    private final Duration alertAfter;
    private final Clock clock;

    private Instant nextAttempt = Instant.MIN;
    private int failures;
    private final Backoff backoff;
    private Instant failingSince;
    private boolean alerted;
    private String lastFailure;
    private String lastShippedManifestSha;
    private boolean storeClaimed;
    private Instant lastSuccess;
    private int runFiles;
    private boolean encrypted;
    private List<String> deletesAfterManifest = List.of();
    private long runBytes;

    public Shipper(ManifestStore store, S3Store s3, Compression compression, String storageClass, Duration interval,
                   Duration maxDelay, Duration alertAfter, Clock clock) {
        this.store = store;
        this.s3 = s3;
        this.compression = compression;
        this.storageClass = storageClass;
        this.backoff = new Backoff(interval, maxDelay); // the first retry after one interval, doubling up to the ceiling
        this.alertAfter = alertAfter;
        this.clock = clock;
    }

    /**
     * With encryption on, only encrypted files go to the store: each waits until the compress
     * route has replaced it, so the store never holds plain text.
     */
    public Shipper encrypted(boolean on) {
        this.encrypted = on;
        return this;
    }

    /** The shipper of a pipeline with shipping off: the ship route (not started then) would find nothing due. */
    public static Shipper off(ManifestStore store) {
        return new Shipper(store, null, Compression.NONE, "", Duration.ofHours(1), Duration.ofHours(1), Duration.ofHours(1),
                Clock.systemUTC());
    }

    public boolean enabled() {
        return s3 != null;
    }

    /** False while backing off after a failure, and always with shipping off. */
    public synchronized boolean due() {
        return s3 != null && !clock.instant().isBefore(nextAttempt);
    }

    /** What this run uploads, in order; the manifest last, when the store's copy is behind. */
    public List<Upload> pending() {
        Manifest m = store.load();
        if (!storeClaimed && s3 != null) {
            requireOwnStore(m);
            storeClaimed = true;
        }
        return uploads(m);
    }

    private List<Upload> uploads(Manifest m) {
        Manifest.Shipping shipped = m.shippingState();
        List<Upload> uploads = new ArrayList<>();
        for (GlobalsEntry g : m.globals()) {
            if (sealed(g.file())) {
                add(uploads, shipped, g.file(), g.bytes(), g.sha256());
            }
        }
        for (BaseEntry b : m.bases()) {
            if (!ready(b) || !b.sidecars().stream().allMatch(x -> sealed(x.file()))) {
                continue;
            }
            add(uploads, shipped, b.file(), b.bytes(), b.sha256());
            b.sidecars().forEach(x -> add(uploads, shipped, x.file(), -1, x.sha256()));
        }
        List<SegmentEntry> segments = new ArrayList<>(m.segments());
        segments.sort(java.util.Comparator.comparingLong(SegmentEntry::ordinal));
        for (SegmentEntry s : segments) {
            // an encrypted file is never compressed afterwards: the runtime cannot read it
            boolean stored = s.compression() != null || io.pgscribe.encryption.Encryption.isEncrypted(s.file());
            if (compression != Compression.NONE && !stored || !sealed(s.file())) {
                break; // shipped in order: the store's segments are always an unbroken run
            }
            add(uploads, shipped, s.file(), s.bytes(), s.sha256());
        }
        boolean remoteBehind = !uploads.isEmpty() || !shipped.remotePendingDeletes().isEmpty()
                || lastShippedManifestSha == null;
        if (remoteBehind) {
            uploads.add(new Upload("manifest.json", store.file().resolveSibling(REMOTE_MANIFEST), -1, null, true));
        }
        return uploads;
    }

    /**
     * The store's location must hold this backup set or none: another set's manifest there (two
     * servers with one database name, two sets of one database) would be overwritten, and its
     * files pruned, by this one.
     */
    private void requireOwnStore(Manifest m) {
        if (s3.head("manifest.json") == null) {
            return;
        }
        Path copy = store.file().resolveSibling(".manifest-store-check.json");
        try {
            s3.download("manifest.json", copy);
            Manifest there;
            try {
                there = ManifestStore.readUnverified(copy); // only whose set it is
            } catch (PgscribeException e) {
                LOG.warn("The manifest at {} cannot be read ({}); this backup set's replaces it", s3.config().describe(),
                        e.getMessage());
                return;
            }
            if (!sameSet(there, m)) {
                throw new PgscribeException(s3.config().describe() + " holds another backup set: of database "
                        + there.source().database() + " on the server with system identifier " + there.source().systemIdentifier()
                        + ", slot " + there.slot() + ", started " + there.createdAt() + "; this one is of database "
                        + m.source().database() + " on system " + m.source().systemIdentifier() + ", slot " + m.slot()
                        + ", started " + m.createdAt() + ". Shipping here would overwrite its manifest and delete its files",
                        "Give this backup set its own pgscribe.s3.prefix (or bucket).", io.pgscribe.ExitCode.REFUSED, null);
            }
        } finally {
            try {
                Files.deleteIfExists(copy);
            } catch (IOException e) {
                // a leftover copy is harmless
            }
        }
    }

    static boolean sameSet(Manifest a, Manifest b) {
        return a.source().identity().equals(b.source().identity()) && java.util.Objects.equals(a.slot(), b.slot())
                && java.util.Objects.equals(a.createdAt(), b.createdAt());
    }

    private boolean ready(BaseEntry b) {
        return (compression == Compression.NONE || b.isCustomFormat() || b.compression() != null
                || io.pgscribe.encryption.Encryption.isEncrypted(b.file())) && sealed(b.file());
    }

    /** Encrypted if encryption is on (null: no such file). */
    private boolean sealed(String file) {
        return !encrypted || file == null || io.pgscribe.encryption.Encryption.isEncrypted(file);
    }

    private void add(List<Upload> uploads, Manifest.Shipping shipped, String relative, long bytes, String sha256) {
        if (!shipped.isShipped(relative)) {
            uploads.add(new Upload(relative, store.file().getParent().resolve(relative), bytes, sha256, false));
        }
    }

    /** Before the upload: the body is the file; key, Content-MD5, metadata and storage class in the headers. */
    public void prepare(Exchange exchange) {
        Upload u = exchange.getMessage().getBody(Upload.class);
        if (u.manifest()) {
            u = writeRemoteManifest(u);
        }
        exchange.setProperty("pgscribeUpload", u);
        Path file = u.file();
        if (!Files.isRegularFile(file)) {
            throw new PgscribeException(u.relative() + " is in the manifest but missing from " + store.file().getParent(),
                    "Run `pgscribe verify --backup`; a missing file cannot be shipped.", io.pgscribe.ExitCode.DAMAGED, null);
        }
        var headers = exchange.getMessage().getHeaders();
        headers.put("CamelAwsS3Key", s3.config().key(u.relative()));
        headers.put("CamelAwsS3ContentMD5", md5Base64(file));
        headers.put("CamelAwsS3Metadata", S3Store.metadata(u.relative(), u.sha256() != null ? u.sha256()
                : DurableFiles.sha256(file)));
        headers.put("CamelAwsS3ContentType", u.relative().endsWith(".json") ? "application/json"
                : "application/octet-stream");
        if (!storageClass.isEmpty()) {
            headers.put("CamelAwsS3StorageClass", storageClass);
        }
        exchange.getMessage().setBody(file.toFile());
    }

    /**
     * The segments the store's manifest lists: shipped ones from the first on, up to the first
     * that is not (one being replaced by its encrypted copy, say), so it never names a hole.
     */
    private static List<SegmentEntry> unbrokenShipped(List<SegmentEntry> segments, Manifest.Shipping sh) {
        List<SegmentEntry> sorted = new ArrayList<>(segments);
        sorted.sort(java.util.Comparator.comparingLong(SegmentEntry::ordinal));
        List<SegmentEntry> out = new ArrayList<>();
        for (SegmentEntry s : sorted) {
            if (!sh.isShipped(s.file())) {
                break;
            }
            out.add(s);
        }
        return out;
    }

    /** The names a file the compress route replaced with {@code relative} had (encrypted: its plain copies). */
    static List<String> replacedBy(String relative) {
        if (!io.pgscribe.encryption.Encryption.isEncrypted(relative)) {
            return List.of();
        }
        String plain = io.pgscribe.encryption.Encryption.plainName(relative);
        List<String> names = new ArrayList<>(List.of(plain));
        Compression c = Compression.ofFile(plain);
        if (c != Compression.NONE) {
            names.add(plain.substring(0, plain.length() - c.suffix().length()));
        }
        return names;
    }

    /** The manifest as the store will hold it: only entries whose every file is shipped. */
    private Upload writeRemoteManifest(Upload u) {
        Manifest m = store.load();
        Manifest.Shipping sh = m.shippingState();
        Manifest view = m.retain(
                m.bases().stream().filter(b -> sh.isShipped(b.file())
                        && b.sidecars().stream().allMatch(x -> sh.isShipped(x.file()))).toList(),
                m.globals().stream().filter(g -> sh.isShipped(g.file())).toList(),
                unbrokenShipped(m.segments(), sh))
                .withShipping(new Manifest.Shipping(sh.shipped(), List.of()));
        deletesAfterManifest = List.copyOf(sh.remotePendingDeletes());
        byte[] json = store.sealedJson(view);
        Path file = u.file();
        DurableFiles.writeAtomically(file, json);
        return new Upload(u.relative(), file, json.length, DurableFiles.sha256(json), true);
    }

    /** After the upload: the store must hold it as sent; then the manifest records it as shipped. */
    public void confirm(Exchange exchange) {
        Upload u = exchange.getProperty("pgscribeUpload", Upload.class);
        long bytes = u.bytes() >= 0 ? u.bytes() : size(u.file());
        String sha = u.sha256() != null ? u.sha256() : DurableFiles.sha256(u.file());
        s3.confirm(u.relative(), bytes, sha);
        String now = clock.instant().toString();
        if (!u.manifest()) {
            // an encrypted file replaces its plain copy in the store: that goes after the next manifest upload
            List<String> replaced = replacedBy(u.relative());
            store.update(m -> {
                Manifest.Shipping sh = m.shippingState().withShipped(u.relative(), now);
                return m.withShipping(sh.withRemoved(replaced.stream().filter(sh::isShipped).toList()));
            });
            LOG.debug("Shipped {} ({} bytes) to {}", u.relative(), bytes, s3.config().describe());
            synchronized (this) {
                runFiles++;
                runBytes += bytes;
            }
            return;
        }
        lastShippedManifestSha = sha;
        LOG.debug("Shipped manifest.json ({} bytes) to {}", bytes, s3.config().describe());
        // only what the manifest just uploaded no longer lists: deletes added since wait for the next one
        List<String> pendingDeletes = deletesAfterManifest;
        deletesAfterManifest = List.of();
        if (!pendingDeletes.isEmpty()) {
            s3.delete(pendingDeletes);
            store.update(m -> m.withShipping(m.shippingState().withoutRemotePending(pendingDeletes)));
            LOG.info("Deleted {} pruned object(s) from {}", pendingDeletes.size(), s3.config().describe());
        }
    }

    /** A run that got through: clears the backoff, and resolves the alert if it was raised. */
    public synchronized void succeeded(Exchange exchange) {
        if (runFiles > 0) {
            LOG.info("Shipped {} file(s), {} bytes, and the manifest to {}", runFiles, runBytes, s3.config().describe());
        }
        runFiles = 0;
        runBytes = 0;
        failures = 0;
        backoff.succeeded();
        nextAttempt = Instant.MIN;
        lastSuccess = clock.instant();
        if (alerted) {
            alerted = false;
            LOG.info("Shipping to {} works again", s3.config().describe());
            exchange.getMessage().setHeader("pgscribeAlert", ALERT);
            exchange.getMessage().setHeader("pgscribeAlertState", "resolved");
            exchange.getMessage().setBody("Shipping to " + s3.config().describe() + " works again (it failed since "
                    + failingSince + ")");
        }
        failingSince = null;
        lastFailure = null;
    }

    /** A run that failed: one WARN line, a growing wait, and past {@code alertAfter} the alert. */
    public synchronized void failed(Exchange exchange) {
        Throwable t = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        PgscribeException e = s3.explain(t == null ? new IllegalStateException("unknown failure") : unwrap(t), "shipping");
        Instant now = clock.instant();
        failures++;
        Duration wait = backoff.failed();
        nextAttempt = now.plus(wait);
        if (failingSince == null) {
            failingSince = now;
        }
        lastFailure = e.getMessage();
        runFiles = 0;
        runBytes = 0;
        LOG.warn("Shipping failed ({} in a row; files wait locally, next try in {} s): {}", failures, wait.toMillis() / 1000.0,
                e.getMessage());
        exchange.getMessage().removeHeader("pgscribeAlert");
        // a refusal does not pass by itself: it is an alert at once
        boolean refused = e.exitCode() == io.pgscribe.ExitCode.REFUSED;
        if (!alerted && (refused || !now.isBefore(failingSince.plus(alertAfter)))) {
            alerted = true;
            exchange.getMessage().setHeader("pgscribeAlert", ALERT);
            exchange.getMessage().setHeader("pgscribeAlertState", "firing");
            exchange.getMessage().setBody("Shipping to " + s3.config().describe() + " has failed since " + failingSince
                    + ": " + e.getMessage() + " HINT: " + e.hint());
        }
    }

    /** Figures for status and metrics: files waiting, failing since, last success. */
    public record State(int waiting, Instant failingSince, String lastFailure, Instant lastSuccess) {
    }

    public synchronized State state() {
        int waiting = (int) uploads(store.load()).stream().filter(u -> !u.manifest()).count();
        return new State(waiting, failingSince, lastFailure, lastSuccess);
    }

    private static Throwable unwrap(Throwable t) {
        Throwable c = t;
        while ((c instanceof org.apache.camel.CamelExchangeException || c instanceof org.apache.camel.RuntimeCamelException
                || c instanceof java.util.concurrent.CompletionException) && c.getCause() != null) {
            c = c.getCause();
        }
        return c;
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String md5Base64(Path file) {
        try (var in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("MD5");
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
            return Base64.getEncoder().encodeToString(md.digest());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Files pruning may delete locally while shipping is on: those the store already holds. */
    public static Set<String> shippedFiles(Manifest m) {
        return new HashSet<>(m.shippingState().shipped().keySet());
    }
}
