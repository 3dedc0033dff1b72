package io.pgscribe.verify;

import io.pgscribe.pg.Pg;
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

    /**
     * Every user table of the database {@code c} is connected to, by name. Runs as a superuser on
     * the live source (init, every base) and on restores, over tables any role may have made: so
     * no name resolves through the session's search_path, and a row becomes text through its
     * type's output function ({@code record_out}), never through a cast a role could create. The
     * row is {@code t.*}: a bare {@code t} would be a column of that name where the table has one.
     */
    public static Map<String, TableChecksum> of(Connection c) throws SQLException {
        String searchPath = Pg.string(c, "SELECT pg_catalog.current_setting('search_path')");
        Pg.execute(c, "SET search_path = pg_catalog, pg_temp");
        try {
            Map<String, TableChecksum> out = new LinkedHashMap<>();
            for (String table : Pg.query(c, TABLES, rs -> rs.getString(1))) {
                out.put(table, of(c, table));
            }
            return out;
        } finally {
            Pg.query(c, "SELECT pg_catalog.set_config('search_path', ?, false)", rs -> 1, searchPath);
        }
    }

    static TableChecksum of(Connection c, String qualifiedTable) throws SQLException {
        List<TableChecksum> r = Pg.query(c, "SELECT pg_catalog.count(*), coalesce(pg_catalog.sum(("
                + "'x' OPERATOR(pg_catalog.||) pg_catalog.substr(pg_catalog.md5(pg_catalog.textin(pg_catalog.record_out(t.*))), 1, 16))"
                + "::pg_catalog.bit(64)::pg_catalog.int8::pg_catalog.numeric), 0)::pg_catalog.text FROM ONLY " + qualifiedTable + " t",
                rs -> new TableChecksum(qualifiedTable, rs.getLong(1), rs.getString(2)));
        return r.get(0);
    }
}
