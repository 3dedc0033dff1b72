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

    public void render(DdlEvent e, StringBuilder out) {
        out.append("-- DDL ").append(trace(e)).append('\n');
        String path = e.searchPath() == null ? "" : e.searchPath().strip();
        // current_setting('search_path') is already in the quoted list form SET accepts
        out.append("SET search_path = ").append(path.isEmpty() ? "''" : path).append(";\n");
        String query = e.query().strip();
        out.append(query);
        if (SqlScanner.needsTerminator(query)) {
            // a new line first: the query may end in a -- comment
            out.append("\n;");
        }
        out.append('\n');
    }

    private static String trace(DdlEvent e) {
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
            g.writeEndObject();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        // JSON escapes control characters, so the comment stays on one line
        return w.toString();
    }
}
