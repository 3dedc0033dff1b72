package io.pgscribe.capture;

import io.pgscribe.segment.SegmentWriter;
import io.pgscribe.storage.DurableFiles;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Rendered SQL held back on disk (bounded memory) until what must precede it is known:
 * the rows of CREATE TABLE AS arrive before the firing that describes their table. Each
 * entry keeps the table it belongs to, so the rows of a materialized view can be left out.
 */
final class Spill implements AutoCloseable {

    private final Path file;
    private final DataOutputStream out;
    private boolean empty = true;

    Spill(Path dir) {
        try {
            DurableFiles.ownerOnlyDirectory(dir);
            file = Files.createTempFile(dir, ".spill-", ".sql");
            out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a spill file in " + dir, e);
        }
    }

    /** {@code table}: the table the statement changes, null for anything else. */
    void write(String table, CharSequence sql) {
        try {
            byte[] t = (table == null ? "" : table).getBytes(StandardCharsets.UTF_8);
            byte[] s = sql.toString().getBytes(StandardCharsets.UTF_8);
            out.writeInt(t.length);
            out.write(t);
            out.writeInt(s.length);
            out.write(s);
            empty = false;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    boolean isEmpty() {
        return empty;
    }

    /** Writes what was held back into the open segment, in order, except the statements of {@code leaveOut} tables. */
    void drainInto(SegmentWriter writer, java.util.Set<String> leaveOut) {
        try {
            out.flush();
            try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
                while (true) {
                    int tl;
                    try {
                        tl = in.readInt();
                    } catch (EOFException end) {
                        return;
                    }
                    String table = new String(in.readNBytes(tl), StandardCharsets.UTF_8);
                    String sql = new String(in.readNBytes(in.readInt()), StandardCharsets.UTF_8);
                    if (!leaveOut.contains(table)) {
                        writer.write(sql);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    @Override
    public void close() {
        try {
            out.close();
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + file, e);
        }
    }
}
