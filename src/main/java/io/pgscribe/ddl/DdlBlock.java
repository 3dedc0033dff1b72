package io.pgscribe.ddl;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgscribe.sql.IdentifierList;
import io.pgscribe.sql.SqlScanner;
import io.pgscribe.sql.SqlText;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Optional;

/**
 * The one place that writes a logged DDL command into a segment, and reads it back. A block
 * runs the statement as the role that ran it in the source, under the search_path it had,
 * and puts both back after it:
 * <pre>
 * -- DDL {"ddl_log":12,"tag":"ALTER TABLE","object":"public.t","role":"app"}
 * SET LOCAL ROLE "app";
 * SET LOCAL search_path = "$user", "public";
 * ALTER TABLE t ADD COLUMN c text;
 * RESET ROLE;
 * SET LOCAL search_path TO DEFAULT;
 * </pre>
 * With {@code psql -f} that is what runs. {@code pgscribe restore} reads the block and runs the
 * statement inside a SECURITY DEFINER function owned by that role, where nothing the statement
 * calls can change roles again. Everything in a comment goes through {@link SqlText#commentText}.
 */
public final class DdlBlock {

    public static final String TRACE_PREFIX = "-- DDL ";
    public static final String NOT_REPLAYED_PREFIX = "-- NOT REPLAYED: ";
    public static final String SET_ROLE_PREFIX = "SET LOCAL ROLE ";
    public static final String SET_PATH_PREFIX = "SET LOCAL search_path = ";
    public static final String RESET_ROLE = "RESET ROLE;";
    public static final String RESET_PATH = "SET LOCAL search_path TO DEFAULT;";
    /** The search_path line of a segment written before DDL ran as its role. */
    public static final String LEGACY_PATH_PREFIX = "SET search_path = ";

    private static final JsonFactory JSON = new JsonFactory();
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private DdlBlock() {
    }

    /** The statement to replay for this firing; {@code note}: a comment line under the trace, or null. */
    public static void replay(DdlEvent e, List<String> searchPath, String statement, boolean nested, String note,
                              StringBuilder out) {
        trace(e, nested, out);
        if (note != null) {
            out.append("-- note: ").append(SqlText.commentText(note)).append('\n');
        }
        body(e, searchPath, statement, out);
    }

    /**
     * CREATE TABLE AS / SELECT INTO: the table's definition, then (by the caller) its rows as
     * decoded; the statement as it ran only as a comment. Replaying it would compute the rows
     * again on top of those in the stream.
     */
    public static void tableWithRows(DdlEvent e, List<String> searchPath, String ranAs, boolean nested, StringBuilder out) {
        trace(e, nested, out);
        out.append("-- ran as:\n");
        // String.lines() ends a line at \r too, as the server ends a -- comment
        ranAs.strip().lines().forEach(l -> out.append("--   ").append(l).append('\n'));
        body(e, searchPath, e.definition(), out);
    }

    /** A DDL firing that cannot be replayed: said loudly, where it happened. */
    public static void notReplayed(DdlEvent e, String why, StringBuilder out) {
        trace(e, false, out);
        out.append(NOT_REPLAYED_PREFIX).append(SqlText.commentText(why)).append('\n');
        out.append("-- query: ").append(SqlText.commentText(e.query().strip())).append('\n');
    }

    private static void body(DdlEvent e, List<String> searchPath, String statement, StringBuilder out) {
        out.append(SET_ROLE_PREFIX).append(SqlText.identifier(e.role())).append(";\n");
        out.append(SET_PATH_PREFIX).append(searchPath.isEmpty() ? "''" : IdentifierList.quoted(searchPath)).append(";\n");
        // psql -f of the segment must run the statement as the server ran it: no variable inside
        String s = SqlText.withoutPsqlVariables(statement.strip());
        out.append(s);
        if (SqlScanner.needsTerminator(s)) {
            // after a trailing -- comment the terminator needs a line of its own
            out.append(SqlScanner.endsInLineComment(s) ? "\n;" : ";");
        }
        out.append('\n').append(RESET_ROLE).append('\n').append(RESET_PATH).append('\n');
    }

    private static void trace(DdlEvent e, boolean nested, StringBuilder out) {
        StringWriter w = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(w)) {
            g.writeStartObject();
            g.writeNumberField("ddl_log", e.id());
            g.writeStringField("tag", e.commandTag());
            if (e.objectIdentity() != null) {
                g.writeStringField("object", e.objectIdentity());
            }
            if (e.role() != null) {
                g.writeStringField("role", e.role());
            }
            if (nested) {
                g.writeBooleanField("nested", true);
            }
            g.writeEndObject();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        // JSON escapes control characters, so the comment stays on one line
        out.append(TRACE_PREFIX).append(w).append('\n');
    }

    /** A block's trace, as read back. */
    public record Trace(long ddlLog, String tag, String object, String role, boolean nested) {
    }

    /** What the leading comments of a statement say about DDL. */
    public record Notes(int notReplayed, Trace opensBlock, List<String> notReplayedWhy) {
    }

    /**
     * Reads the comment lines before a statement: how many NOT REPLAYED notes they hold, and
     * whether the statement opens a block (the last trace is not a NOT REPLAYED note's).
     */
    public static Notes notes(String leading) {
        int notReplayed = 0;
        List<String> why = new java.util.ArrayList<>();
        Trace last = null;
        for (String line : leading.lines().map(String::strip).toList()) {
            if (line.startsWith(TRACE_PREFIX + "{")) {
                last = parseTrace(line.substring(TRACE_PREFIX.length()));
            } else if (line.startsWith(NOT_REPLAYED_PREFIX)) {
                notReplayed++;
                why.add(line.substring(NOT_REPLAYED_PREFIX.length()));
                last = null;
            }
        }
        return new Notes(notReplayed, last, why);
    }

