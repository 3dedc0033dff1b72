package io.pgscribe.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DurableFilesTest {

    @TempDir
    Path tmp;

    @Test
    void anAtomicWriteIsOwnerOnlyAndReplacesTheFileWhole() throws Exception {
        Path f = tmp.resolve("state");
        DurableFiles.writeAtomically(f, "one".getBytes());
        DurableFiles.writeAtomically(f, "two".getBytes());
        assertThat(Files.readString(f)).isEqualTo("two");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).isEqualTo("rw-------");
        assertThat(tmp.resolve(".state.tmp")).doesNotExist();
    }

    @Test
    void aFailedAtomicWriteLeavesTheOldFileAndNoTemporaryFile() throws Exception {
        Path f = tmp.resolve("state");
        Files.createDirectories(f.resolve("in-the-way")); // a rename onto a non-empty directory fails
        assertThatThrownBy(() -> DurableFiles.writeAtomically(f, "new".getBytes())).hasMessageContaining("cannot write " + f);
        assertThat(tmp.resolve(".state.tmp")).doesNotExist();
        assertThat(f.resolve("in-the-way")).isDirectory();
    }
}
