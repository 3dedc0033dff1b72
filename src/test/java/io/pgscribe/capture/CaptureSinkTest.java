package io.pgscribe.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgscribe.decode.DecoderPlugin;
import io.pgscribe.manifest.CaptureState;
import io.pgscribe.manifest.Manifest;
import io.pgscribe.manifest.ManifestStore;
import io.pgscribe.manifest.SpoolPosition;
import io.pgscribe.manifest.TableShape;
import io.pgscribe.segment.SegmentWriter;
import io.pgscribe.spool.SpoolDirectory;
import io.pgscribe.spool.SpoolFollower;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The capture's transaction bookkeeping, fed exact spool items (no server). */
class CaptureSinkTest {

    @TempDir
    Path tmp;

    private ManifestStore store;
    private SpoolDirectory spool;
    private int offset;

    @BeforeEach
    void backupSet() {
        store = new ManifestStore(tmp);
        store.save(new Manifest(Manifest.FORMAT, "test", new Manifest.Source("db", "1", "15", 150000, "UTF8"), "slot",
                "wal2json", List.of(), "now", null, null, null,
                CaptureState.initial(List.of(new TableShape("public", "g", List.of("doubled"), List.of()))), null));
        spool = new SpoolDirectory(tmp.resolve("spool"), "jsonl");
        spool.advance(true);
    }

    private CaptureSink sink() {
        return new CaptureSink(DecoderPlugin.WAL2JSON, store, spool, new SegmentWriter.Policy(1 << 20, Duration.ofHours(1)),
                Clock.systemUTC());
    }

    static String begin(int xid, String lsn) {
        return "{\"action\":\"B\",\"xid\":" + xid + ",\"timestamp\":\"2026-11-24 10:00:0" + (xid % 10) + "+00\",\"lsn\":\""
                + lsn + "\",\"nextlsn\":\"" + lsn + "\"}";
    }

    static String commit(int xid, String lsn) {
        return "{\"action\":\"C\",\"xid\":" + xid + ",\"lsn\":\"" + lsn + "\"}";
    }

    static String insert(String table, int id) {
        return "{\"action\":\"I\",\"schema\":\"public\",\"table\":\"" + table + "\",\"columns\":[{\"name\":\"id\",\"type\":\"integer\","
                + "\"value\":" + id + "},{\"name\":\"doubled\",\"type\":\"integer\",\"value\":" + (2 * id) + "}],"
                + "\"pk\":[{\"name\":\"id\",\"type\":\"integer\"}]}";
    }

    private List<SpoolFollower.Item> lines(String... texts) {
        List<SpoolFollower.Item> items = new ArrayList<>();
        for (String t : texts) {
            offset += t.length() + 1;
            items.add(new SpoolFollower.Line(t, new SpoolPosition(spool.last().name(), offset)));
        }
        return items;
    }

