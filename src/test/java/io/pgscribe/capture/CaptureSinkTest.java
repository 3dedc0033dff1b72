package io.pgscribe.capture;

import static org.assertj.core.api.Assertions.assertThat;

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
        for (var s : ManifestStore.read(store.file()).segments()) {
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
        Manifest m = ManifestStore.read(store.file());
        assertThat(m.capture().lastCommitLsn()).isEqualTo("0/200");
        assertThat(m.capture().coveredLsn()).isEqualTo("0/200");
    }

    @Test
    void aRestartResumesAfterTheLastClosedSegmentAndSkipsWhatItHolds() throws IOException {
        CaptureSink first = sink();
        first.accept(lines(begin(1, "0/100"), insert("t", 1), commit(1, "0/100")));
        first.shutdown();
        SpoolPosition resume = ManifestStore.read(store.file()).capture().resumeAt();
        assertThat(resume.offset()).isEqualTo(offset);

        CaptureSink second = sink();
        assertThat(second.resumePosition()).isEqualTo(resume);
        second.accept(lines(begin(1, "0/100"), insert("t", 1), commit(1, "0/100"),
                begin(3, "0/300"), insert("t", 3), commit(3, "0/300")));
        second.shutdown();
        assertThat(ManifestStore.read(store.file()).segments()).hasSize(2);
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
        Manifest m = ManifestStore.read(store.file());
        assertThat(m.segments()).isEmpty();
        assertThat(m.capture().coveredLsn()).isEqualTo("0/700");
        assertThat(m.capture().resumeAt().offset()).isEqualTo(offset);
    }

    @Test
    void ddlLogRowsBecomeTheirDdlOnceAndChangeTheTableShapeInPlace() throws IOException {
        CaptureSink sink = sink();
        String ddl = "{\"action\":\"I\",\"schema\":\"pgscribe\",\"table\":\"ddl_log\",\"columns\":["
                + "{\"name\":\"id\",\"type\":\"bigint\",\"value\":5},{\"name\":\"txid\",\"type\":\"xid8\",\"value\":\"9\"},"
                + "{\"name\":\"statement_at\",\"type\":\"timestamp with time zone\",\"value\":\"2026-11-24 10:00:00+00\"},"
                + "{\"name\":\"search_path\",\"type\":\"text\",\"value\":\"public\"},"
                + "{\"name\":\"role_name\",\"type\":\"text\",\"value\":\"app\"},"
                + "{\"name\":\"command_tag\",\"type\":\"text\",\"value\":\"CREATE TABLE\"},"
                + "{\"name\":\"object_identity\",\"type\":\"text\",\"value\":\"public.n\"},"
                + "{\"name\":\"query\",\"type\":\"text\",\"value\":\"CREATE TABLE n (id int, doubled int GENERATED ALWAYS AS (id*2) STORED); CREATE TABLE m (id int)\"},"
                + "{\"name\":\"tables\",\"type\":\"jsonb\",\"value\":\"[{\\\"schema\\\": \\\"public\\\", \\\"table\\\": \\\"n\\\", \\\"generated\\\": [\\\"doubled\\\"], \\\"alwaysIdentity\\\": []}]\"}],"
                + "\"pk\":[{\"name\":\"id\",\"type\":\"bigint\"}]}";
        String ddlSecondFiring = ddl.replace("\"value\":5}", "\"value\":6}").replace("public.n", "public.m");
        sink.accept(lines(begin(9, "0/900"), ddl, ddlSecondFiring, insert("n", 4), commit(9, "0/900")));
        sink.shutdown();
        String sql = segments();
        assertThat(sql).contains("-- DDL {\"ddl_log\":5,\"tag\":\"CREATE TABLE\",\"object\":\"public.n\",\"role\":\"app\"}\n"
                + "SET search_path = public;\nCREATE TABLE n (id int, doubled int GENERATED ALWAYS AS (id*2) STORED); CREATE TABLE m (id int)\n;\n"
                + "INSERT INTO \"public\".\"n\" (\"id\") VALUES (4);\n");
        assertThat(sql).doesNotContain("\"ddl_log\":6"); // one query string, two firings: replayed once
        assertThat(sql).doesNotContain("pgscribe.ddl_log").doesNotContain("\"pgscribe\"");
        assertThat(ManifestStore.read(store.file()).capture().tables()).extracting(TableShape::table).contains("n", "g");
    }
}