    private static Trace parseTrace(String json) {
        try {
            JsonNode n = MAPPER.readTree(json);
            return new Trace(n.path("ddl_log").asLong(), n.path("tag").asText(null), n.path("object").asText(null),
                    n.path("role").asText(null), n.path("nested").asBoolean(false));
        } catch (IOException e) {
            return new Trace(0, null, null, null, false); // a trace that does not read opens a block that will not match
        }
    }

    /** The role of {@code SET LOCAL ROLE "name";}, exactly as this class writes it. */
    public static Optional<String> parseSetRole(String code) {
        if (!code.startsWith(SET_ROLE_PREFIX) || !code.endsWith(";")) {
            return Optional.empty();
        }
        String quoted = code.substring(SET_ROLE_PREFIX.length(), code.length() - 1);
        Optional<List<String>> names = IdentifierList.parse(quoted);
        return names.isPresent() && names.get().size() == 1 && quoted.startsWith("\"") && quoted.endsWith("\"")
                ? Optional.of(names.get().get(0)) : Optional.empty();
    }

    /** The schemas of {@code SET LOCAL search_path = ...;} ({@code prefix}: or the legacy {@code SET search_path = }). */
    public static Optional<List<String>> parseSetPath(String code, String prefix) {
        if (!code.startsWith(prefix) || !code.endsWith(";")) {
            return Optional.empty();
        }
        String list = code.substring(prefix.length(), code.length() - 1).strip();
        if (list.equals("''")) {
            return Optional.of(List.of());
        }
        return IdentifierList.parse(list);
    }

    /**
     * A block as read back: who runs the statement, under which search_path. {@code legacy}: in
     * the form of segments written before DDL ran as its role (the role is the trace's, which an
     * author could forge there).
     */
    public record Block(Trace trace, String role, List<String> searchPath, String statement, boolean legacy) {
    }

    /** A block, or why the text is not one. */
    public record Read(Block block, String problem) {
        static Read bad(String problem) {
            return new Read(null, problem);
        }
    }

    /**
     * Reads a block whose first statement is {@code first} (its trace in the leading comments);
     * {@code next} gives the text of each following statement, null at the end. The statement
     * must be one closed statement of the trace's command tag, and nothing else may sit where
     * the block's own lines are.
     */
    public static Read read(String first, java.util.function.Supplier<String> next) {
        Notes notes = notes(SqlScanner.leadingComments(first));
        if (notes.opensBlock() == null) {
            return Read.bad("no DDL trace before it");
        }
        Trace trace = notes.opensBlock();
        String code = SqlScanner.stripLeadingComments(first);
        if (code.startsWith(LEGACY_PATH_PREFIX)) {
            Optional<List<String>> path = parseSetPath(code, LEGACY_PATH_PREFIX);
            if (path.isEmpty()) {
                return Read.bad("its search_path line does not read as a list: " + SqlText.commentText(code));
            }
            String statement = code(next.get());
            return statement == null ? Read.bad("it ends before its statement")
                    : checkStatement(new Block(trace, trace.role(), path.get(), statement, true));
        }
        Optional<String> role = parseSetRole(code);
        if (role.isEmpty()) {
            return Read.bad("it does not start with SET LOCAL ROLE: " + SqlText.commentText(code));
        }
        Optional<List<String>> path = parseSetPath(code(next.get()), SET_PATH_PREFIX);
        if (path.isEmpty()) {
            return Read.bad("its SET LOCAL search_path line is missing or not a list");
        }
        String statement = code(next.get());
        if (statement == null) {
            return Read.bad("it ends before its statement");
        }
        if (!RESET_ROLE.equals(code(next.get())) || !RESET_PATH.equals(code(next.get()))) {
            return Read.bad("its statement is not followed by " + RESET_ROLE + " and " + RESET_PATH);
        }
        return checkStatement(new Block(trace, role.get(), path.get(), statement, false));
    }

    private static String code(String text) {
        return text == null ? null : SqlScanner.stripLeadingComments(text);
    }

    private static Read checkStatement(Block b) {
        if (!DdlStatements.isOneClosedStatement(b.statement())) {
            return Read.bad("its statement does not read as one statement: " + SqlText.commentText(b.statement()));
        }
        CommandTags.Classified c = CommandTags.of(b.statement());
        String tag = b.trace().tag();
        boolean tableWithRows = "CREATE TABLE AS".equals(tag) || "SELECT INTO".equals(tag);
        if (c.kind() != CommandTags.Kind.DDL || tag == null
                || !(c.tag().equals(tag) || (tableWithRows && c.tag().equals("CREATE TABLE")))) {
            return Read.bad("its statement is not a " + tag + " statement: " + SqlText.commentText(b.statement()));
        }
        return new Read(b, null);
    }

    /** Null when {@code text}, a block as the capture is about to write it, reads back as one; else why not. */
    public static String readBack(String text) {
        List<String> statements = new java.util.ArrayList<>();
        try (SqlScanner scanner = SqlScanner.of(text)) {
            SqlScanner.Statement st;
            while ((st = scanner.next()) != null) {
                if (st.hasCode()) {
                    if (!st.terminated()) {
                        return "it does not end with a terminated statement";
                    }
                    statements.add(st.text());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (statements.isEmpty()) {
            return "it holds no statement";
        }
        java.util.Iterator<String> rest = statements.subList(1, statements.size()).iterator();
        Read r = read(statements.get(0), () -> rest.hasNext() ? rest.next() : null);
        if (r.problem() != null) {
            return r.problem();
        }
        return rest.hasNext() ? "more statements follow it" : null;
    }
}
