package io.pgscribe.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecvlogicalPidFileTest {

    @TempDir
    Path spool;

    @Test
    void aPidFileThatNamesNoLivePgRecvlogicalStopsNothingAndIsRemoved() throws IOException {
        RecvlogicalPidFile pidFile = new RecvlogicalPidFile(spool, "pgscribe");
        long self = ProcessHandle.current().pid(); // alive, but not pg_recvlogical: never signalled
        pidFile.write(self);
        assertThat(Files.readString(spool.resolve(RecvlogicalPidFile.NAME))).isEqualTo(self + "\n");
        assertThatCode(() -> RecvlogicalPidFile.refuseAnotherRuntime(spool, "pgscribe")).doesNotThrowAnyException();
        pidFile.stopOrphan();
        assertThat(spool.resolve(RecvlogicalPidFile.NAME)).doesNotExist();
        assertThat(ProcessHandle.current().isAlive()).isTrue();
    }

    @Test
    void aDamagedOrMissingPidFileIsNoReasonToRefuse() throws IOException {
        assertThatCode(() -> RecvlogicalPidFile.refuseAnotherRuntime(spool, "pgscribe")).doesNotThrowAnyException();
        Files.writeString(spool.resolve(RecvlogicalPidFile.NAME), "not a pid\n");
        assertThatCode(() -> RecvlogicalPidFile.refuseAnotherRuntime(spool, "pgscribe")).doesNotThrowAnyException();
        new RecvlogicalPidFile(spool, "pgscribe").stopOrphan(); // logs that it could not check, and goes on
        assertThat(spool.resolve(RecvlogicalPidFile.NAME)).doesNotExist();
    }
}
