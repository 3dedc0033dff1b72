package io.pgscribe.decode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgscribe.segment.SegmentFormat;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Real pgoutput spool bytes from PostgreSQL 15 (fixtures/pgoutput, with the workload that made them). */
class PgOutputDecoderTest {

    static final Path FIXTURE = Path.of("src/test/resources/fixtures/pgoutput/spool.bin");

    /** The messages of the fixture, split by {@link PgOutputFrames#messageEnd}. */
    static List<byte[]> messages(byte[] spool) {
        List<byte[]> out = new ArrayList<>();
        int from = 0;
        while (from < spool.length) {
            int nl = PgOutputFrames.messageEnd(spool, from, spool.length);
            assertThat(nl).as("message at %d is whole", from).isPositive();
            out.add(Arrays.copyOfRange(spool, from, nl));
            from = nl + 1;
        }
        return out;
    }

    private static List<Change> decodeAll(PgOutputDecoder decoder, List<byte[]> messages) {
        List<Change> out = new ArrayList<>();
        for (byte[] m : messages) {
            decoder.decodeLine(m, StandardCharsets.UTF_8, out::add);
        }
        return out;
    }

    private static List<Change> fixture() throws Exception {
        return decodeAll(new PgOutputDecoder(), messages(Files.readAllBytes(FIXTURE)));
    }

    private static Map<String, String> values(List<Column> cols) {
        return cols.stream().collect(Collectors.toMap(Column::name, c -> c.text() == null ? "<NULL>" : c.text(),
                (a, b) -> a, java.util.LinkedHashMap::new));
    }

    private static <T extends Change> List<T> of(List<Change> all, Class<T> type, Predicate<T> which) {
        return all.stream().filter(type::isInstance).map(type::cast).filter(which).toList();
    }

    @Test
    void transactionsCarryCommitLsnXidAndTime() throws Exception {
        List<Change> all = fixture();
        List<Change.Begin> begins = of(all, Change.Begin.class, b -> true);
        List<Change.Commit> commits = of(all, Change.Commit.class, c -> true);
        assertThat(begins).hasSize(commits.size()).hasSizeGreaterThan(10);
        for (int i = 0; i < begins.size(); i++) {
            Change.Begin b = begins.get(i);
            Change.Commit c = commits.get(i);
            assertThat(b.xid()).isPositive();
            assertThat(b.commitLsn()).isEqualTo(c.commitLsn());
            assertThat(c.endLsn().isAfter(c.commitLsn())).isTrue();
            assertThat(b.commitTime()).isEqualTo(c.commitTime()).endsWith("+00");
            // the form segments and restore targets read
            assertThat(SegmentFormat.parseCommitTime(b.commitTime())).isNotNull();
            if (i > 0) {
                assertThat(b.commitLsn().isAfter(begins.get(i - 1).commitLsn())).isTrue();
            }
        }
        assertThat(all.get(0)).isInstanceOf(Change.Begin.class);
    }

    @Test
    void valuesAreTheTypesTextOutputNaNAndInfinityIncluded() throws Exception {
        List<Change.Insert> inserts = of(fixture(), Change.Insert.class, i -> i.table().equals("t"));
        Map<String, String> first = values(inserts.get(0).columns());
        // the generated column is not sent (before PostgreSQL 18)
        assertThat(first.keySet()).containsExactly("id", "txt", "n", "f4", "f8", "b", "ok", "m");
        assertThat(first).containsEntry("txt", "line\nbreak\r\n; COMMIT;\n-- x").containsEntry("n", "NaN")
                .containsEntry("f4", "Infinity").containsEntry("f8", "-Infinity").containsEntry("b", "\\x0a0d00")
                .containsEntry("ok", "true").containsEntry("m", "ok");
        assertThat(inserts.get(0).primaryKey()).containsExactly("id");
        Map<String, String> second = values(inserts.get(1).columns());
        assertThat(second).containsEntry("txt", "").containsEntry("n", "<NULL>").containsEntry("f8", "NaN")
                .containsEntry("b", "\\x").containsEntry("m", "<NULL>");
        // bytea's text output has its \x already: no type that would make the renderer add one
        assertThat(inserts.get(0).columns().get(5).type()).isNull();
        assertThat(inserts.get(0).columns().get(4).type()).isEqualTo("double precision");
        // numbers and booleans as wal2json has them: rendered bare; the rest quoted
        assertThat(inserts.get(0).columns()).extracting(Column::kind).containsExactly(Column.Kind.NUMBER, Column.Kind.STRING,
                Column.Kind.NUMBER, Column.Kind.NUMBER, Column.Kind.NUMBER, Column.Kind.STRING, Column.Kind.BOOLEAN,
                Column.Kind.STRING);
    }

