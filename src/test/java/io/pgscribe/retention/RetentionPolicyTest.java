package io.pgscribe.retention;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgscribe.manifest.BaseEntry;
import io.pgscribe.manifest.GlobalsEntry;
import io.pgscribe.manifest.Manifest;
import io.pgscribe.manifest.SegmentEntry;
import io.pgscribe.pg.Lsn;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** A simulated year of a backup set: a base every day at 02:00, globals at 02:30, a segment every hour. */
class RetentionPolicyTest {

    static final Instant START = Instant.parse("2025-10-01T00:00:00Z");
    static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");

    static long lsnAt(Instant t) {
        return Duration.between(START, t).toSeconds() * 1000;
    }

    static Manifest year() {
        List<BaseEntry> bases = new ArrayList<>();
        List<GlobalsEntry> globals = new ArrayList<>();
        List<SegmentEntry> segments = new ArrayList<>();
        for (Instant day = START; day.isBefore(NOW); day = day.plus(1, ChronoUnit.DAYS)) {
            Instant b = day.plus(2, ChronoUnit.HOURS);
            if (b.isBefore(NOW)) {
                String name = Lsn.of(lsnAt(b)).asHex16();
                bases.add(new BaseEntry("base/" + name + ".sql", "plain", Lsn.of(lsnAt(b)).asString(), "s", b.toString(), 1, "x",
                        "base/" + name + ".meta.json", "y", "base/" + name + ".checksums.json", "z"));
            }
            Instant g = day.plus(150, ChronoUnit.MINUTES);
            if (g.isBefore(NOW)) {
                globals.add(new GlobalsEntry("globals/" + g.getEpochSecond() + ".sql", g.toString(), 1, "x"));
            }
        }
        long ordinal = 1;
        for (Instant h = START; h.plus(1, ChronoUnit.HOURS).isBefore(NOW); h = h.plus(1, ChronoUnit.HOURS)) {
            Instant end = h.plus(1, ChronoUnit.HOURS).minusSeconds(1);
            segments.add(new SegmentEntry("segments/" + ordinal + ".sql", ordinal, Lsn.of(lsnAt(h) + 1).asString(),
                    Lsn.of(lsnAt(end)).asString(), h.toString(), end.toString(), 10, 1, "x", null));
            ordinal++;
        }
        return new Manifest(Manifest.FORMAT, "t", new Manifest.Source("db", "1", "15", 150000, "UTF8"), "slot", "wal2json",
                List.of(), START.toString(), bases, globals, segments, null, null);
    }

    @Test
    void keepsTheWindowTheLastThirtyDaysAndTheFirstBaseOfTwelveMonths() {
        Manifest m = year();
        RetentionPolicy.Plan plan = RetentionPolicy.DEFAULT.plan(m, NOW);

        // the window opens 2026-11-18T12:00; the newest base before it is that day's 02:00 base
        assertThat(plan.windowBase().takenAt()).isEqualTo("2026-11-18T02:00:00Z");
        Set<String> expectedBases = new TreeSet<>();
        for (BaseEntry b : m.bases()) {
            Instant t = Instant.parse(b.takenAt());
            boolean recent = t.isAfter(NOW.minus(30, ChronoUnit.DAYS));
            boolean monthly = b.takenAt().endsWith("-01T02:00:00Z") && !t.isBefore(Instant.parse("2025-12-01T00:00:00Z"));
            if (recent || monthly) {
                expectedBases.add(b.takenAt());
            }
        }
        assertThat(new TreeSet<>(plan.keptBases().stream().map(BaseEntry::takenAt).toList())).isEqualTo(expectedBases);
        // 30 days (10-27 .. 11-25) and the 1st of 2025-12 .. 2026-10 (11 months; November's 1st is within 30 days)
        assertThat(expectedBases).hasSize(30 + 11).contains("2025-12-01T02:00:00Z").doesNotContain("2025-11-01T02:00:00Z");

        long from = Lsn.valueOf(plan.windowBase().consistentPoint()).asLong();
        assertThat(plan.keptSegments()).isNotEmpty()
                .allMatch(s -> Lsn.valueOf(s.lastLsn()).asLong() >= from);
        assertThat(m.segments()).filteredOn(s -> Lsn.valueOf(s.lastLsn()).asLong() >= from)
                .containsExactlyElementsOf(plan.keptSegments());
        // the kept segments follow each other, from the first after the window base's consistent point to the newest
        SegmentEntry firstKept = plan.keptSegments().get(0);
        SegmentEntry lastRemoved = m.segments().get(m.segments().indexOf(firstKept) - 1);
        assertThat(Lsn.valueOf(lastRemoved.lastLsn()).asLong()).isLessThan(from);
        assertThat(plan.keptSegments().get(plan.keptSegments().size() - 1)).isEqualTo(m.lastSegment());

        // every kept base keeps the globals dump taken before it; globals of removed days go
        for (BaseEntry b : plan.keptBases()) {
            assertThat(plan.keptGlobals()).anyMatch(g -> !Instant.parse(g.takenAt()).isAfter(Instant.parse(b.takenAt()).plusSeconds(60))
                    || g == m.globals().get(0));
        }
        assertThat(plan.keptGlobals().size()).isLessThan(m.globals().size() / 2);

        // every removal is a listed file with a reason, sidecars with their base
        List<String> removed = plan.removals().stream().map(RetentionPolicy.Removal::file).toList();
        assertThat(removed).doesNotHaveDuplicates().noneMatch(f -> f.startsWith("spool/"));
        int removedBases = m.bases().size() - plan.keptBases().size();
        assertThat(removed).filteredOn(f -> f.endsWith(".meta.json")).hasSize(removedBases);
        assertThat(removed).filteredOn(f -> f.endsWith(".checksums.json")).hasSize(removedBases);
        assertThat(plan.removals()).allMatch(r -> !r.reason().isBlank());

        // the pruned manifest keeps exactly the kept entries
        Manifest after = plan.apply(m);
        assertThat(after.bases()).hasSize(plan.keptBases().size());
        assertThat(after.segments()).containsExactlyElementsOf(plan.keptSegments());
    }

    @Test
    void aYoungBackupSetLosesNothing() {
        Manifest m = year();
        RetentionPolicy.Plan plan = RetentionPolicy.DEFAULT.plan(m, START.plus(5, ChronoUnit.DAYS));
        assertThat(plan.windowBase()).isEqualTo(m.bases().get(0));
        // only the two hours of segments before the first base go: no base can use them
        assertThat(plan.removals()).extracting(RetentionPolicy.Removal::file)
                .containsExactly("segments/1.sql", "segments/2.sql");
    }

    @Test
    void prunedAgainTheNextDayRemovesOneMoreDayOfSegments() {
        Manifest m = year();
        Manifest once = RetentionPolicy.DEFAULT.plan(m, NOW).apply(m);
        RetentionPolicy.Plan again = RetentionPolicy.DEFAULT.plan(once, NOW);
        assertThat(again.removals()).isEmpty();
        RetentionPolicy.Plan nextDay = RetentionPolicy.DEFAULT.plan(once, NOW.plus(1, ChronoUnit.DAYS));
        assertThat(nextDay.removals()).filteredOn(r -> r.file().startsWith("segments/")).hasSize(24);
    }

    @Test
    void monthlyBasesZeroKeepsOnlyTheThirtyDays() {
        Manifest m = year();
        RetentionPolicy.Plan plan = new RetentionPolicy(Duration.ofDays(7), Duration.ofDays(30), 0).plan(m, NOW);
        assertThat(plan.keptBases()).hasSize(30);
    }
}
