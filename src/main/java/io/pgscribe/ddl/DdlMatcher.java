package io.pgscribe.ddl;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Decides, for each logged DDL firing, what the capture writes: the statement that ran, a
 * definition rebuilt from the catalog, or a NOT REPLAYED note. The event trigger tells the
 * command tag and the client's whole query string (or, inside a function, the call context),
 * not which statement of it fired, so a statement is replayed only when it is known to be the
 * one that ran:
 * <ul>
 *   <li>read with the standard_conforming_strings the author's session had;</li>
 *   <li>the only statement of its text with the firing's command tag, or, in a query string
 *       that ran as one transaction (no transaction control) and holds no statement whose
 *       firing cannot be told, the k-th of them for the k-th firing;</li>
 *   <li>ending outside every literal and comment, and meaning the same with
 *       standard_conforming_strings on, as a segment is read.</li>
 * </ul>
 * One instance serves one transaction at a time ({@link #beginTransaction()}).
 */
public final class DdlMatcher {

    /** What to write for a firing. */
    public sealed interface Decision {
    }

    /** Replay this statement (CONCURRENTLY taken out). */
    public record Replay(String statement) implements Decision {
    }

    /** Replay this definition from the catalog, with a note on why the statement itself is not. */
    public record FromCatalog(String definition, String note) implements Decision {
    }

    /** Write a NOT REPLAYED note: nothing is replayed for this firing. */
    public record NotReplayed(String why) implements Decision {
    }

    private static final List<String> CATALOG_TAGS = List.of("CREATE TABLE", "CREATE INDEX", "CREATE VIEW",
            "CREATE FUNCTION", "CREATE PROCEDURE");

    private final Map<String, Integer> firings = new HashMap<>();
    private final Map<String, List<DdlStatements.Piece>> splits = new HashMap<>();

    /** A new transaction: firings are counted per query string within one. */
    public void beginTransaction() {
        firings.clear();
        splits.clear();
    }

    public Decision decide(DdlEvent e) {
        if (e.isSubscription()) {
            return new NotReplayed("a subscription connects to another server (and creates or drops a slot there); "
                    + "pgscribe never replays one (a base holds the subscriptions made before it, with connect = false)");
        }
        if (e.isLegacy()) {
            // not even from the catalog: the block would run as the role the row names, which its author could forge
            return new NotReplayed("it was logged by the DDL capture of an older pgscribe, which did not record its "
                    + "author in a way the author could not forge; run pgscribe init (as a superuser) to update the DDL capture");
        }
        boolean scs = e.standardConformingStrings();
        DdlStatements.Nested nested = DdlStatements.nestedStatement(e.context());
        Found found;
        switch (nested.kind()) {
            case NO_TEXT -> {
                return orCatalog(e, "it ran inside " + DdlStatements.caller(e.context())
                        + ", and PostgreSQL reports no statement text there");
            }
            case AMBIGUOUS -> {
                return orCatalog(e, "it ran inside " + DdlStatements.caller(e.context())
                        + ", and where its statement text ends cannot be told from the call context");
            }
            case STATEMENT -> {
                List<DdlStatements.Piece> pieces = DdlStatements.split(nested.statement(), scs);
                DdlStatements.Piece only = onlyWithTag(pieces, e.commandTag(), scs);
                if (only == null) {
                    return orCatalog(e, "it ran inside " + DdlStatements.caller(e.context()) + ", in a statement text that "
                            + "does not hold exactly one " + e.commandTag() + " statement");
                }
                found = checked(only);
            }
            default -> found = topLevel(e, scs);
        }
        if (found.statement() == null) {
            return orCatalog(e, found.why());
        }
        if (ATOMIC_BODY.matcher(found.statement()).find()) {
            // END in a BEGIN ATOMIC body may be a word of it (SELECT 1 AS end), where no lexer tells where
            // the body ends (psql's neither): the catalog's definition quotes such words
            return orCatalog(e, "its body is a BEGIN ATOMIC block, whose end a lexer cannot always tell");
        }
        return new Replay(DdlStatements.withoutConcurrently(found.statement()));
    }

    private static final java.util.regex.Pattern ATOMIC_BODY = java.util.regex.Pattern.compile(
            "(?i)\\bBEGIN\\s+ATOMIC\\b");

    /** The statement that ran, or why it cannot be told. */
    private record Found(String statement, String why) {
        static Found not(String why) {
            return new Found(null, why);
        }
    }

    /** The statement of the client's query string this firing came from. */
    private Found topLevel(DdlEvent e, boolean scs) {
        List<DdlStatements.Piece> pieces = splits.computeIfAbsent(e.query(), q -> DdlStatements.split(q, scs));
        int k = firings.merge(e.queryKey() + '\u0000' + e.commandTag(), 1, Integer::sum) - 1;
        List<DdlStatements.Piece> tagged = new java.util.ArrayList<>();
        boolean unknown = false;
        boolean transactionControl = false;
        for (DdlStatements.Piece p : pieces) {
            CommandTags.Classified c = CommandTags.of(p.code(), scs);
            switch (c.kind()) {
                case DDL -> {
                    if (c.tag().equals(e.commandTag())) {
                        tagged.add(p);
                    }
                }
                case UNKNOWN -> unknown = true;
                case TRANSACTION -> transactionControl = true;
                default -> {
                }
            }
        }
        if (unknown) {
            return Found.not("its query string holds a statement whose event trigger firings pgscribe cannot tell, so "
                    + "which statement fired cannot be told");
        }
        DdlStatements.Piece piece;
        if (tagged.size() == 1 && k == 0) {
            piece = tagged.get(0);
        } else if (!transactionControl && k < tagged.size()) {
            piece = tagged.get(k);
        } else {
            return Found.not("it is firing " + (k + 1) + " of its query string, which holds " + tagged.size() + " "
                    + e.commandTag() + " statement(s)" + (transactionControl ? " and transaction control" : "")
                    + ", so which statement fired cannot be told");
        }
        return checked(piece);
    }

    private DdlStatements.Piece onlyWithTag(List<DdlStatements.Piece> pieces, String tag, boolean scs) {
        DdlStatements.Piece found = null;
        for (DdlStatements.Piece p : pieces) {
            CommandTags.Classified c = CommandTags.of(p.code(), scs);
            if (c.kind() == CommandTags.Kind.UNKNOWN) {
                return null;
            }
            if (c.kind() == CommandTags.Kind.DDL && c.tag().equals(tag)) {
                if (found != null) {
                    return null;
                }
                found = p;
            }
        }
        return found;
    }

    /** The piece's text if it can be written into a segment as the one statement it is. */
    private static Found checked(DdlStatements.Piece p) {
        if (!p.closed()) {
            return Found.not("its statement does not end outside every literal and comment");
        }
        if (p.backslashInPlainLiteral()) {
            return Found.not("it was written with standard_conforming_strings = off, and a string literal of it would "
                    + "mean something else with it on");
        }
        if (!DdlStatements.isOneClosedStatement(p.code())) {
            return Found.not("its statement does not read as one statement with standard_conforming_strings on");
        }
        return new Found(p.code(), null);
    }

    /** The catalog's definition where the event trigger logged one, else NOT REPLAYED with {@code why}. */
    private static Decision orCatalog(DdlEvent e, String why) {
        if (e.definition() != null && !e.createsTableWithRows() && CATALOG_TAGS.contains(e.commandTag())) {
            return new FromCatalog(e.definition(), "not replayed as written: " + why + "; replayed from its definition in "
                    + "the catalog");
        }
        return new NotReplayed(why);
    }
}
