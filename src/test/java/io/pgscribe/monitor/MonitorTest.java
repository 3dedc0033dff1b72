package io.pgscribe.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgscribe.alert.Severity;
import org.junit.jupiter.api.Test;

class MonitorTest {

    @Test
    void captureDownCarriesPgRecvlogicalsLastErrorAndNoOtherFindingDoes() {
        Finding down = new Finding(HealthRules.CAPTURE_DOWN, Severity.CRITICAL, "pg_recvlogical is not running", "h");
        String error = "pg_recvlogical: error: could not write 21 bytes: No space left on device";
        assertThat(Monitor.withLastError(down, error).message())
                .isEqualTo("pg_recvlogical is not running; it last ended with: " + error);
        assertThat(Monitor.withLastError(down, null)).isEqualTo(down);
        Finding other = new Finding(HealthRules.SLOT_MISSING, Severity.EMERGENCY, "gone", "h");
        assertThat(Monitor.withLastError(other, error)).isEqualTo(other);
    }
}
