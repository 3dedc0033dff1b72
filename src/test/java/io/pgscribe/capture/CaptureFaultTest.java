package io.pgscribe.capture;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgscribe.ExitCode;
import io.pgscribe.PgscribeException;
import io.pgscribe.alert.Severity;
import io.pgscribe.monitor.HealthRules;
import io.pgscribe.monitor.PipelineFaults;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class CaptureFaultTest {

    @Test
    void theHeadlineIsTheCauseAnOperatorActsOn() {
        Exception full = new RuntimeException("cannot read wal2json message", new UncheckedIOException("cannot write segment",
                new FileSystemException("/backups/segments/x.sql.partial", null, "No space left on device")));
        assertThat(CaptureFault.headline(full)).isEqualTo("No space left on device on /backups/segments/x.sql.partial");
        Exception gone = new RuntimeException(new PgscribeException("no backup set in /b", "init"));
        assertThat(CaptureFault.headline(gone)).isEqualTo("no backup set in /b");
        assertThat(CaptureFault.headline(new IllegalStateException("x", new IllegalArgumentException("root")))).isEqualTo("root");
    }

    @Test
    void aRepeatedFailureIsAnAlertUntilTheCaptureMoves() {
        CaptureFault f = new CaptureFault();
        Instant t = Instant.parse("2026-12-02T00:00:00Z");
        Exception e = new PgscribeException("spool file 1 is shorter", "take a new base", ExitCode.DAMAGED, null);
        assertThat(f.failed(e, t)).isTrue();
        assertThat(PipelineFaults.captureFailing(f.current().orElseThrow(), "")).isEmpty(); // once is not yet a pattern
        assertThat(f.failed(e, t.plusSeconds(1))).isFalse();
        var finding = PipelineFaults.captureFailing(f.current().orElseThrow(), "").orElseThrow();
        assertThat(finding.rule()).isEqualTo(HealthRules.CAPTURE_FAILING);
        assertThat(finding.severity()).isEqualTo(Severity.EMERGENCY); // a damaged set
        assertThat(finding.message()).startsWith("spool file 1 is shorter").contains("2 times since " + t);
        assertThat(finding.hint()).isEqualTo("take a new base");
        assertThat(f.moved()).isPresent();
        assertThat(f.current()).isEmpty();
        assertThat(f.failed(new IllegalStateException("other"), t)).isTrue();
        f.failed(new IllegalStateException("other"), t);
        assertThat(PipelineFaults.captureFailing(f.current().orElseThrow(), "").orElseThrow().severity())
                .isEqualTo(Severity.CRITICAL);
    }
}
