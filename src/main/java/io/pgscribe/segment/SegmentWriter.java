package io.pgscribe.segment;

import io.pgscribe.ExitCode;
import io.pgscribe.PgscribeException;
import io.pgscribe.manifest.CaptureState;
import io.pgscribe.manifest.ManifestStore;
import io.pgscribe.manifest.SegmentEntry;
import io.pgscribe.manifest.SpoolPosition;
import io.pgscribe.storage.DurableFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams transactions into the open segment and closes it, only between transactions,
 * when it is big or old enough. A transaction of any size goes straight to disk; if its
 * COMMIT never comes (the decoder's process died), the file is cut back to where it began.
 *
 * <p>Closing: footer, fsync, rename from {@code .partial} to its final name, fsync of the
 * directory, sha256 of what is on disk, then the manifest entry. Only then is the segment
 * part of the backup set.
 */
public final class SegmentWriter {

    private static final Logger LOG = LoggerFactory.getLogger(SegmentWriter.class);

    /** When to close the open segment. */
    public record Policy(long maxBytes, Duration maxAge) {
    }

    private final Path dir;
    private final Policy policy;
    private final Clock clock;
    private final ManifestStore manifest;
    private final Charset charset;
    private final String header;
    private final Consumer<SegmentEntry> onClosed;

    private final ByteBuffer buf = ByteBuffer.allocate(1 << 18);
    private FileChannel channel;
    private Path partialPath;
    private String finalName;
    private Instant openedAt;
    private long transactions;
    private TransactionHeader first;
    private TransactionHeader last;
    private long txnStart = -1;
    // of every byte written into the open segment, to compare with what the disk gives back at close
    private java.security.MessageDigest written = DurableFiles.newSha256();
    private java.security.MessageDigest writtenAtTxnStart;

    public SegmentWriter(Path dir, Policy policy, Clock clock, ManifestStore manifest, Charset charset, String header,
                         Consumer<SegmentEntry> onClosed) {
        this.dir = DurableFiles.ownerOnlyDirectory(dir);
        this.policy = policy;
        this.clock = clock;
        this.manifest = manifest;
        this.charset = charset;
        this.header = header;
        this.onClosed = onClosed;
    }

    public boolean isOpen() {
        return channel != null;
    }

    public boolean inTransaction() {
        return txnStart >= 0;
    }

    /** Starts a transaction, opening a segment named after it when none is open. */
    public void begin(TransactionHeader h, long ordinalIfAnonymous) {
        if (inTransaction()) {
            throw new IllegalStateException("a transaction is already open");
        }
        if (channel == null) {
            open(h, ordinalIfAnonymous);
        }
        txnStart = position();
        writtenAtTxnStart = cloneOf(written);
        write(h.beginLine());
        write("\n");
        if (first == null) {
            first = h;
        }
    }

    public void write(CharSequence sql) {
        byte[] bytes = sql.toString().getBytes(charset);
        written.update(bytes);
        try {
            if (bytes.length > buf.remaining()) {
                flushBuffer();
                if (bytes.length > buf.capacity()) {
                    ByteBuffer big = ByteBuffer.wrap(bytes);
                    while (big.hasRemaining()) {
                        channel.write(big);
                    }
                    return;
                }
            }
            buf.put(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write segment " + partialPath, e);
        }
    }

    /** Ends the open transaction with COMMIT. */
    public void commit(TransactionHeader h) {
        if (!inTransaction()) {
            throw new IllegalStateException("no transaction is open");
        }
        write("COMMIT;\n\n");
        transactions++;
        last = h;
        txnStart = -1;
    }

    /** Drops the open transaction: the file is cut back to where it began. */
    public void abort() {
        if (!inTransaction()) {
            return;
        }
        try {
            flushBuffer();
            channel.truncate(txnStart);
            channel.position(txnStart);
            written = writtenAtTxnStart;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot cut back segment " + partialPath, e);
        }
        LOG.info("Dropped an unfinished transaction from the open segment; it will arrive again whole");
        txnStart = -1;
        if (transactions == 0) {
            first = null;
        }
    }

    /** Whether the open segment should close now (between transactions only). */
    public boolean isDue() {
        if (channel == null || inTransaction() || transactions == 0) {
            return false;
        }
        return position() >= policy.maxBytes()
                || !Duration.between(openedAt, clock.instant()).minus(policy.maxAge()).isNegative();
    }

    /**
     * Closes the open segment and records it with the capture state that follows it;
     * {@code ddlNotReplayed}: DDL firings it holds as NOT REPLAYED notes; {@code ddlRoles}: the
     * roles its DDL blocks run as. Returns null when there was nothing to close.
     */
    public SegmentEntry close(CaptureState state, SpoolPosition spoolEnd, long ddlNotReplayed,
                              java.util.Collection<String> ddlRoles) {
        if (channel == null) {
            return null;
        }
        if (inTransaction()) {
            throw new IllegalStateException("a segment closes only between transactions");
        }
        if (transactions == 0) {
            discardOpen();
            return null;
        }
        Path target = dir.resolve(finalName);
        try {
            write(SegmentFormat.footer(transactions, lsnText(first), lsnText(last)));
            flushBuffer();
            channel.force(true);
            channel.close();
            channel = null;
            DurableFiles.moveDurably(partialPath, target, false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close segment " + target, e);
        }
        long bytes;
        try {
            bytes = Files.size(target);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // read back before the manifest lists it: the disk must give back every byte written, no
        // more and no less (a full disk, a short write, another writer); `verify --backup` also lexes it
        String sha256 = DurableFiles.sha256(target);
        String expected = java.util.HexFormat.of().formatHex(written.digest());
        if (!sha256.equals(expected)) {
            throw new IllegalStateException("segment " + finalName + " reads back as other bytes (" + bytes + ", sha256 "
                    + sha256 + ") than were written (sha256 " + expected + "); it is not listed in the manifest");
        }
        SegmentEntry entry = new SegmentEntry("segments/" + finalName, state.segmentsClosed(), lsnText(first),
                lsnText(last), first.commitTime(), last.commitTime(), transactions, bytes,
                sha256, spoolEnd).withDdl(ddlNotReplayed, ddlRoles);
        manifest.update(m -> m.withSegment(entry, state));
        LOG.info("Closed segment {}: {} transactions, {} bytes", finalName, transactions, bytes);
        reset();
        onClosed.accept(entry);
        return entry;
    }

    /** Throws away an open segment without transactions (nothing was written into it). */
    private void discardOpen() {
        try {
            channel.close();
            Files.deleteIfExists(partialPath);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        reset();
    }

    private static java.security.MessageDigest cloneOf(java.security.MessageDigest d) {
        try {
            return (java.security.MessageDigest) d.clone();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("SHA-256 of this JVM cannot be cloned", e);
        }
    }

    /** Forgets the open segment file after a failure, leaving it on disk as .partial. */
    public void abandon() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                LOG.warn("Could not close {}: {}", partialPath, e.toString());
            }
        }
        reset();
    }

    private void reset() {
        channel = null;
        partialPath = null;
        finalName = null;
        openedAt = null;
        transactions = 0;
        first = last = null;
        txnStart = -1;
        buf.clear();
        written = DurableFiles.newSha256();
        writtenAtTxnStart = null;
    }

    private void open(TransactionHeader h, long ordinal) {
        openedAt = clock.instant();
        if (h.hasIdentity()) {
            Instant time = h.commitTime() != null ? SegmentFormat.parseCommitTime(h.commitTime()) : openedAt;
            finalName = SegmentFormat.name(h.commitLsn().asLong(), time);
        } else {
            finalName = SegmentFormat.name(ordinal, openedAt);
        }
        partialPath = dir.resolve(finalName + SegmentFormat.PARTIAL);
        try {
            channel = FileChannel.open(partialPath, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE);
            DurableFiles.ownerOnly(partialPath);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create segment " + partialPath, e);
        }
        buf.clear();
        write(header);
    }

    private long position() {
        try {
            return channel.position() + buf.position();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void flushBuffer() throws IOException {
        buf.flip();
        while (buf.hasRemaining()) {
            channel.write(buf);
        }
        buf.clear();
    }

    private static String lsnText(TransactionHeader h) {
        return h == null || h.commitLsn() == null ? null : h.commitLsn().asString();
    }

    /**
     * Removes from {@code segmentsDir} a segment the manifest does not list (a crash between rename
     * and manifest) and any .partial file: they are not part of the backup set, and their
     * transactions are still in the spool after the recorded resume point, to be written again.
     * {@code listed}: the file names the manifest lists. {@code fromCopy}: the manifest was read
     * from its copy, which can be a write older than the lost manifest; a closed segment it does
     * not list may then be the only place its transactions are, so nothing is removed and the
     * capture is refused until the operator decides.
     */
    public static void removeUnlisted(Path segmentsDir, Set<String> listed, boolean fromCopy) {
        if (!Files.isDirectory(segmentsDir)) {
            return;
        }
        if (fromCopy) {
            List<String> unlisted = unlistedClosed(segmentsDir, listed);
            if (!unlisted.isEmpty()) {
                throw ManifestStore.olderCopyRefusal(segmentsDir, unlisted);
            }
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(segmentsDir)) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                boolean partial = name.endsWith(SegmentFormat.PARTIAL);
                if (partial || (SegmentFormat.isSegmentName(name) && !listed.contains(name))) {
                    LOG.warn("Removing {} {}: it is not in the manifest; its transactions are written again from the spool",
                            partial ? "unfinished segment" : "unrecorded segment", name);
                    Files.delete(p);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clean " + segmentsDir, e);
        }
    }

    private static List<String> unlistedClosed(Path segmentsDir, Set<String> listed) {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(segmentsDir)) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                if (SegmentFormat.isSegmentName(name) && !listed.contains(name)) {
                    names.add(name);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + segmentsDir, e);
        }
        Collections.sort(names);
        return names;
    }
}
