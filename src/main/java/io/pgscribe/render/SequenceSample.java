package io.pgscribe.render;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgscribe.sql.SqlText;
import java.util.List;

/**
 * Sequence values sampled on the source and logged in {@code pgscribe.sequence_log}:
 * sequences are not in the change stream, so each sample becomes setval() calls at its
 * place in the stream.
 */
public record SequenceSample(String schema, String name, long value, boolean called) {

    public static final String TABLE = "sequence_log";
    private static final ObjectMapper JSON = new ObjectMapper();

    public static List<SequenceSample> parse(String json) {
        try {
            return JSON.readValue(json, new TypeReference<List<SequenceSample>>() { });
        } catch (Exception e) {
            throw new RenderException("pgscribe.sequence_log row is not readable: " + e.getMessage());
        }
    }

    public static String toJson(List<SequenceSample> samples) {
        try {
            return JSON.writeValueAsString(samples);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * {@code setval(to_regclass(...))}: a sequence dropped after it was sampled makes this a
     * no-op (setval of NULL is NULL) instead of an error that would stop a restore.
     */
    public void render(StringBuilder out) {
        out.append("SELECT pg_catalog.setval(pg_catalog.to_regclass(");
        SqlText.appendLiteral(out, SqlText.qualified(schema, name));
        out.append("), ").append(value).append(", ").append(called).append(");\n");
    }
}
