package io.pgscribe.base;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class BaseJobTest {

    @Test
    void temporarySlotNamesAreUniquePerSecondAndFitPostgresLimit() {
        Instant t = Instant.parse("2026-11-25T02:00:00Z");
        assertThat(BaseJob.temporarySlotName("pgscribe", t)).isEqualTo("pgscribe_base_1795572000");
        String longName = "s".repeat(63);
        assertThat(BaseJob.temporarySlotName(longName, t)).hasSize(63).endsWith("_base_1795572000");
        assertThat(BaseJob.temporarySlotName("pgscribe", t.plusSeconds(1))).isNotEqualTo(BaseJob.temporarySlotName("pgscribe", t));
    }

    @Test
    void aKilledToolIsNamedSo() {
        assertThat(DumpFiles.failed("pg_dump", 137, "").getMessage()).isEqualTo("pg_dump failed (exit 137, killed by signal 9)");
        assertThat(DumpFiles.failed("pg_dump", 1, "pg_dump: error: connection refused\n").getMessage())
                .isEqualTo("pg_dump failed (exit 1): pg_dump: error: connection refused");
    }
}
