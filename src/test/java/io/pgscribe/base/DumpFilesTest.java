package io.pgscribe.base;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DumpFilesTest {

    @TempDir
    Path tmp;

    @Test
    void aPartialIsOwnerOnlyBeforeTheToolWritesAByteAndALinkPlantedThereIsNotFollowed() throws Exception {
        Path target = tmp.resolve("base.sql");
        Path partial = DumpFiles.partialOf(target);
        Path victim = Files.writeString(tmp.resolve("victim"), "keep");
        Files.createSymbolicLink(partial, victim);
        DumpFiles.createPartial(partial);
        assertThat(Files.isSymbolicLink(partial)).isFalse();
        assertThat(Files.size(partial)).isZero();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(partial))).isEqualTo("rw-------");
        assertThat(Files.readString(victim)).isEqualTo("keep");
        // what pg_dump does with --file: opens it for writing (truncating), which keeps the mode
        Files.writeString(partial, "-- dump");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(partial))).isEqualTo("rw-------");
    }
}
