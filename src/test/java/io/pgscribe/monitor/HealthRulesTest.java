package io.pgscribe.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgscribe.alert.Severity;
import io.pgscribe.pg.SlotSample;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class HealthRulesTest {

    private static final long MB = 1024 * 1024;
    private static final Thresholds T = new Thresholds(512 * MB, 1024 * MB, 10240 * MB, Duration.ofHours(24),
            Duration.ofSeconds(300), Duration.ofSeconds(900), 16 * MB);

    private static SlotSample slot(boolean active, long retained, String walStatus, Long safe) {
        return new SlotSample("pgscribe", "logical", "wal2json", active, 10_000 * MB, 10_000 * MB - retained,
                10_000 * MB - retained, retained, retained, walStatus, safe, null, 5L);
    }

    private static PipelineFigures pipeline(boolean up, long downSeconds, Long segmentAge, Long uncovered) {
        return new PipelineFigures(up, downSeconds, 0L, 0L, 0, segmentAge, uncovered, 3, null, 60L);
    }

    private static List<String> rules(List<Finding> f) {
        return f.stream().map(x -> x.rule() + ":" + x.severity()).toList();
    }

    @Test
    void retainedWalClimbsThroughItsLevels() {
        PipelineFigures ok = pipeline(true, 0, 10L, 0L);
        assertThat(HealthRules.evaluate("pgscribe", slot(true, 100 * MB, "reserved", null), null, ok, T)).isEmpty();
        assertThat(rules(HealthRules.evaluate("pgscribe", slot(true, 600 * MB, "reserved", null), null, ok, T)))
                .containsExactly("retained-wal:WARNING");
        assertThat(rules(HealthRules.evaluate("pgscribe", slot(false, 2048 * MB, "extended", null), null, ok, T)))
                .containsExactly("retained-wal:CRITICAL");
        List<Finding> f = HealthRules.evaluate("pgscribe", slot(false, 11_000 * MB, "unreserved", 5 * MB), null, ok, T);
        assertThat(rules(f)).containsExactly("retained-wal:EMERGENCY", "wal-status:CRITICAL");
        assertThat(f.get(1).message()).contains("5.0 MB left");
        assertThat(f.get(0).hint()).contains("emergency procedure");
        assertThat(HealthRules.worst(f)).isEqualTo(Severity.EMERGENCY);
    }

    @Test
    void aLevelAtZeroIsOff() {
        Thresholds criticalOnly = new Thresholds(0, 8 * MB, 0, T.inactiveEmergency(), T.captureDownGrace(), T.segmentStale(),
                T.segmentStaleWal());
        PipelineFigures ok = pipeline(true, 0, 10L, 0L);
        assertThat(rules(HealthRules.evaluate("s", slot(true, 7 * MB, "reserved", null), null, ok, criticalOnly))).isEmpty();
        assertThat(rules(HealthRules.evaluate("s", slot(true, 99_999 * MB, "reserved", null), null, ok, criticalOnly)))
                .containsExactly("retained-wal:CRITICAL");
    }

    @Test
    void slotAndCaptureRules() {
        PipelineFigures down = pipeline(false, 301, 10L, 0L);
        assertThat(rules(HealthRules.evaluate("s", slot(false, MB, "reserved", null), 86_400L, down, T)))
                .containsExactly("slot-inactive:EMERGENCY", "capture-down:CRITICAL");
        assertThat(rules(HealthRules.evaluate("s", slot(false, MB, "reserved", null), 3_600L, pipeline(false, 299, 10L, 0L), T)))
                .as("inside the grace and the inactive limit").isEmpty();
        assertThat(rules(HealthRules.evaluate("s", slot(false, MB, "lost", null), null, down, T)))
                .contains("wal-status:EMERGENCY");
        assertThat(rules(HealthRules.evaluate("s", null, null, down, T))).containsExactly("slot-missing:EMERGENCY");
    }

    @Test
    void segmentsAreStaleOnlyWhileTheServerWrites() {
        assertThat(rules(HealthRules.evaluate("s", slot(true, MB, "reserved", null), null, pipeline(true, 0, 3600L, 1024L), T)))
                .as("an idle database: old segments are fine").isEmpty();
        assertThat(rules(HealthRules.evaluate("s", slot(true, MB, "reserved", null), null, pipeline(true, 0, 3600L, 64 * MB), T)))
                .containsExactly("segments-stale:CRITICAL");
    }

    @Test
    void aRefusedDecoderIsAnEmergencyAtOnceWithTheExactFix() {
        io.pgscribe.pg.OutputPluginAllowlist without = io.pgscribe.pg.OutputPluginAllowlist.parse("pgoutput, test_decoding");
        // pg_recvlogical was refused a moment ago: no grace, whatever capture-down's is
        List<Finding> f = HealthRules.evaluate("pgscribe", slot(false, MB, "reserved", null), null, pipeline(false, 1, 10L, 0L),
                new DecoderAllowance("db1:5432", "wal2json", without, "library \"wal2json\" may not be used as an output plugin"), T);
        assertThat(rules(f)).containsExactly("decoder-not-allowed:EMERGENCY");
        assertThat(f.get(0).message()).contains("db1:5432").contains("wal2json").contains("slot pgscribe")
                .contains("output_plugin_libraries");
        assertThat(f.get(0).hint()).contains("ALTER SYSTEM SET output_plugin_libraries = pgoutput, test_decoding, wal2json; "
                + "SELECT pg_reload_conf();");
        // seen from outside (status): the list lacks the plugin and nothing reads the slot
        assertThat(rules(HealthRules.evaluate("pgscribe", slot(false, MB, "reserved", null), null, pipeline(false, 1, 10L, 0L),
                new DecoderAllowance("db1:5432", "wal2json", without, null), T))).containsExactly("decoder-not-allowed:EMERGENCY");
        // refused, and the list cannot be read by this role: the fix starts from the server's default
        assertThat(HealthRules.evaluate("pgscribe", slot(false, MB, "reserved", null), null, pipeline(false, 1, 10L, 0L),
                new DecoderAllowance("db1:5432", "wal2json", null, "refused"), T).get(0).hint())
                .contains("= pgoutput, test_decoding, wal2json;").contains("keep any other names");
    }

    @Test
    void aListWithoutTheDecoderWhileTheCaptureStillRunsIsCriticalAndAListWithItIsNothing() {
        io.pgscribe.pg.OutputPluginAllowlist without = io.pgscribe.pg.OutputPluginAllowlist.parse("pgoutput, test_decoding");
        PipelineFigures up = pipeline(true, 0, 10L, 0L);
        assertThat(rules(HealthRules.evaluate("s", slot(true, MB, "reserved", null), null, up,
                new DecoderAllowance("h:1", "wal2json", without, null), T))).containsExactly("decoder-not-allowed:CRITICAL");
        assertThat(HealthRules.evaluate("s", slot(true, MB, "reserved", null), null, up,
                new DecoderAllowance("h:1", "wal2json", without.with("wal2json"), null), T)).isEmpty();
        // a server without the parameter (or a role that may not read it), and no refusal: nothing to say
        assertThat(HealthRules.evaluate("s", slot(false, MB, "reserved", null), null, up,
                new DecoderAllowance("h:1", "wal2json", null, null), T)).isEmpty();
    }

    @Test
    void ddlTheCaptureCouldNotReplayAfterTheNewestBaseIsCriticalUntilABaseCoversIt() {
        PipelineFigures p = new PipelineFigures(true, 0L, 0L, 0L, 0, 10L, 0L, 3, null, 60L, 2, "segments/0000000001000000-x.sql");
        List<Finding> f = HealthRules.evaluate("s", slot(true, MB, "reserved", null), null, p, T);
        assertThat(rules(f)).containsExactly("ddl-not-replayed:CRITICAL");
        assertThat(f.get(0).message()).contains("2 DDL statement(s)").contains("segments/0000000001000000-x.sql").contains("exits 6");
    }

    @Test
    void theFiguresCountNotReplayedDdlOnlyPastTheNewestBase() {
        io.pgscribe.manifest.Manifest m = new com.fasterxml.jackson.databind.ObjectMapper().convertValue(java.util.Map.of(
                "bases", List.of(java.util.Map.of("file", "base/b.sql", "consistentPoint", "0/2000", "takenAt",
                        "2026-12-01T00:00:00Z")),
                "segments", List.of(
                        java.util.Map.of("file", "segments/1.sql", "ordinal", 1, "firstLsn", "0/1000", "lastLsn", "0/1800",
                                "ddlNotReplayed", 1),
                        java.util.Map.of("file", "segments/2.sql", "ordinal", 2, "firstLsn", "0/2100", "lastLsn", "0/2200",
                                "ddlNotReplayed", 3))), io.pgscribe.manifest.Manifest.class);
        PipelineFigures p = PipelineFigures.of(m, null, true, 0L, 0L, 0L, 0, null, java.time.Instant.parse("2026-12-02T00:00:00Z"));
        assertThat(p.ddlNotReplayed()).isEqualTo(3);
        assertThat(p.notReplayedSegment()).isEqualTo("segments/2.sql");
    }
}