    @Test
    void aColumnAddedBetweenTwoInsertsOfOneTransactionIsSeenAtOnce() throws Exception {
        List<Change.Insert> inserts = of(fixture(), Change.Insert.class, i -> i.table().equals("t"));
        assertThat(values(inserts.get(2).columns())).doesNotContainKey("extra").containsEntry("txt", "before");
        assertThat(values(inserts.get(3).columns())).containsEntry("extra", "x").containsEntry("txt", "after");
    }

    @Test
    void anUnchangedToastValueIsLeftOutOfTheNewRow() throws Exception {
        Change.Update u = of(fixture(), Change.Update.class, x -> x.table().equals("docs")).get(0);
        assertThat(values(u.columns())).containsOnlyKeys("id", "title").containsEntry("title", "renamed");
        assertThat(values(u.identity())).containsExactly(Map.entry("id", "1"));
    }

    @Test
    void updatesAndDeletesFindTheirRowByTheOldKeyOrTheWholeOldRow() throws Exception {
        List<Change> all = fixture();
        List<Change.Update> ofT = of(all, Change.Update.class, x -> x.table().equals("t"));
        // the key changed: the old key is sent
        assertThat(values(ofT.get(0).identity())).containsExactly(Map.entry("id", "1"));
        assertThat(values(ofT.get(0).columns())).containsEntry("id", "10");
        // the key stayed: it is read from the new row
        assertThat(values(ofT.get(1).identity())).containsExactly(Map.entry("id", "2"));
        Change.Delete d = of(all, Change.Delete.class, x -> x.table().equals("t")).get(0);
        assertThat(values(d.identity())).containsExactly(Map.entry("id", "2"));

        // REPLICA IDENTITY FULL: no key, the whole old row, NaN and Infinity in it
        Change.Update full = of(all, Change.Update.class, x -> x.table().equals("f")).get(0);
        assertThat(full.primaryKey()).isEmpty();
        assertThat(values(full.identity())).containsExactly(Map.entry("n", "NaN"), Map.entry("f8", "Infinity"),
                Map.entry("t", "a"));
        Change.Delete fullDelete = of(all, Change.Delete.class, x -> x.table().equals("f")).get(0);
        assertThat(values(fullDelete.identity())).containsExactly(Map.entry("n", "-Infinity"), Map.entry("f8", "-Infinity"),
                Map.entry("t", "<NULL>"));
    }

    @Test
    void theTablesOfOneTruncateShareTheirStatement() throws Exception {
        List<Change.Truncate> t = of(fixture(), Change.Truncate.class, x -> true);
        assertThat(t).extracting(Change.Truncate::table).containsExactly("parent", "child", "docs");
        assertThat(t.get(0).statement()).isEqualTo(t.get(1).statement()).isNotEqualTo(t.get(2).statement());
    }

    @Test
    void logicalMessagesKeepTheirLsnAndWhetherTheyAreTransactional() throws Exception {
        List<Change.Message> m = of(fixture(), Change.Message.class, x -> true);
        assertThat(m).hasSize(2);
        assertThat(m.get(0).transactional()).isFalse();
        assertThat(m.get(0).prefix()).isEqualTo("pgscribe");
        assertThat(m.get(0).content()).isEqualTo("heartbeat 1");
        assertThat(m.get(0).lsn()).isNotNull();
        assertThat(m.get(1).transactional()).isTrue();
        assertThat(m.get(1).content()).isEqualTo("in\ntransaction");
    }

