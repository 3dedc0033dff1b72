package io.pgscribe.retention;

import io.pgscribe.manifest.BaseEntry;
import io.pgscribe.manifest.GlobalsEntry;
import io.pgscribe.manifest.Manifest;
import io.pgscribe.manifest.SegmentEntry;
import io.pgscribe.pg.Lsn;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which files of a backup set to keep, on whole chains. Restore points kept:
 * <ul>
 *   <li>any point in time of the last {@code pointInTime} (default 7 days): the newest base
 *       taken before that window opened (the <em>window base</em>), every base after it, and
 *       every segment from the window base's consistent point on;</li>
 *   <li>every base of the last {@code bases} (default 30 days), each restorable to its own point;</li>
 *   <li>older ones: the first base of each calendar month (UTC), for {@code monthlyBases} months
 *       (default 12) counting this one.</li>
 * </ul>
 * Each kept base keeps its metadata, checksums and the newest globals dump taken at or before
 * it. The newest segment is always kept (the capture resumes after it). Pure: the clock is an
 * argument, so a simulated year is a unit test.
 */
public record RetentionPolicy(Duration pointInTime, Duration bases, int monthlyBases) {

    public static final RetentionPolicy DEFAULT = new RetentionPolicy(Duration.ofDays(7), Duration.ofDays(30), 12);

    public RetentionPolicy {
        if (pointInTime.isNegative() || bases.isNegative() || monthlyBases < 0) {
            throw new IllegalArgumentException("retention periods cannot be negative");
        }
    }

    /** One file to remove, and why. */
    public record Removal(String file, String reason) {
    }

    /**
     * What to keep and what to remove. {@code windowBase}: where point-in-time restores start.
     * {@code deferred}: removals the policy names that wait until the store holds the file.
     */
    public record Plan(BaseEntry windowBase, List<BaseEntry> keptBases, List<SegmentEntry> keptSegments,
                       List<GlobalsEntry> keptGlobals, Map<String, String> keptBecause, List<Removal> removals,
                       List<Removal> deferred) {

        public Plan(BaseEntry windowBase, List<BaseEntry> keptBases, List<SegmentEntry> keptSegments,
                    List<GlobalsEntry> keptGlobals, Map<String, String> keptBecause, List<Removal> removals) {
            this(windowBase, keptBases, keptSegments, keptGlobals, keptBecause, removals, List.of());
        }

        public boolean removesAnything() {
            return !removals.isEmpty();
        }

        /**
         * This plan with every removal of a file the store does not hold yet put off (a base
         * goes with its sidecars, or not at all): while shipping is on, the local copy may be
         * the only one.
         */
        public Plan keepingUnshipped(Manifest m, java.util.function.Predicate<String> shipped) {
            java.util.Set<String> removed = new java.util.HashSet<>();
            removals.forEach(r -> removed.add(r.file()));
            java.util.Set<String> wait = new java.util.HashSet<>();
            List<BaseEntry> bases = new ArrayList<>(keptBases);
            for (BaseEntry b : m.bases()) {
                List<String> files = new ArrayList<>(List.of(b.file()));
                files.addAll(sidecars(b));
                if (removed.contains(b.file()) && !files.stream().allMatch(shipped)) {
                    wait.addAll(files);
                    bases.add(b);
                }
            }
            List<SegmentEntry> segments = new ArrayList<>();
            for (SegmentEntry s : m.segments()) {
                boolean waits = removed.contains(s.file()) && !shipped.test(s.file());
                if (waits) {
                    wait.add(s.file());
                }
                if (waits || keptSegments.contains(s)) {
                    segments.add(s);
                }
            }
            List<GlobalsEntry> globals = new ArrayList<>(keptGlobals);
            for (GlobalsEntry g : m.globals()) {
                if (removed.contains(g.file()) && !shipped.test(g.file())) {
                    wait.add(g.file());
                    globals.add(g);
                }
            }
            if (wait.isEmpty()) {
                return this;
            }
            Map<String, String> because = new LinkedHashMap<>(keptBecause);
            wait.forEach(f -> because.put(f, "not shipped yet: removed once the store holds it"));
            return new Plan(windowBase, bases, segments, globals, because,
                    removals.stream().filter(r -> !wait.contains(r.file())).toList(),
                    removals.stream().filter(r -> wait.contains(r.file())).toList());
        }

        /** The manifest without the removed entries. */
        public Manifest apply(Manifest m) {
            return m.retain(keptBases, keptGlobals, keptSegments);
        }
    }

