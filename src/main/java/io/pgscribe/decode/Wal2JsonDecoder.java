package io.pgscribe.decode;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import io.pgscribe.pg.Lsn;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Reads wal2json format-version 2: one JSON object per line, one change per object.
 * Numbers are kept as the exact digits wal2json printed (never through a double), so
 * numeric and float values survive to the last digit.
 */
public final class Wal2JsonDecoder implements Decoder {

    // a column value may be a whole TOASTed document or a numeric of 100,000 digits
    private static final JsonFactory JSON = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxStringLength(Integer.MAX_VALUE)
                    .maxNumberLength(Integer.MAX_VALUE)
                    .build())
            .build();

    @Override
    public void decodeLine(String line, Consumer<Change> sink) {
        if (line.isEmpty()) {
            return;
        }
        try (JsonParser p = JSON.createParser(line)) {
            sink.accept(parse(p));
        } catch (IOException | RuntimeException e) {
            throw new DecodeException("cannot read wal2json message: " + abbreviate(line) + " (" + e.getMessage() + ")", e);
        }
    }

    /**
     * A UTF-8 line is parsed from its bytes as they are, without a String of it first (a quarter
     * less decoding time, measured: bench/RESULTS.md, P1); other encodings go through a String.
     */
    @Override
    public void decodeLine(byte[] line, java.nio.charset.Charset charset, Consumer<Change> sink) {
        if (!java.nio.charset.StandardCharsets.UTF_8.equals(charset)) {
            decodeLine(new String(line, charset), sink);
            return;
        }
        if (line.length == 0) {
            return;
        }
        try (JsonParser p = JSON.createParser(line)) {
            sink.accept(parse(p));
        } catch (IOException | RuntimeException e) {
            throw new DecodeException("cannot read wal2json message: "
                    + abbreviate(new String(line, java.nio.charset.StandardCharsets.UTF_8)) + " (" + e.getMessage() + ")", e);
        }
    }

    @Override
    public void reset() {
        // every line is a whole message: nothing is carried between lines
    }

    @Override
    public boolean inMiddleOfChange() {
        return false;
    }

    private static Change parse(JsonParser p) throws IOException {
        expect(p.nextToken(), JsonToken.START_OBJECT, p);
        String action = null;
        Long xid = null;
        String timestamp = null;
        Lsn lsn = null;
        Lsn nextLsn = null;
        String schema = null;
        String table = null;
        List<Column> columns = null;
        List<Column> identity = null;
        List<String> pk = null;
        Boolean transactional = null;
        String prefix = null;
        String content = null;
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken v = p.nextToken();
            switch (field) {
                case "action" -> action = p.getText();
                case "xid" -> xid = v == JsonToken.VALUE_NULL ? null : p.getLongValue();
                case "timestamp" -> timestamp = v == JsonToken.VALUE_NULL ? null : p.getText();
                case "lsn" -> lsn = v == JsonToken.VALUE_NULL ? null : Lsn.valueOf(p.getText());
                case "nextlsn" -> nextLsn = v == JsonToken.VALUE_NULL ? null : Lsn.valueOf(p.getText());
                case "schema" -> schema = p.getText();
                case "table" -> table = p.getText();
                case "columns" -> columns = readColumns(p);
                case "identity" -> identity = readColumns(p);
                case "pk" -> pk = readNames(p);
                case "transactional" -> transactional = v == JsonToken.VALUE_TRUE;
                case "prefix" -> prefix = p.getText();
                case "content" -> content = p.getText();
                default -> p.skipChildren();
            }
        }
        expect(t, JsonToken.END_OBJECT, p);
        if (action == null || action.length() != 1) {
            throw new DecodeException("no action in message");
        }
        List<String> key = pk == null ? List.of() : pk;
        return switch (action.charAt(0)) {
            case 'B' -> new Change.Begin(xid, lsn, nextLsn, timestamp);
            case 'C' -> new Change.Commit(xid, lsn, nextLsn, timestamp);
            case 'I' -> new Change.Insert(required(schema, "schema"), required(table, "table"), required(columns, "columns"), key);
            case 'U' -> new Change.Update(required(schema, "schema"), required(table, "table"), required(columns, "columns"),
                    identity == null ? List.of() : identity, key);
            case 'D' -> new Change.Delete(required(schema, "schema"), required(table, "table"), required(identity, "identity"), key);
            case 'T' -> new Change.Truncate(required(schema, "schema"), required(table, "table"),
                    required(lsn, "lsn").asLong());
            case 'M' -> new Change.Message(Boolean.TRUE.equals(transactional), prefix, content, lsn);
            default -> throw new DecodeException("unknown action \"" + action + "\"");
        };
    }

    private static List<Column> readColumns(JsonParser p) throws IOException {
        expect(p.currentToken(), JsonToken.START_ARRAY, p);
        List<Column> list = new ArrayList<>();
        while (p.nextToken() == JsonToken.START_OBJECT) {
            String name = null;
            String type = null;
            String text = null;
            Column.Kind kind = Column.Kind.NULL;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken v = p.nextToken();
                switch (field) {
                    case "name" -> name = p.getText();
                    case "type" -> type = p.getText();
                    case "typeoid" -> type = BuiltinTypes.name(p.getIntValue());
                    case "value" -> {
                        switch (v) {
                            case VALUE_NULL -> kind = Column.Kind.NULL;
                            case VALUE_STRING -> {
                                kind = Column.Kind.STRING;
                                text = p.getText();
                            }
                            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
                                kind = Column.Kind.NUMBER;
                                text = p.getText();
                            }
                            case VALUE_TRUE, VALUE_FALSE -> {
                                kind = Column.Kind.BOOLEAN;
                                text = v == JsonToken.VALUE_TRUE ? "true" : "false";
                            }
                            default -> throw new DecodeException("unexpected value " + v + " for column " + name);
                        }
                    }
                    default -> p.skipChildren();
                }
            }
            list.add(new Column(required(name, "column name"), type, text, kind));
        }
        return list;
    }

    private static List<String> readNames(JsonParser p) throws IOException {
        expect(p.currentToken(), JsonToken.START_ARRAY, p);
        List<String> names = new ArrayList<>(2);
        while (p.nextToken() == JsonToken.START_OBJECT) {
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                if (field.equals("name")) {
                    names.add(p.getText());
                } else {
                    p.skipChildren();
                }
            }
        }
        return names;
    }

    private static <T> T required(T value, String what) {
        if (value == null) {
            throw new DecodeException("message has no " + what);
        }
        return value;
    }

    private static void expect(JsonToken actual, JsonToken expected, JsonParser p) {
        if (actual != expected) {
            throw new DecodeException("expected " + expected + " but found " + actual + " at " + p.currentLocation());
        }
    }

    static String abbreviate(String line) {
        return line.length() <= 200 ? line : line.substring(0, 200) + "...(" + line.length() + " chars)";
    }
}
