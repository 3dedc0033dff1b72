package io.pgscribe.decode;

/**
 * One column value as the decoder printed it: {@code text} is the type's output text
 * (for numbers the exact digits sent), null for SQL NULL. {@code type} is the type's name as
 * wal2json writes it; from a type OID, only the names rendering tells apart are known
 * ({@link BuiltinTypes}), and other types are null.
 */
public record Column(String name, String type, String text, Kind kind) {

    public enum Kind { NULL, STRING, NUMBER, BOOLEAN }

    public boolean isNull() {
        return kind == Kind.NULL;
    }

    /** Same value as another column (text and kind). */
    public boolean sameValue(Column other) {
        return kind == other.kind && (text == null ? other.text == null : text.equals(other.text));
    }
}
