package io.pgscribe.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PipelineFaultsTest {

    @TempDir
    Path set;

    @Test
    void howPgRecvlogicalLastEndedIsKeptForStatusUntilTheCaptureIsUpAgain() throws Exception {
        assertThat(PipelineFaults.readDown(set)).isEmpty();
        String error = "pg_recvlogical: error: could not connect to server: FATAL: password authentication failed";
        PipelineFaults.writeDown(set, error);
        assertThat(PipelineFaults.readDown(set)).contains(error);
        assertThat(Files.getPosixFilePermissions(set.resolve(PipelineFaults.DOWN_FILE)))
                .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        Finding down = new Finding(HealthRules.CAPTURE_DOWN, io.pgscribe.alert.Severity.CRITICAL,
                "pg_recvlogical is not running", null);
        assertThat(Monitor.withLastError(down, PipelineFaults.readDown(set).orElseThrow()).message())
                .isEqualTo("pg_recvlogical is not running; it last ended with: " + error);
        PipelineFaults.writeDown(set, null);
        assertThat(PipelineFaults.readDown(set)).isEmpty();
        Files.writeString(set.resolve(PipelineFaults.DOWN_FILE), "{torn");
        assertThat(PipelineFaults.readDown(set)).isEmpty();
    }
}
