package io.pgscribe.ddl;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgscribe.decode.Change;
import io.pgscribe.render.RenderException;
import io.pgscribe.decode.Column;
import io.pgscribe.manifest.TableShape;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One row of {@code pgscribe.ddl_log}, as it arrives in the change stream at the place
 * of the DDL it describes. {@code standardConformingStrings} is null for a row the DDL
 * capture of a pgscribe before 0.2 logged: it recorded neither that setting nor the role in
 * a way a role could not forge.
 */
public record DdlEvent(
        long id,
        String event,
        String txid,
        String statementAt,
        String searchPath,
        String role,
        String commandTag,
        String objectType,
        String objectIdentity,
        String query,
        String context,
        boolean skip,
        String definition,
        List<TableShape> tables,
        Boolean standardConformingStrings) {

    public static final String COMMAND_END = "ddl_command_end";
    public static final String COMMAND_START = "ddl_command_start";
    public static final String SQL_DROP = "sql_drop";

    public static final String SCHEMA = "pgscribe";
    public static final String TABLE = "ddl_log";

    private static final ObjectMapper JSON = new ObjectMapper()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    public static boolean isLogTable(String schema, String table) {
        return SCHEMA.equals(schema) && TABLE.equals(table);
    }

    /** Reads the event from a decoded INSERT into the log table (wal2json). */
    public static DdlEvent from(Change.Insert insert) {
        Map<String, String> v = new HashMap<>();
        for (Column c : insert.columns()) {
            v.put(c.name(), c.text());
        }
        return fromValues(v);
    }

    /** Reads the event from column values by name; {@code tables} is the jsonb text. */
    public static DdlEvent fromValues(Map<String, String> v) {
        String query = v.get("query");
        String tag = v.get("command_tag");
        if (query == null || tag == null) {
            throw new RenderException("pgscribe.ddl_log row without query or command_tag: " + v.get("id"));
        }
        List<TableShape> tables = List.of();
        String json = v.get("tables");
        if (json != null && !json.isBlank()) {
            try {
                tables = JSON.readValue(json, new TypeReference<List<TableShape>>() { });
            } catch (Exception e) {
                throw new RenderException("pgscribe.ddl_log row " + v.get("id") + " has unreadable tables: " + e.getMessage());
            }
        }
        String id = v.get("id");
        String event = v.get("event");
        String scs = v.get("standard_conforming_strings");
        return new DdlEvent(id == null ? 0 : Long.parseLong(id), event == null ? COMMAND_END : event, v.get("txid"),
                v.get("statement_at"), v.get("search_path"), v.get("role_name"), tag, v.get("object_type"),
                v.get("object_identity"), query, v.get("context"), "true".equals(v.get("skip")) || "t".equals(v.get("skip")),
                v.get("definition"), tables, scs == null ? null : !"off".equals(scs));
    }

    /** Logged by the DDL capture of a pgscribe before 0.2, whose role and search_path could be forged. */
    public boolean isLegacy() {
        return standardConformingStrings == null;
    }

    /** This ddl_command_end firing, with what the sql_drop firing before it saw being dropped. */
    public DdlEvent withDropped(DdlEvent drop) {
        return new DdlEvent(id, event, txid, statementAt, searchPath, role, commandTag, drop.objectType(),
                drop.objectIdentity(), query, context, skip || drop.skip(), definition, tables, standardConformingStrings);
    }

    /** CREATE TABLE AS and SELECT INTO: their rows arrive before the firing that describes the table. */
    public boolean createsTableWithRows() {
        return "CREATE TABLE AS".equals(commandTag) || "SELECT INTO".equals(commandTag);
    }

    /** Commands whose new relation's rows are decoded before their own firing (held back until it). */
    public boolean endsHeldRows() {
        return createsTableWithRows() || "CREATE MATERIALIZED VIEW".equals(commandTag);
    }

    /** Several firings of one query string (several statements sent at once) share this key. */
    public String queryKey() {
        return txid + '\u0000' + statementAt + '\u0000' + query;
    }

    /** Subscriptions connect to another server and create slots there: never replayed. */
    public boolean isSubscription() {
        return commandTag.endsWith(" SUBSCRIPTION");
    }
}
