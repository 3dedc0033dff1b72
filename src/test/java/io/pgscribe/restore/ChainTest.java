package io.pgscribe.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgscribe.ExitCode;
import io.pgscribe.PgscribeException;
import io.pgscribe.manifest.BaseEntry;
import io.pgscribe.manifest.CaptureState;
import io.pgscribe.manifest.Manifest;
import io.pgscribe.manifest.SegmentEntry;
import io.pgscribe.pg.Lsn;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which base and segments a restore to a target takes, from the manifest alone. */
class ChainTest {

    private static final Path DIR = Path.of("/backups/shop");

    private static BaseEntry base(String cp, String takenAt) {
        return new BaseEntry("base/" + cp.replace('/', '_') + ".sql", "plain", cp, "snap", takenAt, 1, "00", null, null);
    }

    private static SegmentEntry segment(long ordinal, String first, String last, String firstTime, String lastTime) {
        return new SegmentEntry("segments/" + ordinal + ".sql", ordinal, first, last, firstTime, lastTime, 1, 1, "00", null);
    }

    // bases at 0/1000 (10:00) and 0/5000 (12:00); segments 1: 0/1100-0/2000, 2: 0/4000-0/5100, 3: 0/6000-0/7000
    private static Manifest manifest(List<CaptureState.Hole> holes) {
        Manifest m = new Manifest(Manifest.FORMAT, "test", new Manifest.Source("shop", "1", "15", 150000, "UTF8"), "pgscribe",
                "wal2json", List.of(), "2026-11-24T09:00:00Z",
                List.of(base("0/5000", "2026-11-24T12:00:00Z"), base("0/1000", "2026-11-24T10:00:00Z")), null,
                List.of(segment(3, "0/6000", "0/7000", "2026-11-24 13:00:00+00", "2026-11-24 13:30:00+00"),
                        segment(1, "0/1100", "0/2000", "2026-11-24 10:30:00+00", "2026-11-24 11:00:00+00"),
                        segment(2, "0/4000", "0/5100", "2026-11-24 11:30:00+00", "2026-11-24 12:10:00+00")),
                CaptureState.initial(List.of()), null);
        return holes.isEmpty() ? m : m.withHoles(holes);
    }

    private static List<Long> ordinals(Chain c) {
        return c.segments().stream().map(SegmentEntry::ordinal).toList();
    }

    @Test
    void theLatestTakesTheNewestBaseAndTheSegmentsNotWhollyInIt() {
        Chain c = Chain.latest(DIR, manifest(List.of()));
        assertThat(c.base().consistentPoint()).isEqualTo("0/5000");
        assertThat(ordinals(c)).containsExactly(2L, 3L); // 2 ends after the consistent point; 1 is in the base
        assertThat(c.moreAfterTarget()).isFalse();
    }

    @Test
    void anLsnTargetTakesTheNewestBaseAtOrBeforeItAndStopsBeforeASegmentPastIt() {
        Chain c = Chain.select(DIR, manifest(List.of()), RestoreTarget.lsn(Lsn.valueOf("0/4500"), true));
        assertThat(c.base().consistentPoint()).isEqualTo("0/1000");
        assertThat(ordinals(c)).containsExactly(1L, 2L);
        assertThat(c.moreAfterTarget()).isTrue();
        // inclusive or not decides a segment that starts at the target
        assertThat(ordinals(Chain.select(DIR, manifest(List.of()), RestoreTarget.lsn(Lsn.valueOf("0/6000"), true))))
                .containsExactly(2L, 3L);
        assertThat(ordinals(Chain.select(DIR, manifest(List.of()), RestoreTarget.lsn(Lsn.valueOf("0/6000"), false))))
                .containsExactly(2L);
    }

    @Test
    void aTimeTargetTakesTheNewestBaseTakenBeforeIt() {
        Chain c = Chain.select(DIR, manifest(List.of()), RestoreTarget.time(Instant.parse("2026-11-24T11:59:00Z"), true));
        assertThat(c.base().consistentPoint()).isEqualTo("0/1000");
        assertThat(ordinals(c)).containsExactly(1L, 2L);
    }

    @Test
    void aTargetBeforeTheOldestBaseIsRefused() {
        assertThatThrownBy(() -> Chain.select(DIR, manifest(List.of()), RestoreTarget.lsn(Lsn.valueOf("0/900"), true)))
                .isInstanceOfSatisfying(PgscribeException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.REFUSED))
                .hasMessageContaining("before the oldest base");
    }

    @Test
    void aHoleBetweenTheBaseAndTheTargetIsRefusedAndOneOutsideItIsNot() {
        List<CaptureState.Hole> hole = List.of(new CaptureState.Hole("0/1200", "0/1800", "now", "the spool was lost"));
        assertThatThrownBy(() -> Chain.select(DIR, manifest(hole), RestoreTarget.lsn(Lsn.valueOf("0/4500"), true)))
                .isInstanceOfSatisfying(PgscribeException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.DAMAGED))
                .hasMessageContaining("hole between 0/1200 and 0/1800").hasMessageContaining("the spool was lost");
        // before the hole, and from a base after it: both fine
        assertThat(Chain.select(DIR, manifest(hole), RestoreTarget.lsn(Lsn.valueOf("0/1200"), true)).base().consistentPoint())
                .isEqualTo("0/1000");
        assertThat(Chain.latest(DIR, manifest(hole)).base().consistentPoint()).isEqualTo("0/5000");
        // a hole still open is refused from every base it follows
        List<CaptureState.Hole> open = List.of(new CaptureState.Hole("0/6500", null, "now", "the publication changed"));
        assertThatThrownBy(() -> Chain.latest(DIR, manifest(open))).hasMessageContaining("now (still open)");
    }

    @Test
    void aSetWithNoBaseIsDamaged() {
        Manifest none = new Manifest(Manifest.FORMAT, "test", new Manifest.Source("shop", "1", "15", 150000, "UTF8"),
                "pgscribe", "wal2json", List.of(), "now", List.of(), null, null, CaptureState.initial(List.of()), null);
        assertThatThrownBy(() -> Chain.latest(DIR, none))
                .isInstanceOfSatisfying(PgscribeException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.DAMAGED));
    }

    @Test
    void aTargetInSegmentsRetentionPrunedIsRefusedButTheBaseItselfIsNot() {
        Manifest pruned = manifest(List.of()).withRetention(new Manifest.Retention("0/4000", "2026-11-25T00:00:00Z", null));
        assertThatThrownBy(() -> Chain.select(DIR, pruned, RestoreTarget.lsn(Lsn.valueOf("0/3000"), true)))
                .isInstanceOfSatisfying(PgscribeException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.REFUSED))
                .hasMessageContaining("the retention policy pruned the segments in between")
                .satisfies(e -> assertThat(((PgscribeException) e).hint()).contains("--to-lsn 0/1000"));
        assertThat(Chain.select(DIR, pruned, RestoreTarget.lsn(Lsn.valueOf("0/1000"), true)).base().consistentPoint())
                .isEqualTo("0/1000");
        assertThat(Chain.latest(DIR, pruned).base().consistentPoint()).isEqualTo("0/5000");
    }
}
