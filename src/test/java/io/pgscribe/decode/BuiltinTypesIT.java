package io.pgscribe.decode;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgscribe.pg.Pg;
import io.pgscribe.pg.PgServer;
import io.pgscribe.testing.PgClusterExtension;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The OIDs rendering relies on are those the server gives its built-in types. */
@ExtendWith(PgClusterExtension.class)
class BuiltinTypesIT {

    @Test
    void everyNamedOidIsThatTypeOnTheServerAndNoBuiltinTypeIsMissed(PgServer server) throws Exception {
        Map<Integer, String> named = new HashMap<>();
        try (Connection c = Pg.connect(server.connection("postgres"), "test");
             PreparedStatement st = c.prepareStatement("SELECT oid::int, format_type(oid, NULL) FROM pg_type WHERE oid < 16384");
             ResultSet rs = st.executeQuery()) {
            while (rs.next()) {
                String name = BuiltinTypes.name(rs.getInt(1));
                if (name != null) {
                    assertThat(name).as("type OID %d", rs.getInt(1)).isEqualTo(rs.getString(2));
                    named.put(rs.getInt(1), name);
                }
            }
        }
        // the base types rendering tells apart, each with its array type
        assertThat(named.values()).containsExactlyInAnyOrder("bytea", "bytea[]", "real", "real[]", "double precision",
                "double precision[]", "json", "json[]", "xml", "xml[]", "point", "point[]", "lseg", "lseg[]", "path", "path[]",
                "box", "box[]", "polygon", "polygon[]", "line", "line[]", "circle", "circle[]", "txid_snapshot",
                "txid_snapshot[]", "pg_snapshot", "pg_snapshot[]", "jsonpath", "jsonpath[]");
        assertThat(BuiltinTypes.name(23)).isNull();
        assertThat(BuiltinTypes.name(16384)).isNull();
    }
}
