-- pgscribe DDL capture objects. Installed by `pgscribe init`; safe to run again.
-- Each DDL command is logged into pgscribe.ddl_log inside its own transaction, so the
-- log row reaches the change stream at the exact place of the DDL, and the capture
-- writes the DDL itself there.

CREATE SCHEMA IF NOT EXISTS pgscribe;
COMMENT ON SCHEMA pgscribe IS 'pgscribe: DDL capture for plain-SQL incremental backups (do not edit)';
-- every role running DDL passes through the event trigger functions below
GRANT USAGE ON SCHEMA pgscribe TO PUBLIC;

CREATE TABLE IF NOT EXISTS pgscribe.ddl_log (
    id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    txid            xid8        NOT NULL DEFAULT pg_catalog.pg_current_xact_id(),
    statement_at    timestamptz NOT NULL DEFAULT pg_catalog.statement_timestamp(),
    logged_at       timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    search_path     text        NOT NULL,
    role_name       text        NOT NULL,
    command_tag     text        NOT NULL,
    object_type     text,
    object_identity text,
    query           text        NOT NULL,
    -- generated and GENERATED ALWAYS identity columns of each table the command touched
    tables          jsonb
);
REVOKE ALL ON pgscribe.ddl_log FROM PUBLIC;

-- The shape (generated / always-identity columns) of a table and every table inheriting from it.
CREATE OR REPLACE FUNCTION pgscribe.table_shapes(rel oid) RETURNS jsonb
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $fn$
    WITH RECURSIVE tree(relid) AS (
        SELECT rel
        UNION
        SELECT i.inhrelid FROM pg_inherits i JOIN tree t ON i.inhparent = t.relid
    )
    SELECT coalesce(jsonb_agg(jsonb_build_object(
               'schema', n.nspname,
               'table', c.relname,
               'generated', coalesce((SELECT jsonb_agg(a.attname ORDER BY a.attnum) FROM pg_attribute a
                                      WHERE a.attrelid = c.oid AND a.attgenerated <> '' AND NOT a.attisdropped), '[]'),
               'alwaysIdentity', coalesce((SELECT jsonb_agg(a.attname ORDER BY a.attnum) FROM pg_attribute a
                                      WHERE a.attrelid = c.oid AND a.attidentity = 'a' AND NOT a.attisdropped), '[]'))
           ORDER BY n.nspname, c.relname), '[]')
    FROM tree t
    JOIN pg_class c ON c.oid = t.relid
    JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p') AND c.relpersistence <> 't'
$fn$;

-- Writes the log row. SECURITY DEFINER so that any role's DDL can be logged; it reads the
-- command from pg_event_trigger_ddl_commands() / _dropped_objects(), which raise an error
-- outside an event trigger, so nobody can call it to put DDL into the backup that did not run.
CREATE OR REPLACE FUNCTION pgscribe.record_ddl(tag text, path text, role text, dropping boolean) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
DECLARE
    identities text;
    types text;
    skip boolean;
    shapes jsonb;
BEGIN
    IF dropping THEN
        SELECT string_agg(d.object_identity, ', ' ORDER BY d.object_identity),
               string_agg(DISTINCT d.object_type, ', '),
               coalesce(bool_and(d.is_temporary OR d.schema_name = 'pgscribe'), true)
          INTO identities, types, skip
          FROM pg_event_trigger_dropped_objects() d
         WHERE d.original;
    ELSE
        SELECT string_agg(c.object_identity, ', ' ORDER BY c.object_identity),
               string_agg(DISTINCT c.object_type, ', '),
               bool_and(c.schema_name = 'pgscribe' OR c.schema_name = 'pg_temp' OR c.schema_name LIKE 'pg\_temp\_%'),
               (SELECT coalesce(jsonb_agg(s), '[]') FROM (
                    SELECT DISTINCT jsonb_array_elements(pgscribe.table_shapes(c2.objid)) AS s
                      FROM pg_event_trigger_ddl_commands() c2
                     WHERE c2.classid = 'pg_class'::regclass AND c2.objid IS NOT NULL) x)
          INTO identities, types, skip, shapes
          FROM pg_event_trigger_ddl_commands() c;
        skip := coalesce(skip, false);
    END IF;
    IF skip THEN
        RETURN;  -- temporary objects and pgscribe's own objects are not replayed
    END IF;
    INSERT INTO pgscribe.ddl_log (search_path, role_name, command_tag, object_type, object_identity, query, tables)
    VALUES (path, role, tag, types, identities, current_query(), shapes);
END
$fn$;
REVOKE ALL ON FUNCTION pgscribe.record_ddl(text, text, text, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pgscribe.record_ddl(text, text, text, boolean) TO PUBLIC;

-- SECURITY INVOKER: reads the search_path and role the DDL ran under.
CREATE OR REPLACE FUNCTION pgscribe.on_ddl_command_end() RETURNS event_trigger
LANGUAGE plpgsql AS $fn$
BEGIN
    -- DROP statements are logged by sql_drop, which still sees what was dropped
    IF TG_TAG NOT LIKE 'DROP %' THEN
        PERFORM pgscribe.record_ddl(TG_TAG, pg_catalog.current_setting('search_path'), current_user::text, false);
    END IF;
END
$fn$;

CREATE OR REPLACE FUNCTION pgscribe.on_sql_drop() RETURNS event_trigger
LANGUAGE plpgsql AS $fn$
BEGIN
    IF TG_TAG LIKE 'DROP %' THEN
        PERFORM pgscribe.record_ddl(TG_TAG, pg_catalog.current_setting('search_path'), current_user::text, true);
    END IF;
END
$fn$;

DO $do$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_event_trigger WHERE evtname = 'pgscribe_ddl_command_end') THEN
        CREATE EVENT TRIGGER pgscribe_ddl_command_end ON ddl_command_end EXECUTE FUNCTION pgscribe.on_ddl_command_end();
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_event_trigger WHERE evtname = 'pgscribe_sql_drop') THEN
        CREATE EVENT TRIGGER pgscribe_sql_drop ON sql_drop EXECUTE FUNCTION pgscribe.on_sql_drop();
    END IF;
END
$do$;
