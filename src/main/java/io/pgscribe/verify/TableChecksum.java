package io.pgscribe.verify;

import io.pgscribe.server.Pg;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Per table: the row count and an order-independent checksum of the content (the sum of
 * a 64-bit hash of each row's text), computed by the server. Equal tables give equal
 * figures whatever the physical row order; a changed, missing or doubled row does not.
 */
public record TableChecksum(String table, long rows, String checksum) {

    private static final String TABLES = """
            SELECT format('%I.%I', n.nspname, c.relname)
              FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE c.relkind = 'r' AND c.relpersistence = 'p'
               AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pgscribe', 'pgscribe_restore')
               AND n.nspname NOT LIKE 'pg\\_%'
             ORDER BY 1
            """;

    /** Every user table of the database {@code c} is connected to, by name. */
    public static Map<String, TableChecksum> of(Connection c) throws SQLException {
        Map<String, TableChecksum> out = new LinkedHashMap<>();
        for (String table : Pg.query(c, TABLES, rs -> rs.getString(1))) {
            out.put(table, of(c, table));
        }
        return out;
    }

    public static TableChecksum of(Connection c, String qualifiedTable) throws SQLException {
        List<TableChecksum> r = Pg.query(c, "SELECT count(*), coalesce(sum(('x' || substr(md5(t::text), 1, 16))::bit(64)::bigint"
                + "::numeric), 0)::text FROM ONLY " + qualifiedTable + " t",
                rs -> new TableChecksum(qualifiedTable, rs.getLong(1), rs.getString(2)));
        return r.get(0);
    }
}
