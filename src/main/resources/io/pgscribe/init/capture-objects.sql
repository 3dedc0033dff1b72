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
    tables          jsonb
);
-- ddl_command_end (one row per firing), sql_drop (what a DROP removed), ddl_command_start (CREATE TABLE AS)
ALTER TABLE pgscribe.ddl_log ADD COLUMN IF NOT EXISTS event text NOT NULL DEFAULT 'ddl_command_end';
-- the call stack below the event trigger: empty at top level, else the function or DO block the DDL ran in
ALTER TABLE pgscribe.ddl_log ADD COLUMN IF NOT EXISTS context text;
-- temporary objects and pgscribe's own: logged to keep the firings in order, never replayed
ALTER TABLE pgscribe.ddl_log ADD COLUMN IF NOT EXISTS skip boolean NOT NULL DEFAULT false;
-- CREATE TABLE AS / SELECT INTO: the new table's columns (its rows are in the stream)
ALTER TABLE pgscribe.ddl_log ADD COLUMN IF NOT EXISTS definition text;
-- the author's standard_conforming_strings: how the query text reads (null in rows of older capture objects)
ALTER TABLE pgscribe.ddl_log ADD COLUMN IF NOT EXISTS standard_conforming_strings text;
REVOKE ALL ON pgscribe.ddl_log FROM PUBLIC;

-- pgscribe's settings inside the database, read by the event triggers
CREATE TABLE IF NOT EXISTS pgscribe.settings (name text PRIMARY KEY, value text NOT NULL);
INSERT INTO pgscribe.settings VALUES ('new_tables_replica_identity_full', 'on') ON CONFLICT (name) DO NOTHING;
-- 2: the author's role and standard_conforming_strings recorded so that no role can forge them
-- 3: DDL run by an extension's script is never replayed on its own (its CREATE EXTENSION replays it)
-- 4: FULL identity rows compared by their text where = is absent or looser (equality_operator);
--    the tables given REPLICA IDENTITY FULL recorded (identity_full), for uninstall
INSERT INTO pgscribe.settings VALUES ('capture_objects_version', '4')
    ON CONFLICT (name) DO UPDATE SET value = excluded.value;
REVOKE ALL ON pgscribe.settings FROM PUBLIC;

-- Tables pgscribe gave REPLICA IDENTITY FULL (init --replica-identity=full, and the event trigger
-- for a new table without a key): uninstall sets them back to DEFAULT. Not in the stream.
CREATE TABLE IF NOT EXISTS pgscribe.identity_full (
    relid  oid         PRIMARY KEY,
    set_at timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp()
);
REVOKE ALL ON pgscribe.identity_full FROM PUBLIC;

-- Sequence values sampled by the capture runtime; each row becomes setval() calls in the stream.
CREATE TABLE IF NOT EXISTS pgscribe.sequence_log (
    id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sampled_at timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    sequences  jsonb       NOT NULL
);
REVOKE ALL ON pgscribe.sequence_log FROM PUBLIC;

