package io.pgscribe.decode;

import io.pgscribe.sql.SqlLexer;
import java.util.function.Consumer;

/**
 * Reads decoder_raw output ({@code include_transaction=on}): SQL statements framed by
 * {@code BEGIN;} and {@code COMMIT;}. A statement may span lines (a literal holding
 * newlines, even a line that is exactly {@code COMMIT;}), so lines are fed through a
 * SQL lexer and a statement ends only at a {@code ;} outside every literal.
 */
public final class DecoderRawDecoder implements Decoder {

    private final SqlLexer lexer = new SqlLexer();
    private final StringBuilder pending = new StringBuilder();

    @Override
    public void decodeLine(String line, Consumer<Change> sink) {
        if (pending.isEmpty() && line.isEmpty()) {
            return;
        }
        int from = 0;
        for (int i = 0; i < line.length(); i++) {
            if (lexer.feed(line.charAt(i))) {
                pending.append(line, from, i + 1);
                emit(sink);
                from = i + 1;
            }
        }
        pending.append(line, from, line.length());
        if (lexer.feed('\n')) {
            throw new IllegalStateException("a newline cannot end a statement");
        }
        if (!lexer.hasCode() && !lexer.isInsideLiteralOrComment()) {
            pending.setLength(0); // only white space or a finished comment since the last statement
            lexer.reset();
        } else {
            pending.append('\n');
        }
    }

    private void emit(Consumer<Change> sink) {
        String sql = pending.toString().strip();
        pending.setLength(0);
        lexer.reset();
        if (sql.equals("BEGIN;")) {
            sink.accept(new Change.Begin(null, null, null, null));
        } else if (sql.equals("COMMIT;")) {
            sink.accept(new Change.Commit(null, null, null, null));
        } else {
            sink.accept(new Change.Statement(sql));
        }
    }

    @Override
    public void reset() {
        pending.setLength(0);
        lexer.reset();
    }

    @Override
    public boolean inMiddleOfChange() {
        return !pending.isEmpty();
    }
}