    @Test
    void aTornLastMessageIsNotWholeAndEveryCutOfTheFileIsSeen() throws Exception {
        byte[] spool = Files.readAllBytes(FIXTURE);
        List<byte[]> whole = messages(spool);
        // cut the file at every byte of a message holding newlines in its values: none is taken whole early
        int start = 0;
        int index = 0;
        for (; index < whole.size(); index++) {
            if (whole.get(index)[0] == 'I') {
                break;
            }
            start += whole.get(index).length + 1;
        }
        int length = whole.get(index).length;
        for (int cut = start; cut <= start + length; cut++) {
            assertThat(PgOutputFrames.messageEnd(spool, start, cut)).as("cut at %d", cut).isEqualTo(-1);
        }
        assertThat(PgOutputFrames.messageEnd(spool, start, start + length + 1)).isEqualTo(start + length);
        // the last message, torn
        assertThat(PgOutputFrames.messageEnd(spool, spool.length - whole.get(whole.size() - 1).length - 1, spool.length - 2))
                .isEqualTo(-1);
    }

    @Test
    void aMissingNewlineAfterAMessageIsDamage() throws Exception {
        byte[] spool = Files.readAllBytes(FIXTURE);
        int nl = PgOutputFrames.messageEnd(spool, 0, spool.length);
        spool[nl] = 'X';
        assertThatThrownBy(() -> PgOutputFrames.messageEnd(spool, 0, spool.length)).isInstanceOf(DecodeException.class)
                .hasMessageContaining("not followed by pg_recvlogical's newline");
        assertThatThrownBy(() -> PgOutputFrames.messageEnd(new byte[] {'Z', 0, '\n'}, 0, 3)).isInstanceOf(DecodeException.class)
                .hasMessageContaining("unknown pgoutput message type 0x5a");
    }

    @Test
    void theSessionStateLetsADecoderStartInTheMiddleOfASession() throws Exception {
        List<byte[]> all = messages(Files.readAllBytes(FIXTURE));
        // after the first transaction: the Relation of t was sent, and is not sent again
        int split = 0;
        while (all.get(split)[0] != 'C') {
            split++;
        }
        split++;
        PgOutputDecoder first = new PgOutputDecoder();
        List<Change> before = decodeAll(first, all.subList(0, split));
        byte[] state = first.sessionState();
        assertThat(state).isNotEmpty();

        List<byte[]> rest = all.subList(split, all.size());
        assertThatThrownBy(() -> decodeAll(new PgOutputDecoder(), rest)).isInstanceOf(DecodeException.class)
                .hasMessageContaining("before any Relation message described it");

        PgOutputDecoder resumed = new PgOutputDecoder();
        resumed.restoreSessionState(state, StandardCharsets.UTF_8);
        List<Change> after = decodeAll(resumed, rest);
        List<Change> whole = new ArrayList<>(before);
        whole.addAll(after);
        // the same changes as read in one go (a TRUNCATE's number is only told apart within one decoder)
        assertThat(withoutStatements(whole)).isEqualTo(withoutStatements(fixture()));

        assertThatThrownBy(() -> new PgOutputDecoder().restoreSessionState(new byte[] {0, 0, 0, 9, 'R'},
                StandardCharsets.UTF_8)).isInstanceOf(DecodeException.class).hasMessageContaining("damaged");
    }

    private static List<Change> withoutStatements(List<Change> changes) {
        return changes.stream().map(c -> c instanceof Change.Truncate t ? new Change.Truncate(t.schema(), t.table(), 0) : c)
                .toList();
    }

    @Test
    void aProcessBoundaryForgetsTheSessionsRelations() throws Exception {
        List<byte[]> all = messages(Files.readAllBytes(FIXTURE));
        PgOutputDecoder d = new PgOutputDecoder();
        decodeAll(d, all.subList(0, 4));
        d.reset();
        assertThat(d.sessionState()).isEmpty();
    }

    @Test
    void timestampsAreWrittenAsTheServerPrintsThem() {
        assertThat(PgOutputDecoder.timestamp(0)).isEqualTo("2000-01-01 00:00:00+00");
        assertThat(PgOutputDecoder.timestamp(1_500_000)).isEqualTo("2000-01-01 00:00:01.5+00");
        assertThat(PgOutputDecoder.timestamp(-1)).isEqualTo("1999-12-31 23:59:59.999999+00");
    }
}
