package io.pgscribe.decode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgscribe.slot.Lsn;
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
        assertThat(t.lsn()).isEqualTo(Lsn.valueOf("0/15319D0"));
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
}
