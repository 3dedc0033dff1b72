package io.pgscribe.pg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChildEnvironmentTest {

    private static final Map<String, String> RUNTIME = Map.of("PATH", "/usr/bin:/bin", "HOME", "/var/lib/pgscribe",
            "LANG", "C.UTF-8", "LC_ALL", "C.UTF-8", "PGSCRIBE_S3_SECRET_KEY", "s3-secret", "PGSCRIBE_ALERT_SMTP_PASSWORD",
            "smtp-secret", "PGPASSWORD", "the-runtime's", "PGSERVICE", "other", "AWS_SECRET_ACCESS_KEY", "aws", "JAVA_TOOL_OPTIONS", "-X");

    @Test
    void aChildGetsPathLocaleHomeAndItsOwnNothingElse() {
        Map<String, String> env = ChildEnvironment.of(RUNTIME, Map.of("PGPASSWORD", "its-own", "PGOPTIONS", "-c x=y"));
        assertThat(env).containsOnlyKeys("PATH", "HOME", "LANG", "LC_ALL", "PGPASSWORD", "PGOPTIONS");
        assertThat(env).containsEntry("PGPASSWORD", "its-own");
        assertThat(String.join(" ", env.values())).doesNotContain("secret").doesNotContain("aws");
    }

    @Test
    void throughEnvTheCommandLineStartsAfreshAndNeverCarriesAPassword() {
        List<String> cmd = ChildEnvironment.viaEnv("/usr/bin/pg_dump", List.of("--file=x"), Map.of("PGPASSFILE", "/p"));
        assertThat(cmd.get(0)).endsWith("env");
        assertThat(cmd.get(1)).isEqualTo("-i");
        assertThat(cmd).contains("PGPASSFILE=/p").endsWith("/usr/bin/pg_dump", "--file=x");
        assertThat(cmd).noneMatch(a -> a.startsWith("PGSCRIBE_"));
        assertThatThrownBy(() -> ChildEnvironment.viaEnv("/usr/bin/pg_dump", List.of(), Map.of("PGPASSWORD", "s")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aProcessBuilderLosesWhatItInherited() {
        ProcessBuilder pb = new ProcessBuilder("true");
        pb.environment().put("PGSCRIBE_SOURCE_PASSWORD", "inherited");
        ChildEnvironment.apply(pb, Map.of("PGPASSWORD", "own"));
        assertThat(pb.environment()).doesNotContainKey("PGSCRIBE_SOURCE_PASSWORD").containsEntry("PGPASSWORD", "own");
        assertThat(pb.environment().keySet()).allMatch(k -> ChildEnvironment.passes(k) || k.equals("PGPASSWORD"));
    }
}
