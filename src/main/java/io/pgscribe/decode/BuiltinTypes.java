package io.pgscribe.decode;

import java.util.Map;

/**
 * The built-in types whose values are rendered differently, by OID (fixed in every PostgreSQL
 * release), named as wal2json names them: what a column's {@code typeoid} means to rendering.
 */
final class BuiltinTypes {

    private static final Map<Integer, String> NAMES = Map.ofEntries(
            Map.entry(17, "bytea"), Map.entry(1001, "bytea[]"),
            Map.entry(700, "real"), Map.entry(1021, "real[]"),
            Map.entry(701, "double precision"), Map.entry(1022, "double precision[]"),
            Map.entry(114, "json"), Map.entry(199, "json[]"),
            Map.entry(142, "xml"), Map.entry(143, "xml[]"),
            Map.entry(600, "point"), Map.entry(1017, "point[]"),
            Map.entry(601, "lseg"), Map.entry(1018, "lseg[]"),
            Map.entry(602, "path"), Map.entry(1019, "path[]"),
            Map.entry(603, "box"), Map.entry(1020, "box[]"),
            Map.entry(604, "polygon"), Map.entry(1027, "polygon[]"),
            Map.entry(628, "line"), Map.entry(629, "line[]"),
            Map.entry(718, "circle"), Map.entry(719, "circle[]"));

    private BuiltinTypes() {
    }

    /** The name, or null for a type whose values need no special rendering (by far the most). */
    static String name(int oid) {
        return NAMES.get(oid);
    }
}
