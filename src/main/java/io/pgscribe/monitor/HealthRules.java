package io.pgscribe.monitor;

import io.pgscribe.alert.Severity;
import io.pgscribe.pg.OutputPluginAllowlist;
import io.pgscribe.pg.SlotSample;
import java.util.ArrayList;
import java.util.List;

/**
 * The alert rules on the slot and the pipeline, one finding per rule that is not OK. The same
 * rules serve the monitor route (alerts, health) and {@code pgscribe status}. Every hint says
 * what to do; the README's emergency procedure says when to advance or drop the slot.
 */
public final class HealthRules {

    public static final String RETAINED_WAL = "retained-wal";
    public static final String WAL_STATUS = "wal-status";
    public static final String SLOT_INACTIVE = "slot-inactive";
    public static final String SLOT_MISSING = "slot-missing";
    public static final String CAPTURE_DOWN = "capture-down";
    public static final String SEGMENTS_STALE = "segments-stale";
    public static final String DECODER_NOT_ALLOWED = "decoder-not-allowed";
    public static final String DDL_NOT_REPLAYED = "ddl-not-replayed";
    public static final String CAPTURE_FAILING = "capture-failing";
    public static final String BACKUP_SET_UNREADABLE = "backup-set-unreadable";
    public static final String ROUTE_STOPPED = "route-stopped";
    public static final String BACKUP_HOLE = "backup-hole";

    /** The rules this class and {@link PipelineFaults} evaluate (events such as base-failed come from their routes). */
    public static final List<String> RULES = List.of(RETAINED_WAL, WAL_STATUS, SLOT_INACTIVE, SLOT_MISSING, CAPTURE_DOWN,
            SEGMENTS_STALE, DECODER_NOT_ALLOWED, DDL_NOT_REPLAYED, CAPTURE_FAILING, BACKUP_SET_UNREADABLE, ROUTE_STOPPED,
            BACKUP_HOLE, PipelineFaults.CAPTURE_HALTED, PipelineFaults.LOCK_LOST);

    private HealthRules() {
    }

    /** {@code inactiveSeconds}: how long the slot has been inactive, where known (null otherwise). */
    public static List<Finding> evaluate(String slotName, SlotSample slot, Long inactiveSeconds, PipelineFigures p,
                                         Thresholds t) {
        return evaluate(slotName, slot, inactiveSeconds, p, null, t);
    }

