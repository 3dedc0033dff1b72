package io.pgscribe.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgscribe.ExitCode;
import io.pgscribe.PgscribeException;
import io.pgscribe.testing.Pipeline;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class SettingsCheckTest {

    private static Settings with(Map<String, String> values) {
        return Settings.load(null, values, Map.of(), new Properties());
    }

    @Test
    void theDefaultsPass() {
        assertThat(SettingsCheck.problems(Settings.defaults())).isEmpty();
    }

    @Test
    void aUnixSocketDirectoryAsHostIsRefusedWithWhatToUseInstead() {
        assertThat(SettingsCheck.problems(with(Map.of("pgscribe.source.host", "/var/run/postgresql")))).singleElement()
                .asString().contains("pgscribe.source.host is \"/var/run/postgresql\": that is a Unix-domain socket directory")
                .contains("use localhost");
        assertThat(SettingsCheck.hostProblem("@abstract")).isNotNull();
        assertThat(SettingsCheck.hostProblem("db.example.com")).isNull();
        assertThat(SettingsCheck.hostProblem("::1")).isNull();
    }

    @Test
    void everyWrongSettingIsNamedAtOnce() {
        Settings s = with(Map.of("pgscribe.segment.max-bytes", "-5", "pgscribe.spool.rotate-bytes", "0",
                "pgscribe.ship.part-size", "1000", "pgscribe.backup.dir", " ", "pgscribe.ship.enabled", "yes",
                "pgscribe.source.port", "70000", "pgscribe.alert.repeat-interval", "-1"));
        assertThatThrownBy(() -> SettingsCheck.require(s)).isInstanceOfSatisfying(PgscribeException.class, e -> {
            assertThat(e.exitCode()).isEqualTo(ExitCode.USAGE);
            assertThat(e.getMessage()).contains("7 settings are wrong")
                    .contains("pgscribe.segment.max-bytes is -5; it must be more than 0")
                    .contains("pgscribe.spool.rotate-bytes is 0")
                    .contains("pgscribe.ship.part-size is 1000; S3 parts are 5242880 bytes")
                    .contains("pgscribe.backup.dir is empty; name the backup directory")
                    .contains("pgscribe.ship.enabled is \"yes\"; it must be true or false")
                    .contains("pgscribe.source.port is 70000; a port is 1 to 65535")
                    .contains("pgscribe.alert.repeat-interval is -1; it must be 0 or more");
        });
    }

    @Test
    void retentionAndLargeNumbersAreToldOnceAndRight() {
        // once "0 or more" and then "1 or more" for the same setting: one rule, said the first time
        assertThat(SettingsCheck.problems(with(Map.of("pgscribe.retention.point-in-time-days", "0"))))
                .containsExactly("pgscribe.retention.point-in-time-days is 0; it must be more than 0");
        assertThat(SettingsCheck.problems(with(Map.of("pgscribe.retention.bases-days", "99999999999999999999"))))
                .containsExactly("pgscribe.retention.bases-days is \"99999999999999999999\"; that is too large");
        assertThat(SettingsCheck.problems(with(Map.of("pgscribe.retention.monthly-bases", "3000000000"))))
                .containsExactly("pgscribe.retention.monthly-bases is 3000000000; that is too large (at most 2147483647)");
        // a byte count may be larger than an int
        assertThat(SettingsCheck.problems(with(Map.of("pgscribe.segment.max-bytes", "5000000000")))).isEmpty();
    }

    @Test
    void cronExpressionsAreParsedByQuartzWithAHintForTheUnixForm() {
        assertThat(SettingsCheck.cronProblem("0 0 2 * * ?")).isNull();
        assertThat(SettingsCheck.cronProblem("0+0+2+*+*+?")).isNull(); // Camel's URI form
        assertThat(SettingsCheck.cronProblem("every day at 2")).contains("not a Quartz cron expression")
                .contains("\"0 0 2 * * ?\"");
        assertThat(SettingsCheck.cronProblem("30 2 * * *")).contains("5-field Unix cron").contains("\"0 30 2 * * ?\"");
        // Unix day 1 is Monday, Quartz's day 1 Sunday
        assertThat(SettingsCheck.cronProblem("0 3 * * 1")).contains("\"0 0 3 ? * MON\"");
        assertThat(SettingsCheck.cronProblem("0 3 * * 1-5")).contains("\"0 0 3 ? * MON-FRI\"");
        assertThat(SettingsCheck.cronProblem("0 3 * * 0,6")).contains("\"0 0 3 ? * SUN,SAT\"");
        assertThat(SettingsCheck.cronProblem("*/15 * * * *")).contains("\"0 */15 * * * ?\"");
        assertThat(SettingsCheck.cronProblem("")).contains("never run");
        // the suggested form is itself valid
        assertThat(SettingsCheck.cronProblem("0 30 2 * * ?")).isNull();
        assertThat(SettingsCheck.cronProblem("0 0 3 ? * MON")).isNull();
        assertThat(SettingsCheck.cronProblem("0 0 3 ? * MON-FRI")).isNull();
    }

    @Test
    void everyCommandRefusesThemBeforeItStarts() {
        Pipeline.Cli run = Pipeline.command("-s", "pgscribe.base.cron=every day at 2", "run");
        assertThat(run.code()).isEqualTo(ExitCode.USAGE);
        assertThat(run.err()).contains("pgscribe.base.cron is \"every day at 2\"");
        // status answers a monitoring system: a check that cannot run is UNKNOWN (3), not CRITICAL (2)
        Pipeline.Cli status = Pipeline.command("-s", "pgscribe.segment.max-bytes=-1", "status");
        assertThat(status.code()).isEqualTo(3);
        assertThat(status.out()).startsWith("UNKNOWN").contains("pgscribe.segment.max-bytes");
    }
}
