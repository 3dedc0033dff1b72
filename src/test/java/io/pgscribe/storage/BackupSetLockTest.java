package io.pgscribe.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgscribe.ExitCode;
import io.pgscribe.PgscribeException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackupSetLockTest {

    @TempDir
    Path tmp;

    @Test
    void aSecondWriterIsRefusedAndTheFirstKeepsTheLock() throws Exception {
        Path dir = tmp.resolve("set");
        try (BackupSetLock first = BackupSetLock.acquire(dir, "run")) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwx------");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(BackupSetLock.FILE))))
                    .isEqualTo("rw-------");
            for (int i = 0; i < 2; i++) {
                assertThatThrownBy(() -> BackupSetLock.acquire(dir, "init"))
                        .isInstanceOfSatisfying(PgscribeException.class, e -> {
                            assertThat(e.exitCode()).isEqualTo(ExitCode.REFUSED);
                            assertThat(e.getMessage()).contains("in use by pid " + ProcessHandle.current().pid())
                                    .contains("(run, since");
                        });
            }
            // still held by this JVM: a refused attempt must not have released it
            try (FileChannel ch = FileChannel.open(dir.resolve(BackupSetLock.FILE), StandardOpenOption.WRITE)) {
                assertThat(ch.tryLock()).isNull();
            } catch (java.nio.channels.OverlappingFileLockException expected) {
                // the JVM says it holds it: as good
            }
        }
        BackupSetLock.acquire(dir, "run").close(); // released with its holder
    }

    @Test
    void aDirectoryThatCannotBeMadeIsAUsageErrorNamingTheSetting() throws Exception {
        Path file = Files.writeString(tmp.resolve("plain-file"), "x");
        assertThatThrownBy(() -> BackupSetLock.acquire(file.resolve("set"), "init"))
                .isInstanceOfSatisfying(PgscribeException.class, e -> {
                    assertThat(e.exitCode()).isEqualTo(ExitCode.USAGE);
                    assertThat(e.getMessage()).contains("cannot be written");
                    assertThat(e.hint()).contains("pgscribe.backup.dir");
                });
    }
}