    public Plan plan(Manifest m, Instant now) {
        List<BaseEntry> bases = new ArrayList<>(m.bases());
        bases.sort(Comparator.comparing((BaseEntry b) -> Instant.parse(b.takenAt())));
        Map<String, String> keptBecause = new LinkedHashMap<>();
        List<Removal> removals = new ArrayList<>();
        if (bases.isEmpty()) {
            return new Plan(null, List.of(), m.segments(), m.globals(), keptBecause, removals);
        }
        Instant windowStart = now.minus(pointInTime);
        BaseEntry window = bases.get(0);
        for (BaseEntry b : bases) {
            if (!Instant.parse(b.takenAt()).isAfter(windowStart)) {
                window = b;
            }
        }
        Instant windowTaken = Instant.parse(window.takenAt());
        Instant basesStart = now.minus(this.bases);
        YearMonth oldestMonth = YearMonth.from(now.atZone(ZoneOffset.UTC)).minusMonths(Math.max(monthlyBases - 1, 0));
        Map<YearMonth, BaseEntry> firstOfMonth = new HashMap<>();
        for (BaseEntry b : bases) {
            firstOfMonth.putIfAbsent(YearMonth.from(Instant.parse(b.takenAt()).atZone(ZoneOffset.UTC)), b);
        }

        List<BaseEntry> keptBases = new ArrayList<>();
        for (BaseEntry b : bases) {
            Instant taken = Instant.parse(b.takenAt());
            YearMonth month = YearMonth.from(taken.atZone(ZoneOffset.UTC));
            String why = null;
            if (b == window) {
                why = "point-in-time restores of the last " + describe(pointInTime) + " start from it";
            } else if (taken.isAfter(windowTaken)) {
                why = "inside the point-in-time window";
            } else if (taken.isAfter(basesStart)) {
                why = "younger than " + describe(this.bases);
            } else if (monthlyBases > 0 && firstOfMonth.get(month) == b && !month.isBefore(oldestMonth)) {
                why = "first base of " + month;
            }
            if (why != null) {
                keptBases.add(b);
                keptBecause.put(b.file(), why);
            } else {
                String reason = firstOfMonth.get(month) == b
                        ? "older than " + describe(this.bases) + ", and " + month + " is past the " + monthlyBases + " monthly bases kept"
                        : "older than " + describe(this.bases) + ", and not the first base of " + month;
                removals.add(new Removal(b.file(), reason));
                sidecars(b).forEach(f -> removals.add(new Removal(f, "belongs to the removed base " + b.file())));
            }
        }

        Lsn from = Lsn.valueOf(window.consistentPoint());
        boolean lsnLess = m.segments().stream().anyMatch(s -> s.lastLsn() == null);
        SegmentEntry newest = m.lastSegment();
        List<SegmentEntry> keptSegments = new ArrayList<>();
        for (SegmentEntry s : m.segments()) {
            if (lsnLess || s == newest || !Lsn.valueOf(s.lastLsn()).isBefore(from)) {
                keptSegments.add(s);
            } else {
                removals.add(new Removal(s.file(), "before the point-in-time window: its last commit " + s.lastLsn()
                        + " is in the base " + window.file()));
            }
        }

        List<GlobalsEntry> globals = new ArrayList<>(m.globals());
        globals.sort(Comparator.comparing((GlobalsEntry g) -> Instant.parse(g.takenAt())));
        Map<GlobalsEntry, String> neededBy = new HashMap<>();
        for (BaseEntry b : keptBases) {
            GlobalsEntry g = globalsFor(globals, Instant.parse(b.takenAt()));
            if (g != null) {
                neededBy.putIfAbsent(g, "the roles of base " + b.file());
            }
        }
        List<GlobalsEntry> keptGlobals = new ArrayList<>();
        for (GlobalsEntry g : globals) {
            Instant taken = Instant.parse(g.takenAt());
            String why = taken.isAfter(windowTaken) ? "inside the point-in-time window" : neededBy.get(g);
            if (why != null) {
                keptGlobals.add(g);
                keptBecause.put(g.file(), why);
            } else {
                removals.add(new Removal(g.file(), "no kept base needs it"));
            }
        }
        return new Plan(window, keptBases, keptSegments, keptGlobals, keptBecause, removals);
    }

    /** The newest globals dump taken at or before {@code when}, else the oldest one. */
    private static GlobalsEntry globalsFor(List<GlobalsEntry> sorted, Instant when) {
        GlobalsEntry found = sorted.isEmpty() ? null : sorted.get(0);
        for (GlobalsEntry g : sorted) {
            if (!Instant.parse(g.takenAt()).isAfter(when.plusSeconds(60))) {
                found = g;
            }
        }
        return found;
    }

    static List<String> sidecars(BaseEntry b) {
        return b.sidecars().stream().map(BaseEntry.Sidecar::file).toList();
    }

    static String describe(Duration d) {
        if (d.toDays() > 0 && d.equals(Duration.ofDays(d.toDays()))) {
            return d.toDays() + " days";
        }
        return d.toSeconds() + " seconds";
    }
}
