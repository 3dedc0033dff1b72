package io.pgscribe.pg;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ToolPassfileTest {

    @TempDir
    Path set;

    private static final ConnectionSpec WITH_PASSWORD =
            new ConnectionSpec("db.example", 5433, "shop", "backup", "pa:ss\\word", null, "require");

    @Test
    void thePasswordGoesIntoAnOwnerOnlyFileNamedByTheConnectionStringAndNeverIntoIt() throws Exception {
        Path file;
        try (ToolPassfile pf = ToolPassfile.forSpec(WITH_PASSWORD, set)) {
            String conninfo = pf.conninfo(WITH_PASSWORD, "pgscribe-base");
            assertThat(conninfo).doesNotContain("pa:ss").contains("host='db.example'").contains(" passfile='");
            file = Path.of(conninfo.substring(conninfo.indexOf("passfile='") + 10, conninfo.length() - 1));
            assertThat(Files.readString(file)).isEqualTo("*:*:*:*:pa\\:ss\\\\word\n");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
            // in the set's own directory, not the machine's shared temporary one
            assertThat(file.getParent()).isEqualTo(set.resolve(ToolPassfile.DIRECTORY));
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent()))).isEqualTo("rwx------");
        }
        assertThat(file).doesNotExist();
    }

    @Test
    void aPassfileACrashLeftIsRemovedAtTheNextStart() throws Exception {
        ToolPassfile left = ToolPassfile.forSpec(WITH_PASSWORD, set); // never closed: the runtime was killed
        assertThat(ToolPassfile.removeLeftovers(set)).hasSize(1);
        try (var files = Files.list(set.resolve(ToolPassfile.DIRECTORY))) {
            assertThat(files.toList()).isEmpty();
        }
        left.close();
    }

    @Test
    void withoutAPasswordTheConfiguredPassfileIsNamedOrNone() {
        ConnectionSpec passfile = new ConnectionSpec("h", 5432, "d", "u", null, "/etc/pgscribe/pgpass", null);
        try (ToolPassfile pf = ToolPassfile.forSpec(passfile, set)) {
            assertThat(pf.conninfo(passfile, "x")).endsWith(" passfile='/etc/pgscribe/pgpass'");
        }
        ConnectionSpec none = new ConnectionSpec("h", 5432, "d", "u", null, null, null);
        try (ToolPassfile pf = ToolPassfile.forSpec(none, set)) {
            assertThat(pf.conninfo(none, "x")).doesNotContain("passfile");
        }
    }
}
