package io.pgscribe.runtime;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgscribe.PgscribeException;
import io.pgscribe.config.Settings;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** Pipelines that would write into each other's backup are refused before anything starts. */
class PipelinesConfigTest {

    @Test
    void twoDatabasesCannotShareABackupDirectory() {
        Settings s = Settings.load(null, Map.of("pgscribe.databases", "orders,billing",
                "pgscribe.database.billing.backup.dir", "backup/orders"), Map.of(), new Properties());
        assertThatThrownBy(() -> PgscribeRuntime.create(s)).isInstanceOf(PgscribeException.class)
                .hasMessageContaining("databases orders and billing both have the backup directory");
    }

    @Test
    void twoDatabasesCannotShareASlotOfOneServer() {
        Settings s = Settings.load(null, Map.of("pgscribe.databases", "orders,billing",
                "pgscribe.database.billing.slot.name", "pgscribe_orders"), Map.of(), new Properties());
        assertThatThrownBy(() -> PgscribeRuntime.create(s)).isInstanceOf(PgscribeException.class)
                .hasMessageContaining("both use the slot localhost:5432/pgscribe_orders");
    }
}
