package io.pgscribe.decode;

/**
 * The built-in types whose values are rendered differently, by OID (fixed in every PostgreSQL
 * release), named as wal2json names them: what a column's {@code typeoid} means to rendering.
 */
final class BuiltinTypes {

    private BuiltinTypes() {
    }

    /**
     * The name, or null for a type whose values need no special rendering (by far the most).
     * A switch on the int: this runs for every column of every row (a boxed map lookup showed in a profile).
     */
    static String name(int oid) {
        return switch (oid) {
            case 17 -> "bytea";
            case 1001 -> "bytea[]";
            case 700 -> "real";
            case 1021 -> "real[]";
            case 701 -> "double precision";
            case 1022 -> "double precision[]";
            case 114 -> "json";
            case 199 -> "json[]";
            case 142 -> "xml";
            case 143 -> "xml[]";
            case 600 -> "point";
            case 1017 -> "point[]";
            case 601 -> "lseg";
            case 1018 -> "lseg[]";
            case 602 -> "path";
            case 1019 -> "path[]";
            case 603 -> "box";
            case 1020 -> "box[]";
            case 604 -> "polygon";
            case 1027 -> "polygon[]";
            case 628 -> "line";
            case 629 -> "line[]";
            case 718 -> "circle";
            case 719 -> "circle[]";
            // no equality: compared as text
            case 2970 -> "txid_snapshot";
            case 2949 -> "txid_snapshot[]";
            case 5038 -> "pg_snapshot";
            case 5039 -> "pg_snapshot[]";
            case 4072 -> "jsonpath";
            case 4073 -> "jsonpath[]";
            default -> null;
        };
    }
}
