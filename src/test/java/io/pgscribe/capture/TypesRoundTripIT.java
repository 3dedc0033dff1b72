package io.pgscribe.capture;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgscribe.pg.Pg;
import io.pgscribe.pg.PgServer;
import io.pgscribe.pg.ReplicaIdentityAudit;
import io.pgscribe.testing.PgClusterExtension;
import io.pgscribe.testing.Pipeline;
import io.pgscribe.testing.RichWorkload;
import io.pgscribe.verify.Verifier;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every core type and the literal traps, through capture, render and restore, with each decoder
 * that sends every type: with pgoutput, NaN and ±Infinity too, also as the old row of a
 * REPLICA IDENTITY FULL table that an UPDATE or DELETE must find.
 */
@ExtendWith(PgClusterExtension.class)
class TypesRoundTripIT {

    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"wal2json", "pgoutput"})
    void everyTypeAndEveryTrapComesBackExactly(String decoder, PgServer cluster) throws Exception {
        boolean special = decoder.equals("pgoutput");
        // a tiny spool rotation size: the spool rotates many times during the workload
        try (Pipeline p = Pipeline.create(cluster, "types_" + decoder, tmp.resolve("backup"),
                Map.of("pgscribe.spool.rotate-bytes", "20000", "pgscribe.decoder", decoder))) {
            try (Connection c = p.connect()) {
                Pg.execute(c, RichWorkload.SCHEMA);
            }
            p.init(ReplicaIdentityAudit.Mode.REFUSE);
            if (special) {
                assertThat(p.printed()).doesNotContain("Known gap").contains("Publication pgscribe_types_pgoutput created");
            } else {
                assertThat(p.printed()).contains("Known gap: this wal2json writes NaN and Infinity as NULL")
                        .contains("public.everything.f8");
            }
            p.start();
            String bigText = "'" + "0123456789abcdef".repeat(1) + "' || (SELECT string_agg(md5(g::text), '') FROM generate_series(1, 2000) g)";
            try (Connection c = p.connect()) {
                Pg.execute(c, RichWorkload.ROW_1);
                Pg.execute(c, RichWorkload.ROW_2);
                Pg.execute(c, RichWorkload.ROW_3);
                // updates of every kind of value, NULL to value and back
                Pg.execute(c, "UPDATE everything SET t = NULL, n = -0.5, ok = false, m = 'sad', p = ROW(NULL, NULL), "
                        + "jb = jb || '{\"c\": null}', tstz = '-infinity', pt = '(0,0)' WHERE id = 1");
                Pg.execute(c, "UPDATE everything SET t = 'three', ints = '{}', x = '<empty/>' WHERE id = 3");
                // TOAST: a 64 kB incompressible body, updated with it unchanged, then changed
                Pg.execute(c, "INSERT INTO docs VALUES (1, 'first', " + bigText + "), (2, 'second', 'small')");
                Pg.execute(c, "UPDATE docs SET title = 'first, renamed' WHERE id = 1");
                Pg.execute(c, "UPDATE docs SET body = body || ' appended' WHERE id = 1");
                Pg.execute(c, "UPDATE docs SET title = 'still toasted' WHERE id = 1");
                // primary key changes, one of them swapping two rows' keys in one statement
                Pg.execute(c, "INSERT INTO pk_change VALUES (1, 1, 'x'), (1, 2, 'y'), (2, 1, 'z')");
                Pg.execute(c, "UPDATE pk_change SET b = 10 WHERE a = 1 AND b = 1");
                Pg.execute(c, "UPDATE pk_change SET a = 3, v = 'moved' WHERE a = 2");
                // generated always identity
                Pg.execute(c, "INSERT INTO ident (v) VALUES ('one'), ('two')");
                Pg.execute(c, "UPDATE ident SET v = 'uno' WHERE id = 1");
                // FULL identity without a key: NULLs, json (no = operator), point, duplicates
                Pg.execute(c, "INSERT INTO full_ident VALUES (1, '{\"k\": 1}', '(1,1)', NULL, 0.1), "
                        + "(1, '{\"k\": 1}', '(1,1)', NULL, 0.1), (NULL, NULL, NULL, 'n', NULL), (2, '[]', '(2,2)', 'two', 2)");
                Pg.execute(c, "DELETE FROM full_ident WHERE ctid = (SELECT min(ctid) FROM full_ident WHERE a = 1)");
                Pg.execute(c, "UPDATE full_ident SET t = 'was null' WHERE a IS NULL");
                Pg.execute(c, "DELETE FROM full_ident WHERE a = 2");
                Pg.execute(c, "UPDATE full_ident SET f = f + 1 WHERE a = 1");
                // long runs of inserts are replayed through COPY: every trap again, 60 times in one transaction
                String cols = "t, vc, ch, nm, n, n2, f4, f8, i2, i8, ok, b, bl, bits, vbits, ints, texts, nested, bytes, m, moods, "
                        + "p, pos, j, jb, iv, d, ts, tstz, tm, tmtz, money, ip, net, mac, pt, ln, ls, bx, pth, pg, ci, tsv, tsq, u, x, "
                        + "r, dr, o";
                Pg.execute(c, "INSERT INTO everything (id, " + cols + ") SELECT 1000 * e.id + g, " + cols
                        + " FROM everything e, generate_series(1, 60) g WHERE e.id IN (1, 2, 3) ORDER BY e.id, g");
                Pg.execute(c, "DELETE FROM everything WHERE id = 2");
                Pg.execute(c, RichWorkload.ROW_2.replace("(2,", "(20,"));
                if (special) {
                    Pg.execute(c, RichWorkload.SPECIAL_NUMBERS);
                }
            }
            // the spool outgrew its rotation size: once rotated, more changes go to the next file
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
                    .until(() -> p.spoolFiles().stream().anyMatch(f -> f.seq() > 1 && f.run() == 1));
            try (Connection c = p.connect()) {
                Pg.execute(c, "UPDATE docs SET title = 'after the rotation' WHERE id = 2");
            }
            p.fenceAndWait();
            p.stop();
            String resumeFile = p.manifest().capture().resumeAt().file();
            assertThat(io.pgscribe.spool.SpoolFile.parse(resumeFile).seq()).isGreaterThan(1);
            try (var spoolFiles = java.nio.file.Files.list(p.backupDir.resolve("spool"))) {
                assertThat(spoolFiles.map(f -> f.getFileName().toString())).doesNotContain("00000001-000001.jsonl")
                        .doesNotContain("00000001-000001.pgoutput");
            }

            String restored = "types_" + decoder + "_restored";
            assertThat(p.restore(restored).rowsCopied()).isEqualTo(180);
            Verifier.Report report = p.verify(restored);
            assertThat(report.differences()).isEmpty();
            assertThat(report.rows()).extracting(Verifier.Row::table).containsExactlyInAnyOrder("public.everything",
                    "public.ident", "public.full_ident", "public.docs", "public.pk_change");
            try (Connection src = p.connect(); Connection dst = Pg.connect(cluster.connection(restored), "t")) {
                for (String q : List.of(
                        "SELECT string_agg(e::text, E'\\n' ORDER BY id) FROM everything e",
                        "SELECT string_agg(f::text, E'\\n' ORDER BY f::text) FROM full_ident f",
                        "SELECT md5(body) || title FROM docs WHERE id = 1",
                        "SELECT nextval('ident_id_seq')::text")) {
                    assertThat(Pg.string(dst, q)).as(q).isEqualTo(Pg.string(src, q));
                }
            }
        }
    }
}