    private String segments() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (var s : ManifestStore.readUnverified(store.file()).segments()) {
            sb.append(Files.readString(tmp.resolve(s.file())));
        }
        return sb.toString();
    }

    @Test
    void aTransactionCutByAProcessRestartIsDroppedAndItsResentCopyWrittenOnce() throws IOException {
        CaptureSink sink = sink();
        sink.accept(lines(begin(1, "0/100"), insert("t", 1), commit(1, "0/100"),
                begin(2, "0/200"), insert("t", 2)));
        sink.accept(List.of(new SpoolFollower.ProcessBoundary("00000002-000002.jsonl")));
        // the new process sends everything after the confirmed position again: 1 is a duplicate, 2 arrives whole
        sink.accept(lines(begin(1, "0/100"), insert("t", 1), commit(1, "0/100"),
                begin(2, "0/200"), insert("t", 2), insert("g", 3), commit(2, "0/200")));
        sink.shutdown();
        String sql = segments();
        assertThat(sql.split("INSERT INTO \"public\".\"t\" \\(\"id\", \"doubled\"\\) VALUES \\(1, 2\\);", -1)).hasSize(2);
        assertThat(sql.split("VALUES \\(2, 4\\);", -1)).hasSize(2);
        assertThat(sql).contains("INSERT INTO \"public\".\"g\" (\"id\") VALUES (3);"); // generated column left out
        assertThat(sink.transactionsSkipped()).isEqualTo(1);
        assertThat(sink.transactionsWritten()).isEqualTo(2);
        Manifest m = ManifestStore.readUnverified(store.file());
        assertThat(m.capture().lastCommitLsn()).isEqualTo("0/200");
        assertThat(m.capture().coveredLsn()).isEqualTo("0/200");
    }

    @Test
    void aCloseTheManifestDidNotRecordIsReadAgainFromTheSpoolAndNotCountedInTheNextSegment() throws IOException {
        java.util.concurrent.atomic.AtomicReference<java.time.Instant> now =
                new java.util.concurrent.atomic.AtomicReference<>(java.time.Instant.parse("2026-12-04T10:00:00Z"));
        Clock clock = new Clock() {
            @Override
            public java.time.ZoneId getZone() {
                return java.time.ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public java.time.Instant instant() {
                return now.get();
            }
        };
        CaptureSink sink = new CaptureSink(DecoderPlugin.WAL2JSON, store, spool,
                new SegmentWriter.Policy(1 << 20, Duration.ofMinutes(1)), clock);
        SpoolPosition start = sink.resumePosition();
        String[] first = {begin(1, "0/100"), insert("t", 1), commit(1, "0/100")};
        sink.accept(lines(first));
        now.set(now.get().plusSeconds(120));
        // the manifest cannot be written (a full disk): the segment is closed, but not listed
        Path inTheWay = Files.createDirectories(tmp.resolve(".manifest.json.tmp").resolve("in-the-way"));
        assertThatThrownBy(sink::tick).hasMessageContaining("cannot write");
        assertThat(ManifestStore.readUnverified(store.file()).segments()).isEmpty();
        // the spool reader is told, and nothing more is written until it went back
        assertThatThrownBy(sink::check).hasMessageContaining("cannot write");
        assertThatThrownBy(() -> sink.accept(lines(begin(2, "0/200")))).hasMessageContaining("cannot write");
        Files.delete(inTheWay);
        sink.recover();
        assertThat(sink.resumePosition()).isEqualTo(start);
        offset = 0;
        sink.accept(lines(first));
        sink.accept(lines(begin(2, "0/200"), insert("t", 2), commit(2, "0/200")));
        sink.shutdown();
        Manifest m = ManifestStore.readUnverified(store.file());
        assertThat(m.segments()).hasSize(1);
        assertThat(m.segments().get(0).transactions()).isEqualTo(2);
        assertThat(segments().split("VALUES \\(1, 2\\);", -1)).hasSize(2);
        assertThat(segments()).contains("VALUES (2, 4);");
        try (var files = Files.list(tmp.resolve("segments"))) {
            assertThat(files.count()).isEqualTo(1);
        }
    }

    @Test
    void aTransactionSentAsHeldWithANewerXidThanAnyReadIsAnotherHistoryAndStopsTheStream() throws IOException {
        CaptureSink first = sink();
        // xid 9 commits before xid 8: out of order is normal, and both are read
        first.accept(lines(begin(9, "0/100"), insert("t", 1), commit(9, "0/100"),
                begin(8, "0/200"), insert("t", 2), commit(8, "0/200")));
        first.shutdown();
        assertThat(ManifestStore.readUnverified(store.file()).capture().highestXid()).isEqualTo(9L);
        assertThat(ManifestStore.readUnverified(store.file()).capture().lastXid()).isEqualTo(8L);

        // sent again after a restart, as a healthy server does: skipped
        CaptureSink second = sink();
        second.accept(lines(begin(9, "0/100"), insert("t", 1), commit(9, "0/100")));
        assertThat(second.transactionsSkipped()).isEqualTo(1);
        // a server put back from an older copy that has written since: a new xid at a position the set holds
        assertThatThrownBy(() -> second.accept(lines(begin(12, "0/180"), insert("t", 3), commit(12, "0/180"))))
                .hasMessageContaining("transaction 12").hasMessageContaining("restored from an older copy");
        assertThat(segments()).doesNotContain("VALUES (3, 6);");
    }

    @Test
    void aRestartResumesAfterTheLastClosedSegmentAndSkipsWhatItHolds() throws IOException {
        CaptureSink first = sink();
        first.accept(lines(begin(1, "0/100"), insert("t", 1), commit(1, "0/100")));
        first.shutdown();
        SpoolPosition resume = ManifestStore.readUnverified(store.file()).capture().resumeAt();
        assertThat(resume.offset()).isEqualTo(offset);

        CaptureSink second = sink();
        assertThat(second.resumePosition()).isEqualTo(resume);
        second.accept(lines(begin(1, "0/100"), insert("t", 1), commit(1, "0/100"),
                begin(3, "0/300"), insert("t", 3), commit(3, "0/300")));
        second.shutdown();
        assertThat(ManifestStore.readUnverified(store.file()).segments()).hasSize(2);
        assertThat(segments().split("VALUES \\(1, 2\\);", -1)).hasSize(2);
        assertThat(segments()).contains("VALUES (3, 6);");
    }

    @Test
    void emptyTransactionsAndMessagesWriteNothingButMoveTheCheckpoint() {
        CaptureSink sink = sink();
        sink.accept(lines(begin(7, "0/700"),
                "{\"action\":\"M\",\"xid\":7,\"lsn\":\"0/6F0\",\"transactional\":true,\"prefix\":\"x\",\"content\":\"y\"}",
                commit(7, "0/700"),
                "{\"action\":\"M\",\"xid\":null,\"lsn\":\"0/710\",\"transactional\":false,\"prefix\":\"hb\",\"content\":\"\"}"));
        sink.tick();
        Manifest m = ManifestStore.readUnverified(store.file());
        assertThat(m.segments()).isEmpty();
        assertThat(m.capture().coveredLsn()).isEqualTo("0/710"); // the heartbeat after the transaction
        assertThat(m.capture().resumeAt().offset()).isEqualTo(offset);
    }

    static String json(String s) {
        return "\"" + new String(com.fasterxml.jackson.core.io.JsonStringEncoder.getInstance().quoteAsString(s)) + "\"";
    }

    static String ddl(int id, String event, String tag, String query, String... more) {
        StringBuilder sb = new StringBuilder("{\"action\":\"I\",\"schema\":\"pgscribe\",\"table\":\"ddl_log\",\"columns\":[");
        String[][] cols = {
                {"id", Integer.toString(id), "n"}, {"event", event, "s"}, {"txid", "9", "s"},
                {"statement_at", "2026-11-24 10:00:00+00", "s"}, {"search_path", "public", "s"}, {"role_name", "app", "s"},
                {"command_tag", tag, "s"}, {"query", query, "s"}, {"standard_conforming_strings", "on", "s"}};
        for (String[] c : cols) {
            sb.append("{\"name\":\"").append(c[0]).append("\",\"type\":\"text\",\"value\":")
                    .append(c[2].equals("n") ? c[1] : json(c[1])).append("},");
        }
        for (int i = 0; i < more.length; i += 2) {
            sb.append("{\"name\":\"").append(more[i]).append("\",\"type\":\"text\",\"value\":")
                    .append(more[i + 1]).append("},");
        }
        sb.setLength(sb.length() - 1);
        return sb.append("],\"pk\":[{\"name\":\"id\",\"type\":\"bigint\"}]}").toString();
    }

    @Test
    void eachFiringOfAMultiStatementQueryReplaysItsOwnStatementAndNotTheDml() throws IOException {
        CaptureSink sink = sink();
        String q = "CREATE TABLE n (id int, doubled int GENERATED ALWAYS AS (id*2) STORED); INSERT INTO n (id) VALUES (4); "
                + "CREATE TABLE m (id int)";
        String shapes = json("[{\"schema\": \"public\", \"table\": \"n\", \"generated\": [\"doubled\"], \"alwaysIdentity\": []}]");
        sink.accept(lines(begin(9, "0/900"),
                ddl(5, "ddl_command_end", "CREATE TABLE", q, "object_identity", json("public.n"), "tables", shapes),
                insert("n", 4),
                ddl(6, "ddl_command_end", "CREATE TABLE", q, "object_identity", json("public.m")),
                commit(9, "0/900")));
        sink.shutdown();
        String sql = segments();
        assertThat(sql).contains("-- DDL {\"ddl_log\":5,\"tag\":\"CREATE TABLE\",\"object\":\"public.n\",\"role\":\"app\"}\n"
                + "SET LOCAL ROLE \"app\";\nSET LOCAL search_path = \"public\";\n"
                + "CREATE TABLE n (id int, doubled int GENERATED ALWAYS AS (id*2) STORED);\n"
                + "RESET ROLE;\nSET LOCAL search_path TO DEFAULT;\n"
                + "INSERT INTO \"public\".\"n\" (\"id\") VALUES (4);\n"
                + "-- DDL {\"ddl_log\":6,\"tag\":\"CREATE TABLE\",\"object\":\"public.m\",\"role\":\"app\"}\n"
                + "SET LOCAL ROLE \"app\";\nSET LOCAL search_path = \"public\";\nCREATE TABLE m (id int);\n"
                + "RESET ROLE;\nSET LOCAL search_path TO DEFAULT;\n");
        assertThat(ManifestStore.readUnverified(store.file()).segments().get(0).ddlRoles()).containsExactly("app");
        assertThat(sql.split("VALUES \\(4\\)", -1)).hasSize(2); // the INSERT of the query string is not replayed again
        assertThat(sql).doesNotContain("pgscribe.ddl_log").doesNotContain("\"pgscribe\"");
        assertThat(ManifestStore.readUnverified(store.file()).capture().tables()).extracting(TableShape::table).contains("n", "g");
    }

    @Test
    void createTableAsWritesTheTableBeforeItsRowsAndTheRowsOnce() throws IOException {
        CaptureSink sink = sink();
        String q = "CREATE TABLE copy AS SELECT * FROM t";
        sink.accept(lines(begin(10, "0/A00"),
                ddl(7, "ddl_command_start", "CREATE TABLE AS", q, "skip", "true"),
                insert("copy", 1), insert("copy", 2),
                ddl(8, "ddl_command_end", "CREATE TABLE AS", q, "object_identity", json("public.copy"),
                        "definition", json("CREATE TABLE \"public\".\"copy\" (\"id\" integer, \"doubled\" integer)")),
                commit(10, "0/A00")));
        sink.shutdown();
        String sql = segments();
        int table = sql.indexOf("CREATE TABLE \"public\".\"copy\" (\"id\" integer, \"doubled\" integer);");
        int row1 = sql.indexOf("INSERT INTO \"public\".\"copy\" (\"id\", \"doubled\") VALUES (1, 2);");
        int row2 = sql.indexOf("VALUES (2, 4);");
        assertThat(table).isPositive();
        assertThat(row1).isGreaterThan(table);
        assertThat(row2).isGreaterThan(row1);
        assertThat(sql).contains("-- ran as:\n--   CREATE TABLE copy AS SELECT * FROM t\n");
        assertThat(sql.split("VALUES \\(1, 2\\)", -1)).hasSize(2);
        try (var files = Files.list(tmp.resolve("segments"))) {
            assertThat(files.map(f -> f.getFileName().toString())).noneMatch(n -> n.startsWith(".spill-"));
        }
    }

    @Test
    void dropsOfTemporaryObjectsAreNotReplayedAndNestedDdlReplaysItsOwnStatement() throws IOException {
        CaptureSink sink = sink();
        String ctx = json("PL/pgSQL function pgscribe.record_ddl(text,text,text,name,boolean) line 11 at GET DIAGNOSTICS\n"
                + "SQL statement \"SELECT pgscribe.record_ddl(...)\"\n"
                + "PL/pgSQL function pgscribe.on_ddl_command_end() line 3 at PERFORM\n"
                + "SQL statement \"CREATE TABLE inner1 (v int)\"\n"
                + "PL/pgSQL function inline_code_block line 1 at SQL statement");
        String sqlFunction = json("PL/pgSQL function pgscribe.on_ddl_command_end() line 3 at PERFORM\nSQL function \"mk\" statement 1");
        sink.accept(lines(begin(11, "0/B00"),
                ddl(20, "sql_drop", "DROP TABLE", "DROP TABLE tmp", "skip", "true", "object_identity", json("pg_temp.tmp")),
                ddl(21, "ddl_command_end", "DROP TABLE", "DROP TABLE tmp"),
                ddl(22, "ddl_command_end", "CREATE TABLE", "DO $$ BEGIN CREATE TABLE inner1 (v int); INSERT INTO t VALUES (1); END $$",
                        "context", ctx),
                ddl(23, "ddl_command_end", "CREATE TABLE", "SELECT mk()", "context", sqlFunction),
                commit(11, "0/B00")));
        sink.shutdown();
        String sql = segments();
        assertThat(sql).doesNotContain("DROP TABLE tmp").doesNotContain("DO $$");
        assertThat(sql).contains("\"nested\":true}\nSET LOCAL ROLE \"app\";\nSET LOCAL search_path = \"public\";\n"
                + "CREATE TABLE inner1 (v int);\n");
        assertThat(sql).contains("-- NOT REPLAYED: \"it ran inside SQL function \\\"mk\\\" statement 1");
        assertThat(sink.ddlNotReplayed()).isEqualTo(1);
        assertThat(ManifestStore.readUnverified(store.file()).segments().get(0).ddlNotReplayed()).isEqualTo(1);
    }

    @Test
    void sequenceSamplesBecomeSetvalCallsThatDoNotFailForADroppedSequence() throws IOException {
        CaptureSink sink = sink();
        String sample = "{\"action\":\"I\",\"schema\":\"pgscribe\",\"table\":\"sequence_log\",\"columns\":["
                + "{\"name\":\"id\",\"type\":\"bigint\",\"value\":1},"
                + "{\"name\":\"sampled_at\",\"type\":\"timestamp with time zone\",\"value\":\"2026-11-24 10:00:00+00\"},"
                + "{\"name\":\"sequences\",\"type\":\"jsonb\",\"value\":" + json("[{\"schema\": \"public\", \"name\": "
                + "\"t_id_seq\", \"value\": 42, \"called\": true}, {\"schema\": \"Odd\", \"name\": \"it's\", \"value\": 1, "
                + "\"called\": false}]") + "}],\"pk\":[{\"name\":\"id\",\"type\":\"bigint\"}]}";
        sink.accept(lines(begin(12, "0/C00"), sample, commit(12, "0/C00")));
        sink.shutdown();
        assertThat(segments()).contains("-- sequences sampled at \"2026-11-24 10:00:00+00\"\n"
                + "SELECT pg_catalog.setval(pg_catalog.to_regclass('\"public\".\"t_id_seq\"'), 42, true);\n"
                + "SELECT pg_catalog.setval(pg_catalog.to_regclass('\"Odd\".\"it''s\"'), 1, false);\n");
    }
}
