package io.pgscribe.segment;

import io.pgscribe.ExitCode;
import io.pgscribe.PgscribeException;
import io.pgscribe.sql.SqlScanner;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.nio.file.Path;

/**
 * Reads a segment back as its parts: the settings at its top, then per transaction its
 * header, its statements and its COMMIT. A segment that ends without its footer, inside
 * a statement or inside a transaction was cut short: that is damage, reported as such.
 */
public final class SegmentReader implements Closeable {

    /** A part of a segment. */
    public sealed interface Part {
    }

    /** A statement outside any transaction (the SETs at the top). */
    public record Setup(String sql) implements Part {
    }

    public record Begin(TransactionHeader header) implements Part {
    }

    /** A statement inside a transaction, with its leading comments. */
    public record Body(String sql) implements Part {
    }

    /** A COMMIT, with the comments before it. */
    public record Commit(String text) implements Part {
    }

    private final String file;
    private final boolean checksumVerified;
    private final SqlScanner scanner;
    private boolean inTxn;
    private boolean footer;
    private boolean done;
    private long transactions;

    public SegmentReader(Path file, Charset charset) {
        this(file, charset, false);
    }

    /** {@code checksumVerified}: the file matched the manifest, so what does not read was written like that. */
    public SegmentReader(Path file, Charset charset, boolean checksumVerified) {
        // a compressed segment (.gz, .zst) is read through its decompressor
        this(io.pgscribe.storage.Compression.open(file), file.getFileName().toString(), charset, checksumVerified);
    }

    /** The segment {@code name} from its content (decrypted and decompressed already); closing this closes it. */
    public SegmentReader(java.io.InputStream content, String name, Charset charset, boolean checksumVerified) {
        this.file = name;
        this.checksumVerified = checksumVerified;
        this.scanner = new SqlScanner(new java.io.BufferedReader(new java.io.InputStreamReader(content, charset.newDecoder()),
                1 << 16));
    }

    /** The next part, or null at the (intact) end. */
    public Part next() {
        if (done) {
            return null;
        }
        try {
            SqlScanner.Statement st;
            while ((st = scanner.next()) != null) {
                if (!st.hasCode()) {
                    if (st.text().contains(SegmentFormat.FOOTER_PREFIX) && !inTxn) {
                        footer = true;
                    }
                    continue;
                }
                if (!st.terminated()) {
                    throw damaged("ends in the middle of a statement");
                }
                if (footer) {
                    throw damaged("has statements after its footer");
                }
                String code = st.code();
                if (!inTxn) {
                    TransactionHeader h = TransactionHeader.parse(code);
                    if (h != null) {
                        inTxn = true;
                        return new Begin(h);
                    }
                    return new Setup(st.text());
                }
                if (code.equals("COMMIT;")) {
                    inTxn = false;
                    transactions++;
                    return new Commit(st.text());
                }
                return new Body(st.text());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read segment " + file, e);
        }
        done = true;
        if (inTxn) {
            throw damaged("ends inside a transaction");
        }
        if (!footer) {
            throw damaged("has no footer line (" + SegmentFormat.FOOTER_PREFIX.strip() + " ...)");
        }
        return null;
    }

    /** What a whole segment holds, read to its footer. */
    public record Summary(long transactions, String firstLsn, String lastLsn) {
    }

    /**
     * Reads {@code file} to its footer: how many transactions, the commit LSNs of the first and
     * the last (null for decoder_raw). Throws (exit 5) when it does not read as a closed segment.
     */
    public static Summary scan(Path file, Charset charset) {
        return scan(io.pgscribe.storage.Compression.open(file), file.getFileName().toString(), charset);
    }

    /** As {@link #scan(Path, Charset)}, from the segment's content. */
    public static Summary scan(java.io.InputStream content, String name, Charset charset) {
        try (SegmentReader r = new SegmentReader(content, name, charset, false)) {
            String first = null;
            String last = null;
            Part p;
            while ((p = r.next()) != null) {
                if (p instanceof Begin b && b.header().commitLsn() != null) {
                    first = first == null ? b.header().commitLsn().asString() : first;
                    last = b.header().commitLsn().asString();
                }
            }
            return new Summary(r.transactions(), first, last);
        }
    }

    public long transactions() {
        return transactions;
    }

    public long charsRead() {
        return scanner.charsRead();
    }

    private PgscribeException damaged(String what) {
        if (checksumVerified) {
            return unreadable(what);
        }
        return new PgscribeException("segment " + file + " " + what + ": it was cut short or altered",
                "Restore stops here rather than apply part of the chain; fetch an intact copy of the file "
                        + "(e.g. from S3) or restore to a point before it.", ExitCode.DAMAGED, null);
    }

    /** What a segment that matches its checksum but does not read as pgscribe writes segments gets. */
    public PgscribeException unreadable(String what) {
        return new PgscribeException("segment " + file + " cannot be read as pgscribe writes segments, though "
                + "it matches its checksum: it " + what,
                "It was written like this (by a capture that lost track of the SQL, or by hand): restore to a point "
                        + "before it, and report the file to the pgscribe developers.", ExitCode.DAMAGED, null);
    }

    @Override
    public void close() {
        try {
            scanner.close();
        } catch (IOException e) {
            // read-only
        }
    }
}
