package io.pgscribe.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OtherServersTest {

    @TempDir
    Path root;

    @Test
    void theLibraryLinksArePackageRelativeAndMadeOnce() throws Exception {
        Files.createDirectories(root.resolve("native/lib"));
        Files.writeString(root.resolve("native/lib/libpq.so.5.18"), "library");
        Files.writeString(root.resolve("native/pg-symlinks.json"), """
                [{"source":"native/lib/libpq.so.5.18","target":"native/lib/libpq.so.5"},
                 {"source":"native/lib/libpq.so.5.18","target":"native/lib/libpq.so"}]""");
        OtherServers.linkLibraries(root);
        OtherServers.linkLibraries(root); // a second run finds them made
        Path link = root.resolve("native/lib/libpq.so.5");
        assertThat(Files.isSymbolicLink(link)).isTrue();
        assertThat(Files.readSymbolicLink(link)).isEqualTo(Path.of("libpq.so.5.18"));
        assertThat(Files.readString(root.resolve("native/lib/libpq.so"))).isEqualTo("library");
    }

    @Test
    void aLinkOutsideThePackageIsRefused() throws Exception {
        Files.createDirectories(root.resolve("native"));
        Files.writeString(root.resolve("native/pg-symlinks.json"), """
                [{"source":"../../etc/passwd","target":"native/passwd"}]""");
        assertThatThrownBy(() -> OtherServers.linkLibraries(root)).hasMessageContaining("outside the package");
        assertThat(Files.exists(root.resolve("native/passwd"), java.nio.file.LinkOption.NOFOLLOW_LINKS)).isFalse();
    }

    @Test
    void everyPinnedVersionNamesItsMajor() {
        assertThat(OtherServers.Version.PG13.major()).isEqualTo(13);
        assertThat(OtherServers.Version.PG18.major()).isEqualTo(18);
        assertThat(OtherServers.Version.PG18.packageVersion).isEqualTo(OtherServers.V18);
    }
}
