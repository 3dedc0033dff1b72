package io.pgscribe.testing;

/**
 * A schema with every core type and the literal traps, and rows for it: the workload of the
 * type round trip and of the tests across server versions.
 */
public final class RichWorkload {

    private RichWorkload() {
    }

    public static final String SCHEMA = """
            CREATE TYPE mood AS ENUM ('sad', 'ok', 'it''s fine');
            CREATE TYPE pair AS (a int, b text);
            CREATE DOMAIN positive AS numeric CHECK (VALUE > 0);
            CREATE DOMAIN blob AS bytea;
            CREATE TABLE everything (
                id int PRIMARY KEY,
                t text, vc varchar(20), ch char(5), nm name,
                n numeric, n2 numeric(12,2), f4 real, f8 double precision, i2 smallint, i8 bigint, ok boolean,
                b bytea, bl blob, bits bit(8), vbits varbit,
                ints int[], texts text[], nested int[][], bytes bytea[],
                m mood, moods mood[], p pair, pos positive,
                j json, jb jsonb,
                iv interval, d date, ts timestamp, tstz timestamptz, tm time, tmtz timetz,
                money money, ip inet, net cidr, mac macaddr,
                pt point, ln line, ls lseg, bx box, pth path, pg polygon, ci circle,
                tsv tsvector, tsq tsquery, u uuid, x xml, r int4range, dr daterange, o oid,
                doubled int GENERATED ALWAYS AS (id * 2) STORED
            );
            CREATE TABLE ident (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, v text);
            CREATE TABLE full_ident (a int, j json, pt point, t text, f float8);
            ALTER TABLE full_ident REPLICA IDENTITY FULL;
            CREATE TABLE docs (id int PRIMARY KEY, title text, body text);
            CREATE TABLE pk_change (a int, b int, v text, PRIMARY KEY (a, b));
            """;

    public static final String ROW_1 = """
            INSERT INTO everything (id, t, vc, ch, nm, n, n2, f4, f8, i2, i8, ok, b, bl, bits, vbits, ints, texts, nested, bytes,
                m, moods, p, pos, j, jb, iv, d, ts, tstz, tm, tmtz, money, ip, net, mac, pt, ln, ls, bx, pth, pg, ci,
                tsv, tsq, u, x, r, dr, o)
            VALUES (1, E'it''s a \\\\ backslash\\nnew line\\ttab ''quoted'' "double" ; semicolon\\nCOMMIT;\\nend', 'vär 中文 🙂', 'ab',
                'Name', 123456789012345678901234567890.123456789012345678901234567890, 1234567890.12, 3.14159274, 0.1,
                -32768, 9223372036854775807, true, '\\x00ff10', '\\xdeadbeef', B'10101010', B'1', '{1,NULL,3}',
                ARRAY['a,b', 'c"d', 'e\\f', NULL, '', 'NULL', '{x}'], '{{1,2},{3,4}}', ARRAY['\\x01'::bytea, NULL],
                'it''s fine', '{sad,ok}', ROW(7, 'seven, "7"'), 12.5,
                '{"b": 1,  "a": [true, null, "x\\"y"]}', '{"b": 1, "a": [1.50, "ü"]}',
                '1 year 2 mons 3 days 04:05:06.789', 'infinity', '-infinity', 'infinity', '24:00:00', '12:34:56.789+05:30',
                '$1,234.56', '2001:db8::1/64', '10.0.0.0/8', '08:00:2b:01:02:03',
                '(1.5,-2)', '{1,-1,0}', '[(0,0),(1,1)]', '(1,1),(0,0)', '[(0,0),(1,1),(2,0)]', '((0,0),(1,1),(1,0))', '<(0,0),2>',
                'the quick:1 brown fox', 'fat & (rat | cat)', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '<a x="1">t&amp;</a>',
                '[1,10)', '[2024-01-01,2024-02-01)', 4294967295)
            """;

    public static final String ROW_2 = """
            INSERT INTO everything (id, t, vc, n, f4, f8, d, ts, tstz, iv, j, jb, texts, b)
            VALUES (2, '', '', 0.000000000000000000000000000001, '-0', 1.7976931348623157e308, '0001-01-01 BC',
                '1999-12-31 23:59:59.999999', '2000-02-29 12:00:00+14', '-1 days +02:00', '[]', '{}', '{}', '\\x')
            """;

    public static final String ROW_3 = "INSERT INTO everything (id) VALUES (3)";

    /** Values wal2json 2.5 cannot send (it writes them as null). */
    public static final String SPECIAL_NUMBERS = """
            INSERT INTO everything (id, n, n2, f4, f8, t) VALUES (30, 'NaN', 'NaN', 'Infinity', '-Infinity', 'special'),
                (31, 'Infinity', 'NaN', 'NaN', 'NaN', 'more');
            UPDATE everything SET f8 = 'Infinity', n = '-Infinity' WHERE id = 31;
            INSERT INTO full_ident (a, f, t) VALUES (7, 'NaN', 'nan row'), (8, 'Infinity', 'inf row'), (9, '-Infinity', 'gone');
            UPDATE full_ident SET t = 'nan row, found' WHERE a = 7;
            UPDATE full_ident SET f = '-Infinity' WHERE a = 8;
            DELETE FROM full_ident WHERE a = 9;
            """;
}
