package io.pgscribe.manifest;

import java.util.List;

/**
 * What rendering must know of a table beyond what the decoder sends: its generated
 * columns (never written) and GENERATED ALWAYS identity columns (need OVERRIDING SYSTEM VALUE).
 */
public record TableShape(String schema, String table, List<String> generated, List<String> alwaysIdentity) {

    public TableShape {
        generated = generated == null ? List.of() : List.copyOf(generated);
        alwaysIdentity = alwaysIdentity == null ? List.of() : List.copyOf(alwaysIdentity);
    }

    public boolean isPlain() {
        return generated.isEmpty() && alwaysIdentity.isEmpty();
    }
}
