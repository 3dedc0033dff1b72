package io.pgscribe.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgscribe.ExitCode;
import io.pgscribe.PgscribeException;
import io.pgscribe.manifest.CaptureState;
import io.pgscribe.manifest.Manifest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class FreshnessTest {

    private static final Manifest UNDATED = new Manifest(Manifest.FORMAT, "test",
            new Manifest.Source("db", "1", "15", 150000, "UTF8"), "slot", "wal2json", List.of(), "now", null, null, null,
            CaptureState.initial(List.of()), null);

    @Test
    void durationsAreShortOrIso() {
        assertThat(Freshness.parse("90s", "--max-age")).isEqualTo(Duration.ofSeconds(90));
        assertThat(Freshness.parse("30m", "--max-age")).isEqualTo(Duration.ofMinutes(30));
        assertThat(Freshness.parse("2h", "--max-age")).isEqualTo(Duration.ofHours(2));
        assertThat(Freshness.parse("7d", "--max-age")).isEqualTo(Duration.ofDays(7));
        assertThat(Freshness.parse("PT2H", "--max-age")).isEqualTo(Duration.ofHours(2));
        for (String bad : List.of("2 hours", "0s", "-PT1H", "h")) {
            assertThatThrownBy(() -> Freshness.parse(bad, "--max-age")).isInstanceOfSatisfying(PgscribeException.class,
                    e -> assertThat(e.exitCode()).isEqualTo(ExitCode.USAGE));
        }
    }

    @Test
    void aManifestWrittenLongerAgoThanTheMaximumIsNamedWithItsAge() {
        Instant now = Instant.parse("2026-12-04T12:00:00Z");
        Manifest recent = UNDATED.withWrittenAt("2026-12-04T11:59:30Z");
        assertThat(Freshness.problem(recent, Duration.ofMinutes(5), now)).isNull();
        Manifest old = UNDATED.withWrittenAt("2026-12-01T12:00:00Z");
        assertThat(Freshness.problem(old, Duration.ofHours(2), now)).contains("2026-12-01T12:00:00Z", "3 days ago",
                "longer than 2 h", "older set put in its place");
        assertThat(Freshness.problem(UNDATED, Duration.ofHours(2), now)).contains("does not say when it was written");
    }
}
