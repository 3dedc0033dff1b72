package io.pgscribe.decode;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

/**
 * Where a pgoutput message ends in the bytes pg_recvlogical wrote. A value holding a newline
 * puts 0x0a inside a message, so the spool cannot be split at newlines; but every message is
 * length-determined (fixed fields, NUL-terminated names, Int32-length values), so its end is
 * found by walking its fields. The newline pg_recvlogical writes after each message is then
 * checked, as a frame check.
 */
public final class PgOutputFrames {

    private PgOutputFrames() {
    }

    /**
     * The index of the newline that ends the message starting at {@code from}, or -1 when
     * {@code [from, to)} does not hold all of it yet (pg_recvlogical is still writing it, or
     * was killed while writing it).
     *
     * @throws DecodeException when the bytes are no pgoutput message or the newline is missing
     */
    public static int messageEnd(byte[] buf, int from, int to) {
        Cursor in = new Cursor(buf, from, to, StandardCharsets.ISO_8859_1);
        try {
            skipMessage(in);
            int nl = in.position();
            if (nl >= to) {
                return -1;
            }
            if (buf[nl] != '\n') {
                throw new DecodeException("pgoutput message '" + (char) buf[from] + "' of " + (nl - from)
                        + " bytes is not followed by pg_recvlogical's newline (0x" + Integer.toHexString(buf[nl] & 0xFF)
                        + "): the spool file is damaged or not pgoutput's");
            }
            return nl;
        } catch (Incomplete e) {
            return -1;
        }
    }

    private static void skipMessage(Cursor in) {
        char type = (char) in.int8();
        switch (type) {
            case 'B' -> in.skip(8 + 8 + 4);
            case 'C' -> in.skip(1 + 8 + 8 + 8);
            case 'O' -> {
                in.skip(8);
                in.skipString();
            }
            case 'Y' -> {
                in.skip(4);
                in.skipString();
                in.skipString();
            }
            case 'R' -> {
                in.skip(4);
                in.skipString();
                in.skipString();
                in.skip(1);
                int n = in.int16();
                for (int i = 0; i < n; i++) {
                    in.skip(1);
                    in.skipString();
                    in.skip(8);
                }
            }
            case 'I' -> {
                in.skip(4 + 1);
                skipTuple(in);
            }
            case 'U' -> {
                in.skip(4);
                char kind = (char) in.int8();
                if (kind == 'K' || kind == 'O') {
                    skipTuple(in);
                    kind = (char) in.int8();
                }
                if (kind != 'N') {
                    throw new DecodeException("pgoutput UPDATE has '" + kind + "' where its new row should begin");
                }
                skipTuple(in);
            }
            case 'D' -> {
                in.skip(4 + 1);
                skipTuple(in);
            }
            case 'T' -> {
                int n = in.int32();
                in.skip(1);
                in.skip(4L * n);
            }
            case 'M' -> {
                in.skip(1 + 8);
                in.skipString();
                in.skip(in.int32());
            }
            default -> throw new DecodeException("unknown pgoutput message type 0x" + Integer.toHexString(type)
                    + ": the spool file is damaged or not pgoutput's");
        }
    }

    private static void skipTuple(Cursor in) {
        int n = in.int16();
        for (int i = 0; i < n; i++) {
            char kind = (char) in.int8();
            switch (kind) {
                case 'n', 'u' -> {
                }
                case 't', 'b' -> in.skip(in.int32());
                default -> throw new DecodeException("pgoutput row value of kind 0x" + Integer.toHexString(kind)
                        + ": the spool file is damaged or not pgoutput's");
            }
        }
    }

    /** Thrown when a field runs past the bytes there are; carries no stack, it is expected at every torn message. */
    static final class Incomplete extends RuntimeException {
        static final Incomplete INSTANCE = new Incomplete();

        private Incomplete() {
            super(null, null, false, false);
        }
    }

    /** Big-endian fields of a message in {@code buf[from, to)}. */
    static final class Cursor {
        private final byte[] buf;
        private final int to;
        private final Charset charset;
        private int pos;

        Cursor(byte[] buf, int from, int to, Charset charset) {
            this.buf = buf;
            this.pos = from;
            this.to = to;
            this.charset = charset;
        }

        int position() {
            return pos;
        }

        private void need(long n) {
            if (n < 0) {
                throw new DecodeException("pgoutput field of negative length " + n);
            }
            if (pos + n > to) {
                throw Incomplete.INSTANCE;
            }
        }

        void skip(long n) {
            need(n);
            pos += (int) n;
        }

        int int8() {
            need(1);
            return buf[pos++] & 0xFF;
        }

        int int16() {
            need(2);
            int v = ((buf[pos] & 0xFF) << 8) | (buf[pos + 1] & 0xFF);
            pos += 2;
            return v;
        }

        int int32() {
            need(4);
            int v = ((buf[pos] & 0xFF) << 24) | ((buf[pos + 1] & 0xFF) << 16) | ((buf[pos + 2] & 0xFF) << 8)
                    | (buf[pos + 3] & 0xFF);
            pos += 4;
            return v;
        }

        long int64() {
            long hi = int32() & 0xFFFFFFFFL;
            long lo = int32() & 0xFFFFFFFFL;
            return (hi << 32) | lo;
        }

        String string() {
            int start = pos;
            skipString();
            return new String(buf, start, pos - 1 - start, charset);
        }

        void skipString() {
            while (true) {
                need(1);
                if (buf[pos++] == 0) {
                    return;
                }
            }
        }

        String text(int length) {
            need(length);
            String s = new String(buf, pos, length, charset);
            pos += length;
            return s;
        }
    }
}