-- An identifier, always quoted: a name that is a plain word today may be a keyword later.
CREATE OR REPLACE FUNCTION pgscribe.qi(name text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT SET search_path = pg_catalog, pg_temp SET standard_conforming_strings = on AS $fn$
    SELECT '"' || replace(name, '"', '""') || '"'
$fn$;

-- How a value of type t is compared for equality in a rendered WHERE, when the type's name alone
-- does not tell the renderer (pg_catalog's own types it knows by name): NULL for pg_catalog's
-- equality (domains over pg_catalog's types that have one, enums, ranges, arrays of those);
-- ['', 'text'] to compare its text output alone (composites, whose text no role's cast can stand
-- for; types with no equality, like a domain over json, or txid_snapshot; arrays of those); else
-- the schema and name of its default btree (else hash) equality operator. Written as
-- OPERATOR(schema.name), it resolves through no search_path. (A FULL identity row is matched by
-- its text too in every column but a boolean: the renderer adds that.)
-- The type a domain is over, through every level of domains.
CREATE OR REPLACE FUNCTION pgscribe.base_type(t oid) RETURNS oid
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp SET standard_conforming_strings = on AS $fn$
    WITH RECURSIVE base(oid, depth) AS (
        SELECT t, 0
        UNION ALL
        SELECT ty.typbasetype, b.depth + 1 FROM base b JOIN pg_type ty ON ty.oid = b.oid
         WHERE ty.typtype = 'd' AND b.depth < 32
    )
    SELECT oid FROM base ORDER BY depth DESC LIMIT 1
$fn$;

-- A type's default btree (else hash) equality operator, as [schema, name]; NULL when it has none.
CREATE OR REPLACE FUNCTION pgscribe.default_equality(b oid) RETURNS jsonb
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp SET standard_conforming_strings = on AS $fn$
    SELECT jsonb_build_array(n.nspname, o.oprname)
      FROM pg_opclass oc
      JOIN pg_am am ON am.oid = oc.opcmethod
      JOIN pg_amop ao ON ao.amopfamily = oc.opcfamily AND ao.amoplefttype = b AND ao.amoprighttype = b
                     AND ao.amopstrategy = CASE am.amname WHEN 'btree' THEN 3 ELSE 1 END
      JOIN pg_operator o ON o.oid = ao.amopopr
      JOIN pg_namespace n ON n.oid = o.oprnamespace
     WHERE oc.opcdefault AND oc.opcintype = b AND am.amname IN ('btree', 'hash')
     ORDER BY am.amname = 'btree' DESC LIMIT 1
$fn$;

CREATE OR REPLACE FUNCTION pgscribe.equality_operator(t oid) RETURNS jsonb
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp SET standard_conforming_strings = on AS $fn$
    SELECT CASE
        WHEN b.typtype = 'c' THEN jsonb_build_array('', 'text')
        WHEN b.typcategory = 'A' AND b.typelem <> 0 THEN
            (SELECT CASE WHEN e.typtype = 'c' OR (e.typtype NOT IN ('e', 'r', 'm') AND pgscribe.default_equality(e.oid) IS NULL)
                         THEN jsonb_build_array('', 'text') END
               FROM pg_type e WHERE e.oid = pgscribe.base_type(b.typelem))
        WHEN b.typtype IN ('e', 'r', 'm') THEN NULL
        WHEN b.typnamespace = 'pg_catalog'::regnamespace THEN
            CASE WHEN pgscribe.default_equality(b.oid) IS NULL THEN jsonb_build_array('', 'text') END
        ELSE coalesce(pgscribe.default_equality(b.oid), jsonb_build_array('', 'text'))
    END
    FROM pg_type b WHERE b.oid = pgscribe.base_type(t)
$fn$;

-- The shape of a table and every table inheriting from it: generated and always-identity
-- columns, how columns of types from outside pg_catalog compare, and whether it is a materialized
-- view (its rows are never written, its DDL is).
CREATE OR REPLACE FUNCTION pgscribe.table_shapes(rel oid) RETURNS jsonb
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp SET standard_conforming_strings = on AS $fn$
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
                                      WHERE a.attrelid = c.oid AND a.attidentity = 'a' AND NOT a.attisdropped), '[]'),
               'equality', (SELECT jsonb_object_agg(a.attname, pgscribe.equality_operator(a.atttypid)) FROM pg_attribute a
                             WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                               AND pgscribe.equality_operator(a.atttypid) IS NOT NULL),
               'kind', CASE c.relkind WHEN 'm' THEN 'matview' WHEN 'p' THEN 'partitioned' ELSE 'table' END)
           ORDER BY n.nspname, c.relname), '[]')
    FROM tree t
    JOIN pg_class c ON c.oid = t.relid
    JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p', 'm') AND c.relpersistence <> 't'
$fn$;

