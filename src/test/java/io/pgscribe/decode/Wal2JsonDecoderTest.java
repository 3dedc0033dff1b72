package io.pgscribe.decode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgscribe.pg.Lsn;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Lines as wal2json 2.5 wrote them on PostgreSQL 15 (format-version 2). */
class Wal2JsonDecoderTest {

    private final Wal2JsonDecoder decoder = new Wal2JsonDecoder();

    private Change one(String line) {
        List<Change> out = new ArrayList<>();
        decoder.decodeLine(line, out::add);
        assertThat(out).hasSize(1);
        return out.get(0);
    }

    @Test
    void beginCarriesCommitLsnXidAndTime() {
        Change.Begin b = (Change.Begin) one("{\"action\":\"B\",\"xid\":727,\"timestamp\":\"2026-11-24 22:21:31.081531+00\","
                + "\"lsn\":\"0/15300B0\",\"nextlsn\":\"0/15300E0\"}");
        assertThat(b.xid()).isEqualTo(727L);
        assertThat(b.commitLsn()).isEqualTo(Lsn.valueOf("0/15300B0"));
        assertThat(b.endLsn()).isEqualTo(Lsn.valueOf("0/15300E0"));
        assertThat(b.commitTime()).isEqualTo("2026-11-24 22:21:31.081531+00");
    }

    @Test
    void numbersKeepEveryDigit() {
        Change.Insert i = (Change.Insert) one("{\"action\":\"I\",\"xid\":728,\"lsn\":\"0/15300E0\",\"schema\":\"public\","
                + "\"table\":\"t\",\"columns\":[{\"name\":\"id\",\"type\":\"integer\",\"value\":2},"
                + "{\"name\":\"n\",\"type\":\"numeric\",\"value\":123456789012345678901234567890.123456789},"
                + "{\"name\":\"f\",\"type\":\"double precision\",\"value\":1.1000000000000001},"
                + "{\"name\":\"e\",\"type\":\"double precision\",\"value\":1e+30},"
                + "{\"name\":\"a\",\"type\":\"text\",\"value\":null},"
                + "{\"name\":\"b\",\"type\":\"boolean\",\"value\":true}],"
                + "\"pk\":[{\"name\":\"id\",\"type\":\"integer\",\"typeoid\":23}]}");
        assertThat(i.schema()).isEqualTo("public");
        assertThat(i.columns()).extracting(Column::text)
                .containsExactly("2", "123456789012345678901234567890.123456789", "1.1000000000000001", "1e+30", null, "true");
        assertThat(i.columns()).extracting(Column::kind).containsExactly(Column.Kind.NUMBER, Column.Kind.NUMBER,
                Column.Kind.NUMBER, Column.Kind.NUMBER, Column.Kind.NULL, Column.Kind.BOOLEAN);
        assertThat(i.primaryKey()).containsExactly("id");
    }

    @Test
    void updateDeleteTruncateAndMessage() {
        Change.Update u = (Change.Update) one("{\"action\":\"U\",\"schema\":\"public\",\"table\":\"t\","
                + "\"columns\":[{\"name\":\"id\",\"type\":\"integer\",\"value\":3}],"
                + "\"identity\":[{\"name\":\"id\",\"type\":\"integer\",\"value\":2}],\"pk\":[{\"name\":\"id\",\"type\":\"integer\"}]}");
        assertThat(u.identity().get(0).text()).isEqualTo("2");
        Change.Delete d = (Change.Delete) one("{\"action\":\"D\",\"schema\":\"public\",\"table\":\"nopk\","
                + "\"identity\":[{\"name\":\"a\",\"type\":\"integer\",\"value\":null},"
                + "{\"name\":\"j\",\"type\":\"json\",\"value\":\"{\\\"x\\\":2}\"}],\"pk\":[]}");
        assertThat(d.primaryKey()).isEmpty();
        assertThat(d.identity().get(1).text()).isEqualTo("{\"x\":2}");
        Change.Truncate t = (Change.Truncate) one("{\"action\":\"T\",\"xid\":735,\"lsn\":\"0/15319D0\",\"schema\":\"public\",\"table\":\"t\"}");
        assertThat(t.statement()).isEqualTo(Lsn.valueOf("0/15319D0").asLong());
        Change.Message m = (Change.Message) one("{\"action\":\"M\",\"xid\":null,\"timestamp\":null,\"lsn\":\"0/1531CF0\","
                + "\"transactional\":false,\"prefix\":\"pfx\",\"content\":\"hello2\"}");
        assertThat(m.transactional()).isFalse();
        assertThat(m.content()).isEqualTo("hello2");
    }

