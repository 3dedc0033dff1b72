package io.pgscribe.render;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.pgscribe.sql.SqlScanner;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;

/**
 * Writes a logged DDL command where it happened in the stream: a comment tracing it to
 * its log row, the search_path it ran under, and the query text itself.
 */
public final class DdlRenderer {

    private static final JsonFactory JSON = new JsonFactory();

    /** The whole query text of a single-statement query (the common case). */
    public void render(DdlEvent e, StringBuilder out) {
        render(e, e.query(), false, out);
    }

    /** {@code statement}: the one statement to replay for this firing. */
    public void render(DdlEvent e, String statement, boolean nested, StringBuilder out) {
        render(e, statement, nested, null, out);
    }

    /** {@code note}: a comment line under the trace, or null. */
    public void render(DdlEvent e, String statement, boolean nested, String note, StringBuilder out) {
        out.append("-- DDL ").append(trace(e, nested)).append('\n');
        if (note != null) {
            out.append("-- ").append(note.replace('\n', ' ')).append('\n');
        }
        String path = e.searchPath() == null ? "" : e.searchPath().strip();
        // current_setting('search_path') is already in the quoted list form SET accepts
        out.append("SET search_path = ").append(path.isEmpty() ? "''" : path).append(";\n");
        appendStatement(DdlStatements.withoutConcurrently(statement.strip()), out);
    }

    /**
     * CREATE TABLE AS / SELECT INTO: the table's definition, then (by the caller) its rows as
     * decoded; the original statement as a comment. Replaying the statement itself would
     * compute the rows again on top of those in the stream.
     */
    public void renderTableWithRows(DdlEvent e, String statement, boolean nested, StringBuilder out) {
        out.append("-- DDL ").append(trace(e, nested)).append('\n');
        out.append("-- ran as:\n");
        statement.strip().lines().forEach(l -> out.append("--   ").append(l).append('\n'));
        appendStatement(e.definition(), out);
    }

    /** A DDL firing that cannot be replayed: said loudly, where it happened. */
    public void renderNotReplayed(DdlEvent e, String why, StringBuilder out) {
        out.append("-- DDL ").append(trace(e, false)).append('\n');
        out.append("-- NOT REPLAYED: ").append(why.replace('\n', ' ')).append('\n');
        out.append("-- query: ").append(e.query().strip().replace('\n', ' ')).append('\n');
    }

    private static void appendStatement(String statement, StringBuilder out) {
        out.append(statement);
        if (SqlScanner.needsTerminator(statement)) {
            // after a trailing -- comment the terminator needs a line of its own
            out.append(SqlScanner.endsInLineComment(statement) ? "\n;" : ";");
        }
        out.append('\n');
    }

    private static String trace(DdlEvent e, boolean nested) {
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
        return w.toString();
    }
}