    /** {@code decoder}: what is known of the server's output-plugin allowlist and of refusals (null: nothing). */
    public static List<Finding> evaluate(String slotName, SlotSample slot, Long inactiveSeconds, PipelineFigures p,
                                         DecoderAllowance decoder, Thresholds t) {
        List<Finding> out = new ArrayList<>();
        if (slot == null) {
            out.add(new Finding(SLOT_MISSING, Severity.EMERGENCY, "the replication slot " + slotName + " does not exist: "
                    + "no change is being captured and the backup chain ends here",
                    "Start a new backup set: `pgscribe init` creates the slot and takes a new base (the old set stays "
                            + "restorable up to its last segment)."));
            return out;
        }
        if (decoder != null) {
            decoderFinding(slotName, slot, decoder, out);
        }
        if (slot.retainedBytes() != null) {
            long r = slot.retainedBytes();
            Severity s = level(r, t.retainedEmergency(), Severity.EMERGENCY) != null ? Severity.EMERGENCY
                    : level(r, t.retainedCritical(), Severity.CRITICAL) != null ? Severity.CRITICAL
                    : level(r, t.retainedWarning(), Severity.WARNING) != null ? Severity.WARNING : null;
            if (s != null) {
                out.add(new Finding(RETAINED_WAL, s, "the slot " + slotName + " retains " + mb(r) + " of WAL on the server"
                        + (slot.active() ? "" : " and is not being read"),
                        s == Severity.EMERGENCY ? "The server's disk is at risk: follow the README's emergency procedure "
                                + "(restart the capture; if it cannot catch up, advance or drop the slot)."
                                : "Check that `pgscribe run` is up and keeping pace (pgscribe status); the WAL is released as "
                                + "soon as the capture confirms it."));
            }
        }
        if ("lost".equals(slot.walStatus())) {
            out.add(new Finding(WAL_STATUS, Severity.EMERGENCY, "the server removed WAL the slot " + slotName
                    + " still needed (wal_status lost): changes since then are gone from the backup",
                    "Drop the slot and start a new backup set with `pgscribe init`; the old set restores up to its last "
                            + "segment."));
        } else if ("unreserved".equals(slot.walStatus())) {
            out.add(new Finding(WAL_STATUS, Severity.CRITICAL, "the slot " + slotName + " retains more WAL than "
                    + "max_slot_wal_keep_size (wal_status unreserved" + (slot.safeWalSize() == null ? ""
                    : ", " + mb(Math.max(0, slot.safeWalSize())) + " left before it is lost") + ")",
                    "Get the capture to catch up now, or raise max_slot_wal_keep_size; at the next checkpoint the WAL "
                            + "may be removed and the slot lost."));
        }
        if (!slot.active() && inactiveSeconds != null && inactiveSeconds >= t.inactiveEmergency().toSeconds()) {
            out.add(new Finding(SLOT_INACTIVE, Severity.EMERGENCY, "nothing has read the slot " + slotName + " for "
                    + hours(inactiveSeconds), "Start `pgscribe run`, or follow the README's emergency procedure to drop "
                    + "the slot before the server's disk fills or its transaction IDs wrap around."));
        }
        if (p != null && Boolean.FALSE.equals(p.captureUp()) && p.captureDownSeconds() != null
                && p.captureDownSeconds() >= t.captureDownGrace().toSeconds()) {
            out.add(new Finding(CAPTURE_DOWN, Severity.CRITICAL, "pg_recvlogical is not running for the slot " + slotName
                    + (p.captureDownSeconds() > 0 && p.captureDownSeconds() < Long.MAX_VALUE ? " (for " + p.captureDownSeconds() + " s)" : ""),
                    "Look at the runtime's log for why pg_recvlogical stopped (it is restarted with a growing delay); "
                            + "check the server and the role's REPLICATION right."));
        }
        if (p != null && p.ddlNotReplayed() > 0) {
            out.add(new Finding(DDL_NOT_REPLAYED, Severity.CRITICAL, p.ddlNotReplayed() + " DDL statement(s) captured since "
                    + "the newest base could not be replayed (the first in " + p.notReplayedSegment() + "): a restore past "
                    + "them lacks them and exits 6",
                    "Read the NOT REPLAYED notes in that segment (and the warnings in the runtime's log) for why. The next "
                            + "base covers them (pgscribe.base.cron); until then restores to later points lack that DDL."));
        }
        if (p != null && p.newestSegmentAgeSeconds() != null && p.uncoveredWalBytes() != null
                && p.newestSegmentAgeSeconds() >= t.segmentStale().toSeconds() && p.uncoveredWalBytes() >= t.segmentStaleWal()) {
            out.add(new Finding(SEGMENTS_STALE, Severity.CRITICAL, "the newest closed segment is " + p.newestSegmentAgeSeconds()
                    + " s old while the server wrote " + mb(p.uncoveredWalBytes()) + " of WAL after it",
                    "The capture route is stuck or behind: look at the runtime's log (capture-segments) and the spool "
                            + "size (pgscribe status)."));
        }
        return out;
    }

    /**
     * The server refuses the slot's plugin (output_plugin_libraries, 2026-08-13 releases): at once
     * an EMERGENCY, not after capture-down's grace, since nothing is captured and the slot holds
     * WAL. A list without the plugin while the capture still runs (the plugin stays loaded until
     * pg_recvlogical reconnects) is CRITICAL: the next reconnect will be refused.
     */
    private static void decoderFinding(String slotName, SlotSample slot, DecoderAllowance d, List<Finding> out) {
        String hint = "An administrator allows it again on " + d.server() + ": " + d.fix()
                + " The capture resumes by itself at its next restart.";
        if (d.refusal() != null || (!d.listed() && !slot.active())) {
            out.add(new Finding(DECODER_NOT_ALLOWED, Severity.EMERGENCY, "the server " + d.server() + " refuses the output plugin "
                    + d.plugin() + " for the slot " + slotName + " (" + OutputPluginAllowlist.PARAMETER + " does not list it)"
                    + ": nothing is captured and the slot holds WAL" + (d.refusal() == null ? "" : "; it said: " + d.refusal()),
                    hint));
        } else if (!d.listed()) {
            out.add(new Finding(DECODER_NOT_ALLOWED, Severity.CRITICAL, "the server " + d.server() + "'s "
                    + OutputPluginAllowlist.PARAMETER + " (" + d.allowlist() + ") no longer lists " + d.plugin()
                    + ": the capture of slot " + slotName + " runs on, but the next start of pg_recvlogical will be refused",
                    hint));
        }
    }

    private static Severity level(long value, long threshold, Severity s) {
        return threshold > 0 && value >= threshold ? s : null;
    }

    static String mb(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.1f MB", bytes / 1048576.0);
    }

    private static String hours(long seconds) {
        return seconds >= 3600 ? String.format(java.util.Locale.ROOT, "%.1f h", seconds / 3600.0) : seconds + " s";
    }

    /** The worst severity among the findings; OK for none. */
    public static Severity worst(List<Finding> findings) {
        return findings.stream().map(Finding::severity).max(Enum::compareTo).orElse(Severity.OK);
    }
}
