package io.pgscribe.manifest;

import java.util.List;
import java.util.Map;

/**
 * What rendering must know of a relation beyond what the decoder sends: its generated
 * columns (never written), GENERATED ALWAYS identity columns (need OVERRIDING SYSTEM
 * VALUE), the equality operator of each column whose type pg_catalog's operators do not
 * compare ({@code [schema, name]}, or {@code ["", "text"]}: compare as text), and whether it
 * is a materialized view (its rows come from its own DDL, never DML).
 */
@com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
// one order, whatever order reflection gives the derived getters: the manifest's seal is over this JSON
@com.fasterxml.jackson.annotation.JsonPropertyOrder({"schema", "table", "generated", "alwaysIdentity", "kind", "equality",
        "matview", "partitioned", "plain"})
public record TableShape(String schema, String table, List<String> generated, List<String> alwaysIdentity, String kind,
                         // written only when there is one, so that a manifest of pgscribe 0.1 reads back to its own seal
                         @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_EMPTY)
                         Map<String, List<String>> equality) {

    public static final String MATVIEW = "matview";
    public static final String PARTITIONED = "partitioned";

    public TableShape {
        generated = generated == null ? List.of() : List.copyOf(generated);
        alwaysIdentity = alwaysIdentity == null ? List.of() : List.copyOf(alwaysIdentity);
        kind = "table".equals(kind) ? null : kind;
        // sorted: the manifest's seal is over its JSON, which must come out the same in every JVM
        equality = equality == null || equality.isEmpty() ? Map.of()
                : java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(equality));
    }

    public TableShape(String schema, String table, List<String> generated, List<String> alwaysIdentity) {
        this(schema, table, generated, alwaysIdentity, null, null);
    }

    public TableShape(String schema, String table, List<String> generated, List<String> alwaysIdentity, String kind) {
        this(schema, table, generated, alwaysIdentity, kind, null);
    }

    public boolean isMatview() {
        return MATVIEW.equals(kind);
    }

    /** A partitioned table: no rows of its own, its partitions hold them. */
    public boolean isPartitioned() {
        return PARTITIONED.equals(kind);
    }

    public boolean isPlain() {
        return generated.isEmpty() && alwaysIdentity.isEmpty() && kind == null && equality.isEmpty();
    }
}
