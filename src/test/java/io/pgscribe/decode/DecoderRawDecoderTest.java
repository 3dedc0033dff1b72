package io.pgscribe.decode;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Against real decoder_raw output (../shared/fixtures, copied into test resources). */
class DecoderRawDecoderTest {

    static Path fixture(String name) {
        return Path.of("src/test/resources/fixtures/decoder_raw", name);
    }

    static List<Change> decodeFixture() throws IOException {
        DecoderRawDecoder decoder = new DecoderRawDecoder();
        List<Change> out = new ArrayList<>();
        for (String line : Files.readAllLines(fixture("decoder_raw.sql"), StandardCharsets.UTF_8)) {
            decoder.decodeLine(line, out::add);
        }
        assertThat(decoder.inMiddleOfChange()).isFalse();
        return out;
    }

    @Test
    void fixtureSplitsIntoItsKnownTransactionsAndStatements() throws IOException {
        List<Change> changes = decodeFixture();
        long begins = changes.stream().filter(c -> c instanceof Change.Begin).count();
        long commits = changes.stream().filter(c -> c instanceof Change.Commit).count();
        List<String> statements = changes.stream().filter(c -> c instanceof Change.Statement)
                .map(c -> ((Change.Statement) c).sql()).toList();
        assertThat(begins).isEqualTo(33);
        assertThat(commits).isEqualTo(33);
        assertThat(statements).hasSize(2052);
        assertThat(statements.stream().filter(s -> s.startsWith("INSERT ")).count()).isEqualTo(2034);
        assertThat(statements.stream().filter(s -> s.startsWith("UPDATE ")).count()).isEqualTo(11);
        assertThat(statements.stream().filter(s -> s.startsWith("DELETE ")).count()).isEqualTo(5);
        assertThat(statements.stream().filter(s -> s.startsWith("TRUNCATE ")).count()).isEqualTo(2);
        // the traps: lines that are exactly COMMIT; and BEGIN; inside literals
        assertThat(statements).anyMatch(s -> s.contains("\nCOMMIT;\n") && s.contains("Carol Trap"));
        assertThat(statements).anyMatch(s -> s.contains("'header\nBEGIN;\nfooter'"));
        // transactions alternate BEGIN ... COMMIT and never nest
        int depth = 0;
        for (Change c : changes) {
            if (c instanceof Change.Begin) {
                assertThat(depth).isZero();
                depth++;
            } else if (c instanceof Change.Commit) {
                assertThat(depth).isEqualTo(1);
                depth--;
            } else {
                assertThat(depth).isEqualTo(1);
            }
        }
    }

    @Test
    void resetDropsAHalfReadStatement() {
        DecoderRawDecoder decoder = new DecoderRawDecoder();
        List<Change> out = new ArrayList<>();
        decoder.decodeLine("BEGIN;", out::add);
        decoder.decodeLine("INSERT INTO t (a) VALUES ('never", out::add);
        assertThat(decoder.inMiddleOfChange()).isTrue();
        decoder.reset();
        decoder.decodeLine("BEGIN;", out::add);
        decoder.decodeLine("INSERT INTO t (a) VALUES (1);", out::add);
        decoder.decodeLine("COMMIT;", out::add);
        assertThat(out).hasSize(4);
        assertThat(((Change.Statement) out.get(2)).sql()).isEqualTo("INSERT INTO t (a) VALUES (1);");
    }

    @Test
    void readsDdlLogRowsOutOfInserts() {
        String sql = "INSERT INTO pgscribe.ddl_log (id, txid, query, tables, object_identity) VALUES "
                + "(7, '812', 'ALTER TABLE t ADD COLUMN \"x, y\" text DEFAULT ''a''', '[]', null);";
        assertThat(RawInsertParser.target(sql)).isEqualTo("pgscribe.ddl_log");
        Map<String, String> v = RawInsertParser.values(sql);
        assertThat(v).containsEntry("id", "7").containsEntry("txid", "812")
                .containsEntry("query", "ALTER TABLE t ADD COLUMN \"x, y\" text DEFAULT 'a'")
                .containsEntry("object_identity", null);
    }
}