-- CREATE TABLE from the catalog: for CREATE TABLE AS / SELECT INTO (whose rows are in the
-- stream), and for a table created where PostgreSQL reports no statement text (an SQL function).
CREATE OR REPLACE FUNCTION pgscribe.table_definition(rel oid) RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp SET standard_conforming_strings = on AS $fn$
    SELECT 'CREATE ' || CASE c.relpersistence WHEN 'u' THEN 'UNLOGGED ' ELSE '' END || 'TABLE '
           || pgscribe.qi(n.nspname) || '.' || pgscribe.qi(c.relname)
           || CASE WHEN c.relispartition THEN
                  ' PARTITION OF ' || (SELECT pgscribe.qi(pn.nspname) || '.' || pgscribe.qi(p.relname)
                                         FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhparent
                                         JOIN pg_namespace pn ON pn.oid = p.relnamespace WHERE i.inhrelid = c.oid)
                  || ' ' || pg_get_expr(c.relpartbound, c.oid)
              ELSE ' (' || concat_ws(', ',
                  (SELECT string_agg(pgscribe.qi(a.attname) || ' ' || format_type(a.atttypid, a.atttypmod)
                          || CASE WHEN a.attcollation <> 0 AND a.attcollation <> t.typcollation
                                  THEN ' COLLATE ' || a.attcollation::regcollation::text ELSE '' END
                          || CASE WHEN a.attgenerated = 's' THEN ' GENERATED ALWAYS AS (' || pg_get_expr(d.adbin, d.adrelid) || ') STORED'
                                  WHEN d.adbin IS NOT NULL THEN ' DEFAULT ' || pg_get_expr(d.adbin, d.adrelid) ELSE '' END
                          || CASE a.attidentity WHEN 'a' THEN ' GENERATED ALWAYS AS IDENTITY'
                                                WHEN 'd' THEN ' GENERATED BY DEFAULT AS IDENTITY' ELSE '' END
                          || CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END,
                          ', ' ORDER BY a.attnum)
                     FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
                     LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
                    WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped),
                  (SELECT string_agg('CONSTRAINT ' || pgscribe.qi(k.conname) || ' ' || pg_get_constraintdef(k.oid), ', '
                                     ORDER BY k.contype DESC, k.conname)
                     FROM pg_constraint k WHERE k.conrelid = c.oid AND k.contype IN ('p', 'u', 'c', 'f', 'x')))
                  || ')'
              END
           || CASE WHEN c.relkind = 'p' THEN ' PARTITION BY ' || pg_get_partkeydef(c.oid) ELSE '' END
           || CASE WHEN c.reloptions IS NOT NULL THEN ' WITH (' || array_to_string(c.reloptions, ', ') || ')' ELSE '' END
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.oid = rel
$fn$;

-- The definition of the object a command created, from the catalog, where one can be built.
CREATE OR REPLACE FUNCTION pgscribe.object_definition(tag text, objid oid) RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp SET standard_conforming_strings = on AS $fn$
    SELECT CASE
        WHEN tag IN ('CREATE TABLE', 'CREATE TABLE AS', 'SELECT INTO') THEN pgscribe.table_definition(objid)
        WHEN tag = 'CREATE INDEX' THEN pg_get_indexdef(objid)
        WHEN tag = 'CREATE VIEW' THEN (SELECT 'CREATE VIEW ' || pgscribe.qi(n.nspname) || '.' || pgscribe.qi(c.relname)
                                              || ' AS ' || pg_get_viewdef(c.oid)
                                         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = objid)
        WHEN tag IN ('CREATE FUNCTION', 'CREATE PROCEDURE') THEN pg_get_functiondef(objid)
    END
$fn$;

