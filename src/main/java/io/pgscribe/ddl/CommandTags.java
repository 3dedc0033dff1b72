package io.pgscribe.ddl;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What a statement does to the event triggers: which command tag its {@code ddl_command_end}
 * firing carries, or that it fires none, or that it ends or opens a transaction, or that
 * pgscribe cannot tell. A firing is matched to the statement that ran by this tag, so a
 * statement is {@link Kind#UNKNOWN} whenever the tag might be wrong: better no match than a
 * wrong one.
 */
public final class CommandTags {

    /** What kind of statement it is, as far as event triggers go. */
    public enum Kind {
        /** Fires ddl_command_end once, with {@link Classified#tag()}. */
        DDL,
        /** Fires no ddl_command_end: DML, queries, settings, commands on objects shared by the cluster. */
        NO_FIRING,
        /** Begins, ends or rolls back (part of) a transaction. */
        TRANSACTION,
        /** Anything else: it may or may not fire. */
        UNKNOWN
    }

    /** A statement's kind and, for DDL, its command tag. */
    public record Classified(Kind kind, String tag) {
        static final Classified NONE = new Classified(Kind.NO_FIRING, null);
        static final Classified TRANSACTION = new Classified(Kind.TRANSACTION, null);
        static final Classified UNKNOWN = new Classified(Kind.UNKNOWN, null);

        static Classified ddl(String tag) {
            return new Classified(Kind.DDL, tag);
        }
    }

    private CommandTags() {
    }

    /** Objects of the whole cluster: event triggers never fire for commands on them. */
    private static final Set<String> SHARED = Set.of("DATABASE", "ROLE", "USER", "GROUP", "TABLESPACE", "SYSTEM");
    private static final Set<String> CREATE_MODIFIERS = Set.of("OR", "REPLACE", "TEMP", "TEMPORARY", "UNLOGGED", "GLOBAL",
            "LOCAL", "UNIQUE", "RECURSIVE", "TRUSTED", "PROCEDURAL", "DEFAULT", "CONSTRAINT");
    /** Objects named by one word after CREATE, ALTER or DROP. */
    private static final Set<String> ONE_WORD = Set.of("TABLE", "VIEW", "INDEX", "SEQUENCE", "FUNCTION", "PROCEDURE",
            "ROUTINE", "AGGREGATE", "TYPE", "DOMAIN", "SCHEMA", "EXTENSION", "TRIGGER", "RULE", "POLICY", "STATISTICS",
            "PUBLICATION", "SUBSCRIPTION", "CAST", "COLLATION", "CONVERSION", "LANGUAGE", "TRANSFORM", "SERVER");
    private static final Set<String> TEXT_SEARCH = Set.of("CONFIGURATION", "DICTIONARY", "PARSER", "TEMPLATE");
    private static final Set<String> NO_FIRING = Set.of("INSERT", "UPDATE", "DELETE", "MERGE", "VALUES", "TABLE", "SET",
            "RESET", "SHOW", "LOCK", "COPY", "NOTIFY", "LISTEN", "UNLISTEN", "ANALYZE", "ANALYSE", "VACUUM", "CLUSTER",
            "CHECKPOINT", "DISCARD", "LOAD", "DEALLOCATE", "FETCH", "MOVE", "CLOSE", "DECLARE", "TRUNCATE", "DO", "CALL");
    private static final Set<String> TRANSACTION = Set.of("BEGIN", "START", "COMMIT", "END", "ROLLBACK", "ABORT",
            "SAVEPOINT", "RELEASE");
    private static final Set<String> MAIN_VERBS = Set.of("SELECT", "INSERT", "UPDATE", "DELETE", "MERGE", "VALUES", "TABLE");

    /** The statement's kind and tag, from its words outside literals, comments and parentheses. */
    public static Classified of(String statement) {
        return of(statement, true);
    }

    /** {@code standardConformingStrings}: the setting the statement was written under. */
    public static Classified of(String statement, boolean standardConformingStrings) {
        List<String> w = DdlStatements.topLevelWords(statement, Integer.MAX_VALUE, standardConformingStrings);
        if (w.isEmpty()) {
            return Classified.NONE;
        }
        String first = w.get(0);
        switch (first) {
            case "CREATE":
                return create(w);
            case "ALTER":
                return alterOrDrop("ALTER", w);
            case "DROP":
                return alterOrDrop("DROP", w);
            case "GRANT", "REVOKE":
                return grant(first, w);
            case "COMMENT":
                return onObject("COMMENT", w, 1);
            case "SECURITY":
                // SECURITY LABEL [FOR provider] ON ...
                return w.size() > 1 && w.get(1).equals("LABEL") ? onObject("SECURITY LABEL", w, w.indexOf("ON"))
                        : Classified.UNKNOWN;
            case "IMPORT":
                return startsWith(w, "IMPORT", "FOREIGN", "SCHEMA") ? Classified.ddl("IMPORT FOREIGN SCHEMA") : Classified.UNKNOWN;
            case "REFRESH":
                return startsWith(w, "REFRESH", "MATERIALIZED", "VIEW") ? Classified.ddl("REFRESH MATERIALIZED VIEW")
                        : Classified.UNKNOWN;
            case "SELECT":
                return selectInto(w, 0);
            case "WITH":
                return with(w);
            case "PREPARE":
                return w.size() > 1 && w.get(1).equals("TRANSACTION") ? Classified.TRANSACTION : Classified.NONE;
            default:
                if (TRANSACTION.contains(first)) {
                    return Classified.TRANSACTION;
                }
                return NO_FIRING.contains(first) ? Classified.NONE : Classified.UNKNOWN;
        }
    }

    private static Classified create(List<String> w) {
        int i = 1;
        while (i < w.size() && CREATE_MODIFIERS.contains(w.get(i))) {
            i++;
        }
        if (i >= w.size()) {
            return Classified.UNKNOWN;
        }
        String object = objectWords(w, i);
        if (object == null) {
            return Classified.UNKNOWN;
        }
        if (object.equals("SHARED") || object.equals("EVENT TRIGGER")) {
            return Classified.NONE;
        }
        if (object.equals("TABLE") && w.subList(i + 1, w.size()).contains("AS")) {
            return Classified.ddl("CREATE TABLE AS");
        }
        return Classified.ddl("CREATE " + object);
    }

    private static Classified alterOrDrop(String verb, List<String> w) {
        if (w.size() < 2) {
            return Classified.UNKNOWN;
        }
        if (verb.equals("ALTER") && startsWith(w, "ALTER", "DEFAULT", "PRIVILEGES")) {
            return Classified.ddl("ALTER DEFAULT PRIVILEGES");
        }
        if (verb.equals("ALTER") && startsWith(w, "ALTER", "LARGE", "OBJECT")) {
            return Classified.ddl("ALTER LARGE OBJECT");
        }
        if (verb.equals("DROP") && w.get(1).equals("OWNED")) {
            return Classified.ddl("DROP OWNED");
        }
        String object = objectWords(w, 1);
        if (object == null) {
            return Classified.UNKNOWN;
        }
        if (object.equals("SHARED") || object.equals("EVENT TRIGGER")) {
            return Classified.NONE;
        }
        return Classified.ddl(verb + " " + object);
    }

    /** The object words of a CREATE/ALTER/DROP from {@code i}; "SHARED" for cluster objects; null if not known. */
    private static String objectWords(List<String> w, int i) {
        String o = w.get(i);
        String next = i + 1 < w.size() ? w.get(i + 1) : "";
        if (o.equals("USER") && next.equals("MAPPING")) {
            return "USER MAPPING";
        }
        if (SHARED.contains(o)) {
            return "SHARED";
        }
        switch (o) {
            case "MATERIALIZED":
                return next.equals("VIEW") ? "MATERIALIZED VIEW" : null;
            case "FOREIGN":
                if (next.equals("TABLE")) {
                    return "FOREIGN TABLE";
                }
                return next.equals("DATA") && i + 2 < w.size() && w.get(i + 2).equals("WRAPPER") ? "FOREIGN DATA WRAPPER" : null;
            case "EVENT":
                return next.equals("TRIGGER") ? "EVENT TRIGGER" : null;
            case "ACCESS":
                return next.equals("METHOD") ? "ACCESS METHOD" : null;
            case "OPERATOR":
                return next.equals("CLASS") || next.equals("FAMILY") ? "OPERATOR " + next : "OPERATOR";
            case "TEXT":
                return next.equals("SEARCH") && i + 2 < w.size() && TEXT_SEARCH.contains(w.get(i + 2))
                        ? "TEXT SEARCH " + w.get(i + 2) : null;
            default:
                return ONE_WORD.contains(o) ? o : null;
        }
    }

    /** GRANT/REVOKE on objects of the database fire; role membership and shared objects do not. */
    private static Classified grant(String verb, List<String> w) {
        int on = w.indexOf("ON");
        if (on < 0) {
            return Classified.NONE; // GRANT role TO role
        }
        String object = on + 1 < w.size() ? w.get(on + 1) : "";
        if (object.equals("DATABASE") || object.equals("TABLESPACE") || object.equals("PARAMETER")) {
            return Classified.NONE;
        }
        return Classified.ddl(verb);
    }

    private static Classified onObject(String tag, List<String> w, int onAt) {
        if (onAt < 0 || w.size() <= onAt + 1 || !w.get(onAt).equals("ON")) {
            return Classified.UNKNOWN;
        }
        String object = w.get(onAt + 1);
        if (object.equals("DATABASE") || object.equals("ROLE") || object.equals("TABLESPACE")
                || object.equals("SUBSCRIPTION")) {
            return Classified.NONE;
        }
        return Classified.ddl(tag);
    }

    /** SELECT ... INTO name creates a table (tag SELECT INTO); {@code at}: where the SELECT is. */
    private static Classified selectInto(List<String> w, int at) {
        int into = w.subList(at, w.size()).indexOf("INTO");
        int from = w.subList(at, w.size()).indexOf("FROM");
        return into > 0 && (from < 0 || into < from) ? Classified.ddl("SELECT INTO") : Classified.NONE;
    }

    /** WITH ...: the verb after the common table expressions decides (their bodies are in parentheses). */
    private static Classified with(List<String> w) {
        for (int i = 1; i < w.size(); i++) {
            if (MAIN_VERBS.contains(w.get(i))) {
                return w.get(i).equals("SELECT") ? selectInto(w, i) : Classified.NONE;
            }
        }
        return Classified.UNKNOWN;
    }

    private static boolean startsWith(List<String> w, String... words) {
        if (w.size() < words.length) {
            return false;
        }
        for (int i = 0; i < words.length; i++) {
            if (!w.get(i).equals(words[i].toUpperCase(Locale.ROOT))) {
                return false;
            }
        }
        return true;
    }
}
