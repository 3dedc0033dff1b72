package io.pgscribe.base;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pgscribe.manifest.TableShape;
import io.pgscribe.pg.Pg;
import io.pgscribe.storage.DurableFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * What a restorer in ten years needs to know beside the SQL: server version, extensions
 * and their versions, encoding and collation, custom types, and the known gaps of this
 * backup (tables whose changes cannot be decoded, values the decoder cannot carry).
 */
public final class Metadata {

    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private Metadata() {
    }

    /** Reads the metadata on {@code c} (inside the base's snapshot when it matters). */
    public static ObjectNode collect(Connection c) throws SQLException {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode server = root.putObject("server");
        server.put("version", Pg.string(c, "SELECT version()"));
        server.put("versionNum", Integer.parseInt(Pg.string(c, "SHOW server_version_num")));
        server.put("systemIdentifier", Pg.string(c, "SELECT system_identifier::text FROM pg_control_system()"));
        ObjectNode db = root.putObject("database");
        int versionNum = server.get("versionNum").asInt();
        // the locale provider arrived in 15; its locale column was renamed in 17
        String provider = versionNum >= 150000 ? "datlocprovider::text" : "'c'";
        String locale = versionNum >= 170000 ? "datlocale" : versionNum >= 150000 ? "daticulocale" : "NULL::text";
        Pg.one(c, "SELECT datname, pg_encoding_to_char(encoding), datcollate, datctype, " + provider + ", " + locale
                + " FROM pg_database WHERE datname = current_database()", rs -> {
            db.put("name", rs.getString(1));
            db.put("encoding", rs.getString(2));
            db.put("collate", rs.getString(3));
            db.put("ctype", rs.getString(4));
            String p = rs.getString(5);
            db.put("localeProvider", "i".equals(p) ? "icu" : "b".equals(p) ? "builtin" : "libc");
            db.put("locale", rs.getString(6));
            return null;
        });
        ArrayNode ext = root.putArray("extensions");
        Pg.query(c, "SELECT e.extname, e.extversion, n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
                + "ORDER BY 1", rs -> ext.addObject().put("name", rs.getString(1)).put("version", rs.getString(2))
                .put("schema", rs.getString(3)));
        ArrayNode types = root.putArray("types");
        Pg.query(c, """
                SELECT n.nspname, t.typname,
                       CASE t.typtype WHEN 'e' THEN 'enum' WHEN 'd' THEN 'domain' WHEN 'c' THEN 'composite'
                                      WHEN 'r' THEN 'range' WHEN 'm' THEN 'multirange' ELSE 'base' END,
                       CASE t.typtype
                         WHEN 'e' THEN (SELECT string_agg(quote_literal(enumlabel), ', ' ORDER BY enumsortorder)
                                          FROM pg_enum WHERE enumtypid = t.oid)
                         WHEN 'd' THEN format_type(t.typbasetype, t.typtypmod)
                         WHEN 'c' THEN (SELECT string_agg(quote_ident(a.attname) || ' ' || format_type(a.atttypid, a.atttypmod), ', '
                                               ORDER BY a.attnum) FROM pg_attribute a WHERE a.attrelid = t.typrelid
                                               AND a.attnum > 0 AND NOT a.attisdropped)
                         ELSE NULL END
                  FROM pg_type t
                  JOIN pg_namespace n ON n.oid = t.typnamespace
                 WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pgscribe') AND n.nspname NOT LIKE 'pg\\_%'
                   AND t.typtype IN ('e', 'd', 'c', 'r', 'm', 'b')
                   AND (t.typtype <> 'c' OR (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c')
                   AND t.typelem = 0 AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = t.oid AND d.deptype = 'e')
                 ORDER BY 1, 2
                """, rs -> types.addObject().put("schema", rs.getString(1)).put("name", rs.getString(2))
                .put("kind", rs.getString(3)).put("definition", rs.getString(4)));
        root.put("largeObjects", Long.parseLong(Pg.string(c, "SELECT count(*) FROM pg_largeobject_metadata")));
        ArrayNode unlogged = root.putArray("unloggedTables");
        Pg.query(c, "SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                + "WHERE c.relkind IN ('r','p') AND c.relpersistence = 'u' ORDER BY 1", rs -> unlogged.add(rs.getString(1)));
        return root;
    }

    /**
     * Generated and GENERATED ALWAYS identity columns of every table, the columns whose type
     * a rendered WHERE compares in a way of its own, and the materialized views, for the capture.
     */
    public static List<TableShape> tableShapes(Connection c) throws SQLException {
        String json = Pg.string(c, """
                WITH special AS (
                    SELECT t.atttypid FROM (SELECT DISTINCT atttypid FROM pg_attribute WHERE attnum > 0 AND NOT attisdropped) t
                     WHERE pgscribe.equality_operator(t.atttypid) IS NOT NULL
                )
                SELECT coalesce(jsonb_agg(s), '[]')::text FROM (
                    SELECT DISTINCT jsonb_array_elements(pgscribe.table_shapes(c.oid)) AS s
                      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                     WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
                       AND (c.relkind IN ('m', 'p') OR (c.relkind = 'r'
                            AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0
                                           AND NOT a.attisdropped AND (a.attgenerated <> '' OR a.attidentity = 'a'
                                                OR a.atttypid IN (SELECT atttypid FROM special)))))) x
                """);
        try {
            return JSON.readValue(json, JSON.getTypeFactory().constructCollectionType(List.class, TableShape.class));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void write(ObjectNode metadata, Path file) {
        try {
            DurableFiles.ownerOnlyDirectory(file.getParent());
            DurableFiles.writeAtomically(file, JSON.writeValueAsBytes(metadata));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
