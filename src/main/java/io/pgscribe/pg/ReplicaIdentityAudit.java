package io.pgscribe.pg;

import io.pgscribe.sql.SqlText;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * Finds tables whose UPDATE and DELETE cannot be decoded: no primary key with identity
 * DEFAULT, identity NOTHING, or USING INDEX on an index that is gone. wal2json drops
 * those changes with only a server WARNING, which in a backup is silent data loss.
 */
public final class ReplicaIdentityAudit {

    /** What init does about the tables found. */
    public enum Mode {
        /** Refuse while any exist (default). */
        REFUSE,
        /** Set REPLICA IDENTITY FULL on them. */
        FULL,
        /** Go on, recording them in the metadata as a known gap. */
        IGNORE
    }

    public record Gap(String schema, String table, String identity) {
        public String qualified() {
            return SqlText.qualified(schema, table);
        }
    }

    private static final String QUERY = """
            SELECT n.nspname, c.relname,
                   CASE c.relreplident WHEN 'd' THEN 'default (no primary key)' WHEN 'n' THEN 'nothing'
                        WHEN 'i' THEN 'using index (index gone)' ELSE c.relreplident::text END
              FROM pg_class c
              JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE c.relkind = 'r' AND c.relpersistence = 'p'
               AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pgscribe')
               AND n.nspname NOT LIKE 'pg\\_toast%'
               AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                                  AND d.objid = c.oid AND d.deptype = 'e')
               AND (   (c.relreplident = 'd' AND NOT EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary))
                    OR c.relreplident = 'n'
                    OR (c.relreplident = 'i' AND NOT EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisreplident)))
             ORDER BY 1, 2
            """;

    public static List<Gap> find(Connection c) throws SQLException {
        return Pg.query(c, QUERY, rs -> new Gap(rs.getString(1), rs.getString(2), rs.getString(3)));
    }

    /** Sets REPLICA IDENTITY FULL on each table. */
    public static void setFull(Connection c, List<Gap> gaps) throws SQLException {
        for (Gap g : gaps) {
            Pg.execute(c, "ALTER TABLE " + g.qualified() + " REPLICA IDENTITY FULL");
        }
    }

    /**
     * Numeric and float columns: wal2json 2.5 writes NaN and ±Infinity in them as null
     * (JSON has no such numbers). Listed so the operator knows.
     */
    public static List<String> specialNumberColumns(Connection c) throws SQLException {
        return Pg.query(c, """
                SELECT format('%I.%I.%I', n.nspname, c.relname, a.attname)
                  FROM pg_attribute a
                  JOIN pg_class c ON c.oid = a.attrelid
                  JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
                   AND a.atttypid IN ('numeric'::regtype, 'real'::regtype, 'double precision'::regtype)
                   AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pgscribe')
                 ORDER BY 1
                """, rs -> rs.getString(1));
    }
}