    @Test
    void unicodeAndEscapesComeBackAsText() {
        Change.Insert i = (Change.Insert) one("{\"action\":\"I\",\"schema\":\"s\",\"table\":\"t\",\"columns\":"
                + "[{\"name\":\"v\",\"type\":\"text\",\"value\":\"tab\\there\\nnew \\\"q\\\" \\\\ 中文 🙂\"}]}");
        assertThat(i.columns().get(0).text()).isEqualTo("tab\there\nnew \"q\" \\ 中文 🙂");
    }

    @Test
    void brokenLinesStopTheCaptureWithTheLineInTheMessage() {
        assertThatThrownBy(() -> decoder.decodeLine("{\"action\":\"I\",\"schema\":\"pub", c -> { }))
                .isInstanceOf(DecodeException.class).hasMessageContaining("\"schema\":\"pub");
        assertThatThrownBy(() -> decoder.decodeLine("{\"action\":\"Z\"}", c -> { }))
                .isInstanceOf(DecodeException.class).hasMessageContaining("unknown action");
    }

    /** The capture hands UTF-8 lines over as bytes: they decode exactly as the same line as a String. */
    @Test
    void bytesDecodeAsTheirStringInUtf8AndInASingleByteEncoding() {
        String line = "{\"action\":\"I\",\"xid\":9,\"lsn\":\"0/1\",\"schema\":\"caf\u00e9\",\"table\":\"t\","
                + "\"columns\":[{\"name\":\"v\",\"type\":\"text\",\"value\":\"na\u00efve \\u00e9 \ud83d\ude00 \\\"q\\\"\"},"
                + "{\"name\":\"n\",\"type\":\"numeric\",\"value\":0.10000000000000000001}]}";
        Change fromString = one(line);
        List<Change> out = new ArrayList<>();
        decoder.decodeLine(line.getBytes(java.nio.charset.StandardCharsets.UTF_8), java.nio.charset.StandardCharsets.UTF_8, out::add);
        assertThat(out).containsExactly(fromString);
        assertThat(((Change.Insert) out.get(0)).columns().get(0).text()).isEqualTo("na\u00efve \u00e9 \ud83d\ude00 \"q\"");
        // a LATIN1 database: the bytes are not UTF-8 and go through the charset
        String latin = line.replace("\ud83d\ude00", "");
        out.clear();
        decoder.decodeLine(latin.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1), java.nio.charset.StandardCharsets.ISO_8859_1,
                out::add);
        assertThat(out).containsExactly(one(latin));
        assertThatThrownBy(() -> decoder.decodeLine("{\"action\":".getBytes(java.nio.charset.StandardCharsets.UTF_8),
                java.nio.charset.StandardCharsets.UTF_8, c -> { })).isInstanceOf(DecodeException.class)
                .hasMessageContaining("cannot read wal2json message: {\"action\":");
    }

    /** With include-type-oids (new backup sets): the built-in types rendering tells apart get their names, others none. */
    @Test
    void typeOidsNameTheTypesRenderingNeedsAndNoOthers() {
        Change.Update u = (Change.Update) one("{\"action\":\"U\",\"xid\":9,\"lsn\":\"0/1\",\"schema\":\"public\",\"table\":\"t\","
                + "\"columns\":[{\"name\":\"id\",\"typeoid\":20,\"value\":1},{\"name\":\"j\",\"typeoid\":114,\"value\":\"{}\"},"
                + "{\"name\":\"b\",\"typeoid\":17,\"value\":\"00ff\"},{\"name\":\"f\",\"typeoid\":701,\"value\":1.5},"
                + "{\"name\":\"ja\",\"typeoid\":199,\"value\":\"{}\"},{\"name\":\"e\",\"typeoid\":16385,\"value\":\"x\"}],"
                + "\"identity\":[{\"name\":\"id\",\"typeoid\":20,\"value\":1}],\"pk\":[{\"name\":\"id\",\"typeoid\":20}]}");
        assertThat(u.columns()).extracting(Column::type).containsExactly(null, "json", "bytea", "double precision", "json[]", null);
        assertThat(u.primaryKey()).containsExactly("id");
    }
}
