package io.pgscribe.pg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgscribe.PgscribeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PassfileReaderTest {

    @TempDir
    Path tmp;

    private Path passfile(String content, String mode) throws Exception {
        Path f = Files.writeString(tmp.resolve("pgpass"), content);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(mode));
        return f;
    }

    @Test
    void theFirstMatchingLineWinsWithWildcardsAndEscapes() throws Exception {
        Path f = passfile("""
                # comment
                db1:5432:orders:backup:first
                *:5432:billing:backup:pa\\:ss\\\\word
                *:*:*:backup:fallback
                """, "rw-------");
        assertThat(PassfileReader.password(f, "db1", 5432, "orders", "backup")).contains("first");
        assertThat(PassfileReader.password(f, "db2", 5432, "billing", "backup")).contains("pa:ss\\word");
        assertThat(PassfileReader.password(f, "db1", 6432, "orders", "backup")).contains("fallback");
        assertThat(PassfileReader.password(f, "db1", 5432, "orders", "someone")).isEmpty();
    }

    @Test
    void aFileOthersCanReadIsRefusedAsLibpqWouldIgnoreIt() throws Exception {
        Path f = passfile("*:*:*:*:secret\n", "rw-r--r--");
        assertThatThrownBy(() -> PassfileReader.password(f, "h", 5432, "d", "u")).isInstanceOf(PgscribeException.class)
                .hasMessageContaining("can be read by group or others").hasMessageNotContaining("secret");
    }

    @Test
    void aMissingFileIsAConfigurationError() {
        assertThatThrownBy(() -> PassfileReader.password(tmp.resolve("none"), "h", 5432, "d", "u"))
                .isInstanceOf(PgscribeException.class).hasMessageContaining("does not exist");
    }

    @Test
    void jdbcConnectionsGetThePasswordFromTheConfiguredPassfile() throws Exception {
        Path f = passfile("h:5432:d:u:from-file\n", "rw-------");
        ConnectionSpec spec = new ConnectionSpec("h", 5432, "d", "u", null, f.toString(), null);
        assertThat(spec.jdbcProperties("test").getProperty("password")).isEqualTo("from-file");
        assertThat(new ConnectionSpec("h", 5432, "d", "u", "given", f.toString(), null).jdbcProperties("test")
                .getProperty("password")).isEqualTo("given");
    }
}