-- Writes the log row of a ddl_command_end or sql_drop firing. SECURITY DEFINER so that any
-- role's DDL can be logged; it reads the command from pg_event_trigger_ddl_commands() /
-- _dropped_objects(), which raise an error outside an event trigger, and checks that its caller
-- is pgscribe's event trigger function, so nobody can call it to put DDL into the backup that did
-- not run. The restore replays the DDL as the role recorded here.
DROP FUNCTION IF EXISTS pgscribe.record_ddl(text, text, text, boolean);
CREATE OR REPLACE FUNCTION pgscribe.record_ddl(tag text, path text, scs text, role name, dropping boolean) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET standard_conforming_strings = on AS $fn$
DECLARE
    identities text;
    types text;
    skip boolean;
    shapes jsonb;
    def text;
    ctx text;
    collected bigint;
    nested boolean;
    own boolean;
    fix text;
    r record;
BEGIN
    GET DIAGNOSTICS ctx = PG_CONTEXT;
    -- called by pgscribe's event trigger function itself and by nothing else: the frames above this
    -- one are exactly its PERFORM (one line, no newline a caller could fake frames with), then it
    IF split_part(ctx, E'\n', 1) !~ '^PL/pgSQL function pgscribe\.record_ddl\(text,text,text,name,boolean\) line \d+ at GET DIAGNOSTICS$'
       OR split_part(ctx, E'\n', 2) NOT IN (
              'SQL statement "SELECT pgscribe.record_ddl(TG_TAG, pg_catalog.current_setting(''search_path''), pg_catalog.current_setting(''standard_conforming_strings''), current_user, false)"',
              'SQL statement "SELECT pgscribe.record_ddl(TG_TAG, pg_catalog.current_setting(''search_path''), pg_catalog.current_setting(''standard_conforming_strings''), current_user, true)"')
       OR split_part(ctx, E'\n', 3) !~ '^PL/pgSQL function pgscribe\.on_(ddl_command_end|sql_drop)\(\) line \d+ at PERFORM$' THEN
        RAISE EXCEPTION 'pgscribe.record_ddl is called only by pgscribe''s event triggers';
    END IF;
    -- frames below the event trigger's own: the DDL ran inside a function, DO block or other command
    nested := position(E'\n' IN substr(ctx, greatest(position('pgscribe.on_ddl_command_end()' IN ctx),
                                                       position('pgscribe.on_sql_drop()' IN ctx)))) > 0;
    -- this function's own ALTER TABLE ... REPLICA IDENTITY FULL (below), logged on its own
    own := ctx ~ E'\nPL/pgSQL function pgscribe\\.record_ddl\\(text,text,text,name,boolean\\) line \\d+ at EXECUTE(\n|$)';
    -- a table pgscribe gave FULL identity that its owner alters (its identity among what may change) or drops:
    -- no longer pgscribe's to set back at uninstall
    IF dropping THEN
        DELETE FROM pgscribe.identity_full f USING pg_event_trigger_dropped_objects() d
         WHERE d.classid = 'pg_class'::regclass AND d.objid = f.relid;
    ELSIF NOT own THEN
        DELETE FROM pgscribe.identity_full f USING pg_event_trigger_ddl_commands() d
         WHERE d.classid = 'pg_class'::regclass AND d.objid = f.relid AND d.command_tag = 'ALTER TABLE';
    END IF;
    IF dropping THEN
        SELECT string_agg(d.object_identity, ', ' ORDER BY d.object_identity),
               string_agg(DISTINCT d.object_type, ', '),
               coalesce(bool_and(d.is_temporary OR d.schema_name = 'pgscribe'), false)
          INTO identities, types, skip
          FROM pg_event_trigger_dropped_objects() d
         WHERE d.original;
    ELSE
        SELECT string_agg(c.object_identity, ', ' ORDER BY c.object_identity),
               string_agg(DISTINCT c.object_type, ', '),
               -- an extension's script (run as the bootstrap superuser for a trusted extension): its
               -- CREATE EXTENSION replays it; its firings never run as DDL of their own
               coalesce(bool_and(c.schema_name = 'pgscribe' OR c.schema_name = 'pg_temp' OR c.schema_name LIKE 'pg\_temp\_%'), false)
                   OR coalesce(bool_or(c.in_extension), false),
               (SELECT coalesce(jsonb_agg(s), '[]') FROM (
                    SELECT DISTINCT jsonb_array_elements(pgscribe.table_shapes(c2.objid)) AS s
                      FROM pg_event_trigger_ddl_commands() c2
                     WHERE c2.classid = 'pg_class'::regclass AND c2.objid IS NOT NULL) x)
          INTO identities, types, skip, shapes
          FROM pg_event_trigger_ddl_commands() c;
        -- nothing collected inside another command: its internals (the temporary tables of
        -- REFRESH MATERIALIZED VIEW CONCURRENTLY) or a no-op; not replayed
        SELECT count(*) INTO collected FROM pg_event_trigger_ddl_commands();
        IF (collected = 0 AND nested) OR own THEN
            skip := true;
        END IF;
        -- a definition from the catalog: where the rows are in the stream (CREATE TABLE AS), and for the
        -- objects it can be built for, in case the statement that ran cannot be told
        IF tag IN ('CREATE TABLE AS', 'SELECT INTO', 'CREATE TABLE', 'CREATE INDEX', 'CREATE VIEW', 'CREATE FUNCTION',
                   'CREATE PROCEDURE') THEN
            SELECT pgscribe.object_definition(tag, c.objid) INTO def
              FROM pg_event_trigger_ddl_commands() c
             WHERE c.object_type IN ('table', 'index', 'view', 'function', 'procedure')
               AND c.command_tag = tag
             ORDER BY CASE c.object_type WHEN 'table' THEN 0 ELSE 1 END
             LIMIT 1;
        END IF;
    END IF;
    INSERT INTO pgscribe.ddl_log (event, search_path, role_name, command_tag, object_type, object_identity, query,
                                  context, skip, definition, tables, standard_conforming_strings)
    VALUES (CASE WHEN dropping THEN 'sql_drop' ELSE 'ddl_command_end' END, path, role::text, tag, types, identities,
            current_query(), ctx, skip, def, shapes, scs);

    -- a new table without a key would lose its UPDATE and DELETE from the backup: give it FULL identity
    IF NOT dropping AND NOT skip AND coalesce((SELECT value FROM pgscribe.settings
                                               WHERE name = 'new_tables_replica_identity_full'), 'on') = 'on' THEN
        FOR r IN SELECT DISTINCT c.oid
                   FROM pg_event_trigger_ddl_commands() d
                   JOIN pg_class c ON c.oid = d.objid AND d.classid = 'pg_class'::regclass
                   JOIN pg_namespace n ON n.oid = c.relnamespace
                  WHERE c.relkind = 'r' AND c.relpersistence = 'p' AND n.nspname <> 'pgscribe'
                    AND c.relreplident = 'd'
                    AND NOT EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary)
        LOOP
            -- IF EXISTS: harmless on a restore where that table's creation could not be replayed
            fix := 'ALTER TABLE IF EXISTS ' || r.oid::regclass::text || ' REPLICA IDENTITY FULL';
            EXECUTE fix;
            INSERT INTO pgscribe.identity_full (relid) VALUES (r.oid) ON CONFLICT (relid) DO NOTHING;
            -- logged as a statement of its own, run by the table's author; the firing of the EXECUTE
            -- above skips itself (it ran inside this function)
            INSERT INTO pgscribe.ddl_log (event, search_path, role_name, command_tag, object_type, object_identity,
                                          query, context, skip, standard_conforming_strings)
            VALUES ('ddl_command_end', 'pg_catalog', role::text, 'ALTER TABLE', 'table', r.oid::regclass::text, fix,
                    NULL, false, 'on');
        END LOOP;
    END IF;
