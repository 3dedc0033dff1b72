package io.pgscribe.spool;

import io.pgscribe.PgscribeException;
import io.pgscribe.ExitCode;
import io.pgscribe.manifest.SpoolPosition;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the spool from a position: hands out each complete record ({@link Line}: the bytes
 * up to the newline that ends it, as {@link SpoolFraming} tells) with the position after it, moves to the next file once the current one is finished,
 * and reports where one pg_recvlogical process ended and the next began, because what
 * the old one left unfinished will be sent again by the new one.
 */
public final class SpoolFollower implements Closeable {

    private static final Logger LOG = LoggerFactory.getLogger(SpoolFollower.class);

    /** What the follower hands out. */
    public sealed interface Item {
    }

    /** A complete line (its bytes, without the newline, in the spool's charset), and the spool position right after it. */
    public record Line(byte[] bytes, Charset charset, SpoolPosition end) implements Item {

        public Line(String text, SpoolPosition end) {
            this(text.getBytes(java.nio.charset.StandardCharsets.UTF_8), java.nio.charset.StandardCharsets.UTF_8, end);
        }

        public String text() {
            return new String(bytes, charset);
        }
    }

    /** The process that wrote the previous file is gone: drop anything unfinished from it. */
    public record ProcessBoundary(String file) implements Item {
    }

    private final SpoolDirectory dir;
    private final Charset charset;
    private final SpoolPosition start;
    private final SpoolFraming framing;

    private SpoolFile cur;

    private String curName; // per line: formatted once per file
    private FileChannel channel;
    private byte[] buf = new byte[1 << 20];
    private int begin;      // first unconsumed byte
    private int end;        // end of bytes read
    private int scanned;    // bytes before this index hold no newline
    private long beginOffset; // file offset of buf[begin]

    public SpoolFollower(SpoolDirectory dir, SpoolPosition start, Charset charset) {
        this.dir = dir;
        this.start = start;
        this.charset = charset;
        this.framing = dir.framing();
    }

    /** The next item, or null when nothing more is available now. */
    public Item poll() {
        try {
            if (cur == null && !openStart()) {
                return null;
            }
            while (true) {
                Line line = takeLine();
                if (line != null) {
                    return line;
                }
                if (readMore() > 0) {
                    continue;
                }
                SpoolFile later = dir.laterFileWithData(cur);
                if (later == null) {
                    return null;
                }
                // this file is finished; read what may have landed before we looked
                if (readMore() > 0) {
                    continue;
                }
                Item boundary = moveToNextFile();
                if (boundary != null) {
                    return boundary;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read spool file " + (cur == null ? "" : cur.name()), e);
        }
    }

    /** The file being read, for metrics and logs. */
    public String currentFile() {
        return cur == null ? null : cur.name();
    }

    private boolean openStart() throws IOException {
        if (start != null) {
            SpoolFile f = SpoolFile.parse(start.file());
            if (f == null || !Files.exists(dir.resolve(f))) {
                throw new PgscribeException("spool file " + start.file() + " where the capture resumes is missing from "
                        + dir.path(), "The spool holds changes not yet in closed segments and must not be deleted; "
                        + "if it is lost, restart the runtime: it asks the slot for what the spool lost, or records a hole (see the "
                        + "README, \"A lost spool\").",
                        ExitCode.DAMAGED, null);
            }
            open(f, start.offset());
            return true;
        }
        for (SpoolFile f : dir.list()) {
            open(f, 0);
            return true;
        }
        return false;
    }

    private void open(SpoolFile f, long offset) throws IOException {
        if (channel != null) {
            channel.close();
        }
        channel = FileChannel.open(dir.resolve(f), StandardOpenOption.READ);
        if (offset > channel.size()) {
            throw new PgscribeException("spool file " + f.name() + " is shorter (" + channel.size()
                    + " bytes) than the position the capture resumes at (" + offset + ")",
                    "The spool was truncated by something other than pgscribe; take a new base to start a new chain.",
                    ExitCode.DAMAGED, null);
        }
        channel.position(offset);
        cur = f;
        curName = f == null ? null : f.name();
        begin = end = scanned = 0;
        beginOffset = offset;
    }

    private Line takeLine() {
        int i;
        if (framing == SpoolFraming.LINES) {
            i = indexOfNewline(buf, Math.max(scanned, begin), end);
            if (i < 0) {
                scanned = end;
                return null;
            }
        } else {
            // a record of fields is walked from its start each time more bytes arrive (it is rarely torn)
            try {
                i = framing.recordEnd(buf, begin, end);
            } catch (RuntimeException e) {
                throw new PgscribeException("spool file " + curName + " is damaged at offset " + beginOffset + ": "
                        + e.getMessage(), "Keep the spool as it is and report it; the capture cannot read past it.",
                        ExitCode.DAMAGED, e);
            }
            if (i < 0) {
                return null;
            }
        }
        // the bytes as they are: the wal2json decoder parses UTF-8 without a String of the line
        byte[] bytes = java.util.Arrays.copyOfRange(buf, begin, i);
        beginOffset += i + 1 - begin;
        begin = i + 1;
        scanned = begin;
        return new Line(bytes, charset, new SpoolPosition(curName, beginOffset));
    }

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long NEWLINES = 0x0A0A0A0A0A0A0A0AL;
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;

    /**
     * The first '\n' in {@code buf[from, to)}, or -1. Every byte of the capture passes here, so eight
     * at a time: a byte of {@code word ^ NEWLINES} is zero where the newline is, and the lowest set high
     * bit of the zero-byte test marks the first one (a byte loop was the spool thread's largest own cost).
     */
    static int indexOfNewline(byte[] buf, int from, int to) {
        int i = from;
        for (; i + Long.BYTES <= to; i += Long.BYTES) {
            long x = (long) LONGS.get(buf, i) ^ NEWLINES;
            long zeros = (x - ONES) & ~x & HIGHS;
            if (zeros != 0) {
                return i + (Long.numberOfTrailingZeros(zeros) >>> 3);
            }
        }
        for (; i < to; i++) {
            if (buf[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private int readMore() throws IOException {
        if (end == buf.length) {
            if (begin > 0) {
                System.arraycopy(buf, begin, buf, 0, end - begin);
                end -= begin;
                scanned -= begin;
                begin = 0;
            } else {
                byte[] bigger = new byte[buf.length * 2];
                System.arraycopy(buf, 0, bigger, 0, end);
                buf = bigger;
            }
        }
        int n = channel.read(ByteBuffer.wrap(buf, end, buf.length - end));
        if (n > 0) {
            end += n;
        }
        return Math.max(n, 0);
    }

    private Item moveToNextFile() throws IOException {
        int leftover = end - begin;
        if (leftover > 0) {
            LOG.warn("Spool file {} ends with {} bytes of an unfinished record: pg_recvlogical stopped while writing it. "
                    + "The server never confirmed it and sends it again.", cur.name(), leftover);
        }
        SpoolFile next = null;
        for (SpoolFile f : dir.list()) {
            if (f.seq() > cur.seq()) {
                next = f;
                break;
            }
        }
        if (next == null) {
            throw new IllegalStateException("a later spool file was seen, then vanished");
        }
        boolean newProcess = next.run() != cur.run() || leftover > 0;
        open(next, 0);
        return newProcess ? new ProcessBoundary(next.name()) : null;
    }

    @Override
    public void close() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                LOG.debug("closing spool file", e);
            }
            channel = null;
        }
    }
}
