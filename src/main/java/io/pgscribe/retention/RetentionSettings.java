package io.pgscribe.retention;

import io.pgscribe.ExitCode;
import io.pgscribe.PgscribeException;
import io.pgscribe.config.Setting;
import io.pgscribe.config.Settings;
import java.time.Duration;

/** The retention policy from {@code pgscribe.retention.*}, checked. */
public final class RetentionSettings {

    private RetentionSettings() {
    }

    public static RetentionPolicy policy(Settings s) {
        int pit = s.getInt(Setting.RETENTION_POINT_IN_TIME_DAYS);
        int bases = s.getInt(Setting.RETENTION_BASES_DAYS);
        int monthly = s.getInt(Setting.RETENTION_MONTHLY_BASES);
        if (pit < 1 || bases < 0 || monthly < 0) {
            throw new PgscribeException("retention settings out of range: point-in-time-days=" + pit + ", bases-days="
                    + bases + ", monthly-bases=" + monthly,
                    "pgscribe.retention.point-in-time-days must be 1 or more; the others 0 or more.", ExitCode.USAGE, null);
        }
        return new RetentionPolicy(Duration.ofDays(pit), Duration.ofDays(bases), monthly);
    }
}