END
$fn$;
REVOKE ALL ON FUNCTION pgscribe.record_ddl(text, text, text, name, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pgscribe.record_ddl(text, text, text, name, boolean) TO PUBLIC;

-- ddl_command_start of CREATE TABLE AS / SELECT INTO / CREATE MATERIALIZED VIEW: marks where the
-- new relation's rows begin (they are decoded before the firing that describes the relation).
-- Only its event trigger function may call it.
DROP FUNCTION IF EXISTS pgscribe.record_ddl_start(text, text, text);
CREATE OR REPLACE FUNCTION pgscribe.record_ddl_start(tag text, path text, role name) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET standard_conforming_strings = on AS $fn$
DECLARE
    ctx text;
BEGIN
    GET DIAGNOSTICS ctx = PG_CONTEXT;
    IF split_part(ctx, E'\n', 1) !~ '^PL/pgSQL function pgscribe\.record_ddl_start\(text,text,name\) line \d+ at GET DIAGNOSTICS$'
       OR split_part(ctx, E'\n', 2) <> 'SQL statement "SELECT pgscribe.record_ddl_start(TG_TAG, pg_catalog.current_setting(''search_path''), current_user)"'
       OR split_part(ctx, E'\n', 3) !~ '^PL/pgSQL function pgscribe\.on_ddl_command_start\(\) line \d+ at PERFORM$' THEN
        RAISE EXCEPTION 'pgscribe.record_ddl_start is called only by pgscribe''s event trigger';
    END IF;
    IF tag NOT IN ('CREATE TABLE AS', 'SELECT INTO', 'CREATE MATERIALIZED VIEW') THEN
        RAISE EXCEPTION 'pgscribe.record_ddl_start is only for CREATE TABLE AS, SELECT INTO and CREATE MATERIALIZED VIEW';
    END IF;
    INSERT INTO pgscribe.ddl_log (event, search_path, role_name, command_tag, query, skip)
    VALUES ('ddl_command_start', path, role::text, tag, current_query(), true);
END
$fn$;
REVOKE ALL ON FUNCTION pgscribe.record_ddl_start(text, text, name) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pgscribe.record_ddl_start(text, text, name) TO PUBLIC;

-- SECURITY INVOKER, and without SET clauses: they read the search_path, standard_conforming_strings
-- and role the DDL ran under, which a SET clause would hide. So every name in them is
-- schema-qualified, current_user is a keyword and goes as type name without a cast, and no literal
-- holds a backslash: nothing in them resolves through the author's search_path.
CREATE OR REPLACE FUNCTION pgscribe.on_ddl_command_end() RETURNS event_trigger
LANGUAGE plpgsql AS $fn$
BEGIN
    -- on one line: record_ddl checks this exact text in its call context
    PERFORM pgscribe.record_ddl(TG_TAG, pg_catalog.current_setting('search_path'), pg_catalog.current_setting('standard_conforming_strings'), current_user, false);
END
$fn$;

CREATE OR REPLACE FUNCTION pgscribe.on_sql_drop() RETURNS event_trigger
LANGUAGE plpgsql AS $fn$
BEGIN
    PERFORM pgscribe.record_ddl(TG_TAG, pg_catalog.current_setting('search_path'), pg_catalog.current_setting('standard_conforming_strings'), current_user, true);
END
$fn$;

CREATE OR REPLACE FUNCTION pgscribe.on_ddl_command_start() RETURNS event_trigger
LANGUAGE plpgsql AS $fn$
BEGIN
    PERFORM pgscribe.record_ddl_start(TG_TAG, pg_catalog.current_setting('search_path'), current_user);
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
    -- re-created so that a changed tag list takes effect when init runs again
    DROP EVENT TRIGGER IF EXISTS pgscribe_ddl_command_start;
    CREATE EVENT TRIGGER pgscribe_ddl_command_start ON ddl_command_start
        WHEN TAG IN ('CREATE TABLE AS', 'SELECT INTO', 'CREATE MATERIALIZED VIEW')
        EXECUTE FUNCTION pgscribe.on_ddl_command_start();
END
$do$;
