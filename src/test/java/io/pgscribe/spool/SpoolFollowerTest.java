package io.pgscribe.spool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgscribe.PgscribeException;
import io.pgscribe.manifest.SpoolPosition;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpoolFollowerTest {

    @TempDir
    Path tmp;

    private static void append(Path file, String text) throws IOException {
        Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    private static List<Object> drain(SpoolFollower f) {
        List<Object> out = new ArrayList<>();
        SpoolFollower.Item item;
        while ((item = f.poll()) != null) {
            out.add(item instanceof SpoolFollower.Line l ? l.text() : "<boundary " + ((SpoolFollower.ProcessBoundary) item).file() + ">");
        }
        return out;
    }

    @Test
    void readsOnlyCompleteLinesAndWaitsForTheRest() throws IOException {
        SpoolDirectory dir = new SpoolDirectory(tmp, "jsonl");
        SpoolFile first = dir.advance(true);
        Path p = dir.resolve(first);
        append(p, "one\ntw");
        try (SpoolFollower f = new SpoolFollower(dir, null, StandardCharsets.UTF_8)) {
            assertThat(drain(f)).containsExactly("one");
            append(p, "o\n中文\n");
            assertThat(drain(f)).containsExactly("two", "中文");
        }
        assertThat(Files.readSymbolicLink(dir.current()).toString()).isEqualTo(first.name());
    }

    @Test
    void aRotationContinuesAndANewProcessIsABoundaryWithItsTornLineDropped() throws IOException {
        SpoolDirectory dir = new SpoolDirectory(tmp, "jsonl");
        SpoolFile f1 = dir.advance(true);
        append(dir.resolve(f1), "a\nb\n");
        SpoolFile f2 = dir.advance(false); // SIGHUP rotation, same process
        SpoolFollower f = new SpoolFollower(dir, null, StandardCharsets.UTF_8);
        assertThat(drain(f)).containsExactly("a", "b");
        append(dir.resolve(f1), "c\n"); // written before pg_recvlogical reopened
        append(dir.resolve(f2), "d\ntorn li");
        assertThat(drain(f)).containsExactly("c", "d");
        SpoolFile f3 = dir.advance(true); // the process died; a new one starts
        assertThat(drain(f)).isEmpty(); // nothing in the new file yet: the old may still grow
        append(dir.resolve(f3), "e\n");
        assertThat(drain(f)).containsExactly("<boundary " + f3.name() + ">", "e");
        f.close();
    }

    @Test
    void resumesAtARecordedPosition() throws IOException {
        SpoolDirectory dir = new SpoolDirectory(tmp, "jsonl");
        SpoolFile f1 = dir.advance(true);
        append(dir.resolve(f1), "skip\nkeep\n");
        SpoolPosition after;
        try (SpoolFollower f = new SpoolFollower(dir, null, StandardCharsets.UTF_8)) {
            after = ((SpoolFollower.Line) f.poll()).end();
        }
        assertThat(after).isEqualTo(new SpoolPosition(f1.name(), 5));
        try (SpoolFollower f = new SpoolFollower(dir, after, StandardCharsets.UTF_8)) {
            assertThat(drain(f)).containsExactly("keep");
        }
    }

    @Test
    void aMissingOrShortSpoolIsDamageNotAnEmptyStream() throws IOException {
        SpoolDirectory dir = new SpoolDirectory(tmp, "jsonl");
        SpoolFile f1 = dir.advance(true);
        append(dir.resolve(f1), "x\n");
        assertThatThrownBy(() -> new SpoolFollower(dir, new SpoolPosition("00000009-000001.jsonl", 0),
                StandardCharsets.UTF_8).poll()).isInstanceOf(PgscribeException.class).hasMessageContaining("missing");
        assertThatThrownBy(() -> new SpoolFollower(dir, new SpoolPosition(f1.name(), 99), StandardCharsets.UTF_8).poll())
                .isInstanceOf(PgscribeException.class).hasMessageContaining("shorter");
    }

    @Test
    void linesLongerThanTheBufferArriveWhole() throws IOException {
        SpoolDirectory dir = new SpoolDirectory(tmp, "jsonl");
        SpoolFile f1 = dir.advance(true);
        String big = "x".repeat(3 * 1024 * 1024);
        append(dir.resolve(f1), big + "\nsmall\n");
        try (SpoolFollower f = new SpoolFollower(dir, null, StandardCharsets.UTF_8)) {
            assertThat(drain(f)).containsExactly(big, "small");
        }
    }

    @Test
    void deletesOnlyFilesBeforeTheCheckpoint() throws IOException {
        SpoolDirectory dir = new SpoolDirectory(tmp, "jsonl");
        SpoolFile f1 = dir.advance(true);
        SpoolFile f2 = dir.advance(false);
        SpoolFile f3 = dir.advance(true);
        assertThat(dir.deleteBefore(f2)).isEqualTo(1);
        assertThat(dir.list()).containsExactly(f2, f3);
        assertThat(Files.exists(dir.resolve(f1))).isFalse();
    }

    /** The word-at-a-time newline search finds what a byte loop finds, at every alignment and near every byte value. */
    @Test
    void newlineSearchAgreesWithAByteLoop() {
        Random random = new Random(42);
        byte[] lookalikes = {'\n', (byte) 0x8A, 0x0B, 0x09, 0x00, (byte) 0xFF, (byte) 0x80, 0x1A, 'a', (byte) 0xC3};
        for (int round = 0; round < 20_000; round++) {
            byte[] buf = new byte[random.nextInt(40)];
            int newlineOneIn = 1 + random.nextInt(30);
            for (int i = 0; i < buf.length; i++) {
                buf[i] = random.nextInt(newlineOneIn) == 0 ? (byte) '\n' : lookalikes[1 + random.nextInt(lookalikes.length - 1)];
            }
            int from = buf.length == 0 ? 0 : random.nextInt(buf.length + 1);
            int to = from + random.nextInt(buf.length - from + 1);
            int expected = -1;
            for (int i = from; i < to; i++) {
                if (buf[i] == '\n') {
                    expected = i;
                    break;
                }
            }
            assertThat(SpoolFollower.indexOfNewline(buf, from, to)).as("round %d", round).isEqualTo(expected);
        }
    }

    /** A framing like pgoutput's: a length byte, that many bytes (newlines among them), then the newline. */
    private static final SpoolFraming LENGTH_BYTE = (buf, from, to) -> {
        if (from >= to) {
            return -1;
        }
        int nl = from + 1 + buf[from];
        if (nl >= to) {
            return -1;
        }
        if (buf[nl] != '\n') {
            throw new IllegalStateException("no newline after the record");
        }
        return nl;
    };

    private static byte[] record(String body) {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        byte[] r = new byte[b.length + 2];
        r[0] = (byte) b.length;
        System.arraycopy(b, 0, r, 1, b.length);
        r[r.length - 1] = '\n';
        return r;
    }

    private static void appendBytes(Path file, byte[] bytes) throws IOException {
        Files.write(file, bytes, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    @Test
    void aFramingOfFieldsTakesRecordsWithNewlinesInsideAndDropsATornOne() throws IOException {
        SpoolDirectory dir = new SpoolDirectory(tmp, "pgoutput", LENGTH_BYTE);
        SpoolFile f1 = dir.advance(true);
        byte[] one = record("a\nb");
        appendBytes(dir.resolve(f1), java.util.Arrays.copyOf(one, 3)); // written in two pieces
        try (SpoolFollower f = new SpoolFollower(dir, null, StandardCharsets.UTF_8)) {
            assertThat(drain(f)).isEmpty();
            appendBytes(dir.resolve(f1), java.util.Arrays.copyOfRange(one, 3, one.length));
            appendBytes(dir.resolve(f1), record("\n\n"));
            appendBytes(dir.resolve(f1), java.util.Arrays.copyOf(record("torn"), 3));
            // a record is every byte before its newline, its length byte too
            assertThat(drain(f)).containsExactly("\u0003a\nb", "\u0002\n\n");
            SpoolFile f2 = dir.advance(true); // a new process: the torn record is never finished
            appendBytes(dir.resolve(f2), record("next"));
            assertThat(drain(f)).containsExactly("<boundary " + f2.name() + ">", "\u0004next");
        }
    }

    @Test
    void aRecordItsFramingCannotReadIsDamage() throws IOException {
        SpoolDirectory dir = new SpoolDirectory(tmp, "pgoutput", LENGTH_BYTE);
        SpoolFile f1 = dir.advance(true);
        appendBytes(dir.resolve(f1), record("ok"));
        appendBytes(dir.resolve(f1), new byte[] {2, 'x', 'y', 'z', '\n'});
        try (SpoolFollower f = new SpoolFollower(dir, null, StandardCharsets.UTF_8)) {
            assertThat(f.poll()).isInstanceOf(SpoolFollower.Line.class);
            assertThatThrownBy(f::poll).isInstanceOf(PgscribeException.class)
                    .hasMessageContaining("spool file " + f1.name() + " is damaged at offset 4")
                    .hasMessageContaining("no newline after the record");
        }
    }

    @Test
    void aSessionStateIsKeptForOnePositionAndTheOthersAreDeleted() throws IOException {
        SpoolDirectory dir = new SpoolDirectory(tmp, "pgoutput", LENGTH_BYTE);
        SpoolFile f1 = dir.advance(true);
        SpoolPosition a = new SpoolPosition(f1.name(), 10);
        SpoolPosition b = new SpoolPosition(f1.name(), 20);
        dir.saveSessionState(a, new byte[] {1});
        dir.saveSessionState(b, new byte[] {2, 3});
        assertThat(dir.sessionState(a)).containsExactly(1);
        assertThat(dir.sessionState(new SpoolPosition(f1.name(), 11))).isNull();
        dir.deleteSessionStatesBut(b);
        assertThat(dir.sessionState(a)).isNull();
        assertThat(dir.sessionState(b)).containsExactly(2, 3);
        assertThat(java.nio.file.Files.getPosixFilePermissions(tmp.resolve(f1.name() + ".session-20")))
                .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        // not a spool file
        assertThat(dir.list()).containsExactly(f1);
        // one changed byte is refused, never read as another table's columns
        Path kept = tmp.resolve(f1.name() + ".session-20");
        byte[] bytes = Files.readAllBytes(kept);
        bytes[bytes.length - 1] ^= 1;
        Files.write(kept, bytes);
        assertThatThrownBy(() -> dir.sessionState(b)).isInstanceOf(PgscribeException.class)
                .hasMessageContaining("is damaged (its checksum fails)");
    }
}
