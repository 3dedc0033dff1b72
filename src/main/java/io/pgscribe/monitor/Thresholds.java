package io.pgscribe.monitor;

import io.pgscribe.config.Setting;
import io.pgscribe.config.Settings;
import java.time.Duration;

/** The alert rules' thresholds, from {@code pgscribe.alert.*}; a byte threshold of 0 turns that level off. */
public record Thresholds(long retainedWarning, long retainedCritical, long retainedEmergency, Duration inactiveEmergency,
                         Duration captureDownGrace, Duration segmentStale, long segmentStaleWal) {

    public static Thresholds fromSettings(Settings s) {
        return new Thresholds(s.getLong(Setting.ALERT_RETAINED_WAL_WARNING), s.getLong(Setting.ALERT_RETAINED_WAL_CRITICAL),
                s.getLong(Setting.ALERT_RETAINED_WAL_EMERGENCY), s.getSeconds(Setting.ALERT_SLOT_INACTIVE_EMERGENCY),
                s.getSeconds(Setting.ALERT_CAPTURE_DOWN_GRACE), s.getSeconds(Setting.ALERT_SEGMENT_STALE),
                s.getLong(Setting.ALERT_SEGMENT_STALE_WAL));
    }
}
