package io.pgscribe.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgscribe.pg.LocalCluster;
import io.pgscribe.pg.Pg;
import java.sql.Connection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(PgClusterExtension.class)
class LocalClusterIT {

    @Test
    void aThrowawayClusterIsLogicalAndWantsAPassword(LocalCluster cluster) throws Exception {
        try (Connection c = Pg.connect(cluster.connection("postgres"), "test")) {
            assertThat(Pg.string(c, "SHOW wal_level")).isEqualTo("logical");
            assertThat(Pg.string(c, "SHOW TimeZone")).isEqualTo("UTC");
            assertThat(Pg.string(c, "SELECT count(*) FROM pg_hba_file_rules WHERE auth_method = 'trust'")).isEqualTo("0");
        }
    }
}
