package io.pgscribe.decode;

import io.pgscribe.pg.Lsn;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Reads pgoutput, logical replication protocol version 1, as pg_recvlogical writes it: each
 * message's binary payload followed by one newline byte ({@link PgOutputFrames} finds where a
 * message ends). Every value is the column type's own text output, so NaN, Infinity and
 * every other literal arrive exactly.
 *
 * <p>Rows name their table by OID; the Relation message that maps it to its schema, name and
 * columns is sent once per walsender session, before the table's first change and again after
 * its definition changed (also between two changes of one transaction). The decoder keeps
 * them, and gives them out as {@link #sessionState()} so that a capture resuming in the middle
 * of a session's output knows the tables named before the point it resumes at.
 */
public final class PgOutputDecoder implements Decoder {

    /** Microseconds from 1970 to PostgreSQL's epoch, 2000-01-01 UTC. */
    private static final long PG_EPOCH_MICROS = 946_684_800_000_000L;
    private static final int BYTEA_OID = 17;

    private record Relation(String schema, String name, List<Col> columns, List<String> key, byte[] message) {
    }

    private record Col(String name, String type, Column.Kind kind, boolean key) {
    }

    /**
     * Built-in numbers and booleans as wal2json writes them (bare, true/false), so that the SQL of
     * both decoders reads alike; every other value is a quoted literal its column's type reads.
     */
    private static Column.Kind kindOf(int typeOid) {
        return switch (typeOid) {
            case 20, 21, 23, 26, 700, 701, 1700 -> Column.Kind.NUMBER;
            case 16 -> Column.Kind.BOOLEAN;
            default -> Column.Kind.STRING;
        };
    }

    // by relation OID, in the order first seen (the session state keeps that order)
    private final Map<Integer, Relation> relations = new java.util.LinkedHashMap<>();
    private long truncateStatements;
    private byte[] state; // sessionState(), made again only after it changed: the capture asks at every commit

    @Override
    public void decodeLine(String line, Consumer<Change> sink) {
        throw new DecodeException("pgoutput messages are binary; they are read from the spool's bytes");
    }

    @Override
    public void decodeLine(byte[] message, Charset charset, Consumer<Change> sink) {
        if (message.length == 0) {
            throw new DecodeException("empty pgoutput message");
        }
        PgOutputFrames.Cursor in = new PgOutputFrames.Cursor(message, 0, message.length, charset);
        try {
            List<Change> out = new ArrayList<>(1);
            read(in, message, out);
            if (in.position() != message.length) {
                throw new DecodeException("pgoutput message '" + (char) message[0] + "' has " + (message.length - in.position())
                        + " bytes more than its fields");
            }
            out.forEach(sink);
        } catch (PgOutputFrames.Incomplete e) {
            throw new DecodeException("pgoutput message '" + (char) message[0] + "' is cut short (" + message.length + " bytes)");
        }
    }

    private void read(PgOutputFrames.Cursor in, byte[] message, List<Change> out) {
        char type = (char) in.int8();
        Change c = switch (type) {
            case 'B' -> {
                Lsn commit = Lsn.of(in.int64());
                String time = timestamp(in.int64());
                long xid = in.int32() & 0xFFFFFFFFL;
                yield new Change.Begin(xid, commit, null, time);
            }
            case 'C' -> {
                in.int8(); // flags, unused
                Lsn commit = Lsn.of(in.int64());
                Lsn end = Lsn.of(in.int64());
                yield new Change.Commit(null, commit, end, timestamp(in.int64()));
            }
            case 'O' -> { // origin of a replicated transaction: nothing to restore
                in.int64();
                in.string();
                yield null;
            }
            case 'Y' -> { // a custom type's name: its values arrive as text, nothing to keep
                in.int32();
                in.string();
                in.string();
                yield null;
            }
            case 'R' -> {
                relation(in, message);
                yield null;
            }
            case 'I' -> {
                Relation r = relation(in.int32());
                expect(in, 'N', "INSERT");
                yield new Change.Insert(r.schema(), r.name(), tuple(in, r, false), r.key());
            }
            case 'U' -> {
                Relation r = relation(in.int32());
                char kind = (char) in.int8();
                List<Column> old = null;
                if (kind == 'K' || kind == 'O') {
                    old = tuple(in, r, false);
                    kind = (char) in.int8();
                }
                if (kind != 'N') {
                    throw new DecodeException("UPDATE of " + r.schema() + "." + r.name() + " has no new row");
                }
                List<Column> row = tuple(in, r, true);
                yield new Change.Update(r.schema(), r.name(), row, old != null ? keyOf(old, r, true) : keyOf(row, r, false),
                        r.key());
            }
            case 'D' -> {
                Relation r = relation(in.int32());
                char kind = (char) in.int8();
                if (kind != 'K' && kind != 'O') {
                    throw new DecodeException("DELETE of " + r.schema() + "." + r.name() + " has no old row");
                }
                yield new Change.Delete(r.schema(), r.name(), keyOf(tuple(in, r, false), r, true), r.key(), kind == 'O');
            }
            case 'T' -> {
                int n = in.int32();
                in.int8(); // CASCADE / RESTART IDENTITY: every table truncated is listed, sequences are synced apart
                long statement = ++truncateStatements;
                for (int i = 0; i < n; i++) {
                    Relation r = relation(in.int32());
                    out.add(new Change.Truncate(r.schema(), r.name(), statement));
                }
                yield null;
            }
            case 'M' -> {
                boolean transactional = (in.int8() & 1) != 0;
                Lsn lsn = Lsn.of(in.int64());
                String prefix = in.string();
                int length = in.int32();
                yield new Change.Message(transactional, prefix, in.text(length), lsn);
            }
            default -> throw new DecodeException("unknown pgoutput message type '" + type + "' (0x"
                    + Integer.toHexString(type) + "); pgscribe reads protocol version 1 without streaming");
        };
        if (c != null) {
            out.add(c);
        }
    }

    private void relation(PgOutputFrames.Cursor in, byte[] message) {
        int oid = in.int32();
        String schema = in.string();
        String name = in.string();
        char identity = (char) in.int8();
        int n = in.int16();
        List<Col> cols = new ArrayList<>(n);
        List<String> key = new ArrayList<>(2);
        for (int i = 0; i < n; i++) {
            boolean isKey = (in.int8() & 1) != 0;
            String col = in.string();
            int typeOid = in.int32();
            in.int32(); // typmod: the text output already says all
            // the text output of bytea has its \x, which wal2json leaves out: no special rendering
            cols.add(new Col(col, typeOid == BYTEA_OID ? null : BuiltinTypes.name(typeOid), kindOf(typeOid), isKey));
            if (isKey) {
                key.add(col);
            }
        }
        // FULL identity flags every column: there is no key to find a row by, only the whole old row
        relations.put(oid, new Relation(schema, name, cols, identity == 'f' ? List.of() : List.copyOf(key), message));
        state = null;
    }

    private Relation relation(int oid) {
        Relation r = relations.get(oid);
        if (r == null) {
            throw new DecodeException("pgoutput names relation " + (oid & 0xFFFFFFFFL) + " before any Relation message "
                    + "described it: the spool was read from a point whose session state was not kept (to go on: stop the "
                    + "runtime, move the spool directory aside and start it again; README, \"A lost spool\")");
        }
        return r;
    }

    /** One TupleData; {@code skipUnchanged} leaves out unchanged TOASTed values (never sent again). */
    private static List<Column> tuple(PgOutputFrames.Cursor in, Relation r, boolean skipUnchanged) {
        int n = in.int16();
        if (n != r.columns().size()) {
            throw new DecodeException("a row of " + r.schema() + "." + r.name() + " has " + n + " columns, its Relation message "
                    + r.columns().size());
        }
        List<Column> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Col c = r.columns().get(i);
            char kind = (char) in.int8();
            switch (kind) {
                case 'n' -> out.add(new Column(c.name(), c.type(), null, Column.Kind.NULL));
                case 'u' -> {
                    if (!skipUnchanged) {
                        throw new DecodeException("an old row or new row of " + r.schema() + "." + r.name()
                                + " has an unchanged TOAST value where every value is needed (" + c.name() + ")");
                    }
                }
                case 't' -> {
                    String text = in.text(in.int32());
                    if (c.kind() == Column.Kind.BOOLEAN) {
                        text = text.equals("t") ? "true" : "false";
                    }
                    out.add(new Column(c.name(), c.type(), text, c.kind()));
                }
                default -> throw new DecodeException("column " + c.name() + " of " + r.schema() + "." + r.name()
                        + " has value kind '" + kind + "'; pgscribe asks for text values");
            }
        }
        return out;
    }

    /** The identity of an UPDATE or DELETE: the old key or row as sent, or the key columns of the new row. */
    private static List<Column> keyOf(List<Column> row, Relation r, boolean old) {
        if (old && r.key().isEmpty()) {
            return row; // FULL: the whole old row
        }
        List<Column> key = new ArrayList<>(r.key().size());
        for (Column c : row) {
            if (r.key().contains(c.name())) {
                key.add(c);
            }
        }
        return key;
    }

    private static void expect(PgOutputFrames.Cursor in, char kind, String what) {
        char k = (char) in.int8();
        if (k != kind) {
            throw new DecodeException(what + " message has '" + k + "' where '" + kind + "' was expected");
        }
    }

    /** As the server prints a timestamptz in UTC with DateStyle ISO: trailing zeros of the fraction left out. */
    static String timestamp(long pgMicros) {
        long micros = pgMicros + PG_EPOCH_MICROS;
        Instant t = Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000L);
        LocalDateTime d = LocalDateTime.ofInstant(t, ZoneOffset.UTC);
        StringBuilder sb = new StringBuilder(32);
        sb.append(String.format("%04d-%02d-%02d %02d:%02d:%02d", d.getYear(), d.getMonthValue(), d.getDayOfMonth(),
                d.getHour(), d.getMinute(), d.getSecond()));
        int fraction = d.getNano() / 1000;
        if (fraction != 0) {
            String f = String.format("%06d", fraction);
            int end = f.length();
            while (f.charAt(end - 1) == '0') {
                end--;
            }
            sb.append('.').append(f, 0, end);
        }
        return sb.append("+00").toString();
    }

    /** A process ended: the next session sends every Relation again before it is used. */
    @Override
    public void reset() {
        relations.clear();
        state = null;
    }

    @Override
    public boolean inMiddleOfChange() {
        return false;
    }

    /** The Relation messages known now, each as an Int32 length and the message as sent. */
    @Override
    public byte[] sessionState() {
        if (state != null) {
            return state;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Relation r : relations.values()) {
            writeFramed(out, r.message());
        }
        state = out.toByteArray();
        return state;
    }

    @Override
    public void restoreSessionState(byte[] state, Charset charset) {
        reset();
        ByteBuffer b = ByteBuffer.wrap(state);
        while (b.hasRemaining()) {
            if (b.remaining() < 4) {
                throw new DecodeException("the kept pgoutput session state ends in the middle of a length");
            }
            int length = b.getInt();
            if (length <= 0 || length > b.remaining()) {
                throw new DecodeException("the kept pgoutput session state is damaged (a message of " + length + " bytes)");
            }
            byte[] m = new byte[length];
            b.get(m);
            if (m[0] != 'R') {
                throw new DecodeException("the kept pgoutput session state holds a '" + (char) m[0] + "' message");
            }
            decodeLine(m, charset, c -> {
                throw new DecodeException("the kept pgoutput session state holds a change");
            });
        }
    }

    private static void writeFramed(ByteArrayOutputStream out, byte[] m) {
        out.write(m.length >>> 24);
        out.write(m.length >>> 16);
        out.write(m.length >>> 8);
        out.write(m.length);
        out.write(m, 0, m.length);
    }
}
