package io.pgscribe.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgscribe.PgscribeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsTest {

    @TempDir
    Path tmp;

    @Test
    void environmentBeatsTheFileAndFlagsBeatBoth() throws IOException {
        Path file = tmp.resolve("application.properties");
        Files.writeString(file, "pgscribe.source.host=from-file\npgscribe.source.port=6000\ncamel.main.name=x\n");
        Properties system = new Properties();
        Settings s = Settings.load(file, Map.of("pgscribe.source.port", "7000"),
                Map.of("PGSCRIBE_SOURCE_HOST", "from-env", "PGSCRIBE_SOURCE_PORT", "6500"), system);
        assertThat(s.get(Setting.SOURCE_HOST)).isEqualTo("from-env");
        assertThat(s.getInt(Setting.SOURCE_PORT)).isEqualTo(7000);
        assertThat(s.get(Setting.SLOT_NAME)).isEqualTo("pgscribe");
        assertThat(s.get("camel.main.name")).isEqualTo("x");
    }

    @Test
    void aNonNumberIsAUsageErrorNamingTheKey() {
        Settings s = Settings.load(null, Map.of("pgscribe.source.port", "fifty"), Map.of(), new Properties());
        assertThatThrownBy(() -> s.getInt(Setting.SOURCE_PORT)).isInstanceOf(PgscribeException.class)
                .hasMessageContaining("pgscribe.source.port is \"fifty\"");
    }

    /** application.properties and the README stay in step with the settings pgscribe knows. */
    @Test
    void everySettingIsCommentedInApplicationPropertiesAndListedInTheReadme() throws IOException {
        List<String> lines = Files.readAllLines(Path.of("application.properties"));
        String readme = Files.readString(Path.of("README.md"));
        for (Setting setting : Setting.values()) {
            int at = -1;
            for (int i = 0; i < lines.size(); i++) {
                if (lines.get(i).startsWith(setting.key() + "=")) {
                    at = i;
                }
            }
            assertThat(at).as(setting.key() + " in application.properties").isPositive();
            assertThat(lines.get(at - 1)).as("comment above " + setting.key()).startsWith("#");
            assertThat(lines.get(at)).as("default of " + setting.key())
                    .isEqualTo(setting.key() + "=" + setting.defaultValue());
            assertThat(readme).as(setting.key() + " in README").contains("| `" + setting.key() + "` |");
        }
        for (String line : lines) {
            if (line.startsWith("pgscribe.")) {
                String key = line.substring(0, line.indexOf('='));
                assertThat(Setting.byKey()).as("unknown key " + key + " in application.properties").containsKey(key);
            }
        }
    }

    @Test
    void aMisspelledSettingIsRefusedWithTheOneMeant() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Settings.load(null,
                        java.util.Map.of("pgscribe.segment.max-byte", "1"), java.util.Map.of(), new java.util.Properties()))
                .isInstanceOf(io.pgscribe.PgscribeException.class)
                .hasMessageContaining("unknown setting pgscribe.segment.max-byte")
                .satisfies(e -> assertThat(((io.pgscribe.PgscribeException) e).hint())
                        .contains("Did you mean pgscribe.segment.max-bytes?"));
        assertThat(Settings.load(null, java.util.Map.of("camel.main.name", "x"), java.util.Map.of(), new java.util.Properties())
                .get("camel.main.name")).isEqualTo("x");
    }

    @Test
    void eachDatabaseGetsItsOwnSlotDirectoryAndPrefixAndItsOwnSettingsOverTheSharedOnes() throws IOException {
        Path file = tmp.resolve("application.properties");
        Files.writeString(file, String.join("\n", "pgscribe.databases=orders, billing", "pgscribe.backup.dir=/var/lib/pgscribe",
                "pgscribe.s3.prefix=prod/", "pgscribe.compression=zstd", "pgscribe.database.billing.source.database=billing_prod",
                "pgscribe.database.billing.compression=gzip", "pgscribe.database.orders.slot.name=orders_slot", ""));
        Settings all = Settings.load(file, Map.of(), Map.of("PGSCRIBE_DATABASE_BILLING_SOURCE_PASSWORD", "from-env",
                "PGSCRIBE_DATABASE_ORDERS_SOURCE_HOST", "orders-db"), new Properties());
        assertThat(all.databases()).containsExactly("orders", "billing");
        assertThat(all.pipelines()).extracting(Settings::pipeline).containsExactly("orders", "billing");
        Settings orders = all.forDatabase("orders");
        Settings billing = all.forDatabase("billing");
        assertThat(orders.get(Setting.SOURCE_DATABASE)).isEqualTo("orders");
        assertThat(orders.get(Setting.SOURCE_HOST)).isEqualTo("orders-db");
        assertThat(orders.get(Setting.SLOT_NAME)).isEqualTo("orders_slot");
        assertThat(orders.get(Setting.BACKUP_DIR)).isEqualTo("/var/lib/pgscribe/orders");
        assertThat(orders.get(Setting.S3_PREFIX)).isEqualTo("prod/orders");
        assertThat(orders.get(Setting.COMPRESSION)).isEqualTo("zstd");
        assertThat(billing.get(Setting.SOURCE_DATABASE)).isEqualTo("billing_prod");
        assertThat(billing.get(Setting.SOURCE_HOST)).isEqualTo("localhost");
        assertThat(billing.get(Setting.SOURCE_PASSWORD)).isEqualTo("from-env");
        assertThat(billing.get(Setting.SLOT_NAME)).isEqualTo("pgscribe_billing");
        assertThat(billing.get(Setting.COMPRESSION)).isEqualTo("gzip");
        assertThat(orders.get(Setting.SOURCE_PASSWORD)).isEmpty();
        // a pipeline's settings are one pipeline: no per-database keys left, and it lists itself only
        assertThat(billing.asMap().keySet()).noneMatch(k -> k.startsWith(Settings.DATABASE_PREFIX));
        assertThat(billing.pipelines()).containsExactly(billing);
        assertThat(Settings.load(null, Map.of(), Map.of(), new Properties()).pipelines()).hasSize(1)
                .allMatch(p -> p.pipeline() == null);
    }

    @Test
    void aDatabaseListedByAFlagStillGetsItsSecretFromTheEnvironmentAndAFlagBeatsIt() {
        Map<String, String> env = Map.of("PGSCRIBE_DATABASE_SHOP_SOURCE_PASSWORD", "from-env",
                "PGSCRIBE_DATABASE_SHOP_SOURCE_HOST", "env-host");
        Settings s = Settings.load(null, Map.of("pgscribe.databases", "shop", "pgscribe.database.shop.source.host", "flag-host"),
                env, new Properties()).forDatabase("shop");
        assertThat(s.get(Setting.SOURCE_PASSWORD)).isEqualTo("from-env");
        assertThat(s.get(Setting.SOURCE_HOST)).isEqualTo("flag-host");
    }

    @Test
    void perDatabaseMistakesAreRefusedWithTheNameMeant() {
        assertThatThrownBy(() -> Settings.load(null, Map.of("pgscribe.databases", "orders,billing",
                "pgscribe.database.biling.slot.name", "x"), Map.of(), new Properties()))
                .isInstanceOf(PgscribeException.class).hasMessageContaining("pgscribe.databases does not list")
                .satisfies(e -> assertThat(((PgscribeException) e).hint()).contains("pgscribe.database.billing.slot.name"));
        assertThatThrownBy(() -> Settings.load(null, Map.of("pgscribe.databases", "orders",
                "pgscribe.database.orders.slot.nmae", "x"), Map.of(), new Properties()))
                .isInstanceOf(PgscribeException.class).hasMessageContaining("unknown setting pgscribe.database.orders.slot.nmae")
                .satisfies(e -> assertThat(((PgscribeException) e).hint()).contains("pgscribe.database.orders.slot.name"));
        assertThatThrownBy(() -> Settings.load(null, Map.of("pgscribe.databases", "Orders-EU"), Map.of(), new Properties()))
                .isInstanceOf(PgscribeException.class).hasMessageContaining("not a pipeline name")
                .satisfies(e -> assertThat(((PgscribeException) e).hint()).contains("pgscribe.database.orders_eu.source.database"));
        assertThatThrownBy(() -> Settings.load(null, Map.of("pgscribe.databases", "a,a"), Map.of(), new Properties()))
                .isInstanceOf(PgscribeException.class).hasMessageContaining("names a twice");
        assertThatThrownBy(() -> Settings.load(null, Map.of("pgscribe.databases", "a"), Map.of(), new Properties())
                .forDatabase("b")).isInstanceOf(PgscribeException.class).hasMessageContaining("no database b");
    }

    @Test
    void configShowsAWebhookOnlyToItsHostAndNoSecretAtAll() {
        assertThat(Setting.ALERT_WEBHOOKS.shown("slack=https://hooks.slack.com/services/T000/B000/XXXXSECRET,"
                + "json=http://user:pw@127.0.0.1:8080/hook?token=abc,teams=https://example.org"))
                .isEqualTo("slack=https://hooks.slack.com/(not shown),json=http://127.0.0.1:8080/(not shown),"
                        + "teams=https://example.org")
                .doesNotContain("SECRET").doesNotContain("pw").doesNotContain("token");
        assertThat(Setting.ALERT_WEBHOOKS.shown("json=not a url secret")).isEqualTo("json=(not shown)");
        assertThat(Setting.S3_SECRET_KEY.shown("abc")).isEqualTo("(set, not shown)");
        assertThat(Setting.SOURCE_HOST.shown("db.internal")).isEqualTo("db.internal");
        assertThat(Setting.ALERT_WEBHOOKS.shown("")).isEmpty();
    }
}
