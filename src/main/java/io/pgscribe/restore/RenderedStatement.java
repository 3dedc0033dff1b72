package io.pgscribe.restore;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Recognises the row changes and sequence samples a segment holds, in exactly the forms the
 * capture writes them (and decoder_raw passes them through), before the restore runs one:
 * <pre>
 * INSERT INTO t (c, ...) [OVERRIDING SYSTEM VALUE] VALUES (v, ...) | INSERT INTO t DEFAULT VALUES
 * UPDATE [ONLY] t SET c = v, ... WHERE cond
 * DELETE FROM [ONLY] t WHERE cond
 *   cond: c [::pg_catalog.text] op v | pg_catalog.format('%s', c) op v [COLLATE pg_catalog."C"] | c IS NULL [AND ...]
 *         | ctid op (SELECT ctid FROM [ONLY] t [WHERE cond] LIMIT 1)
 *   op:   = | OPERATOR(schema.=)        v: a literal, a number, NULL, TRUE, FALSE
 * TRUNCATE [TABLE] [ONLY] t, ... [RESTART IDENTITY | CONTINUE IDENTITY] [CASCADE | RESTRICT]
 * SELECT [pg_catalog.]setval([pg_catalog.]to_regclass('name') | 'name', n, true|false)
 * </pre>
 * No function call, subquery, cast or operator of anyone's can hide in one: such a statement
 * is not recognised and the restore refuses it, whatever its text claims to be.
 */
public final class RenderedStatement extends StatementTokens {

    /** What a recognised statement is. */
    public enum Kind { INSERT, UPDATE, DELETE, TRUNCATE, SETVAL }

    /** A recognised statement: its kind, the tables it changes, the operator schemas it names other than pg_catalog. */
    /**
     * {@code withoutOnly}: where, in the statement, a table an UPDATE, a DELETE or its ctid
     * subquery names starts without ONLY before it (segments written before 0.3).
     */
    public record Recognised(Kind kind, List<RestoreScope.Name> tables, List<String> operatorSchemas,
                             List<Integer> withoutOnly, Parts parts) {
        public Recognised(Kind kind, List<RestoreScope.Name> tables, List<String> operatorSchemas) {
            this(kind, tables, operatorSchemas, List.of(), null);
        }

        /**
         * The statement with ONLY before each table it changes or reads: a row of an inheritance
         * parent is changed there, never a child's row of the same key (nor a child's triggers run).
         */
        public String withOnly(String code) {
            if (withoutOnly.isEmpty()) {
                return code;
            }
            StringBuilder sb = new StringBuilder(code);
            for (int i = withoutOnly.size() - 1; i >= 0; i--) {
                sb.insert((int) withoutOnly.get(i), "ONLY ");
            }
            return sb.toString();
        }
    }

    /**
     * Where the parts of an INSERT, UPDATE or DELETE are in its text (null for other kinds), for
     * {@link RawStatementRepair}. {@code assigned}: an INSERT's columns, each with its value, or
     * an UPDATE's SET items; {@code listStart}..{@code listEnd}: the INSERT's column list inside its
     * parentheses, or the UPDATE's SET items; {@code valuesStart}..{@code valuesEnd}: the INSERT's
     * values inside theirs; {@code overridingAt}: just after the column list's ")" (-1 when
     * OVERRIDING SYSTEM VALUE is written). {@code compared}: the WHERE's comparisons of a column
     * with a value (start and end: the operator's start and the value's end). {@code wholeRow}:
     * an UPDATE or DELETE that finds its row by every column, through its ctid (FULL identity).
     */
    public record Parts(List<Item> assigned, int listStart, int listEnd, int valuesStart, int valuesEnd,
                        int overridingAt, List<Item> compared, boolean wholeRow) {
    }

    /** A column and a value in the text: {@code start}..{@code end} the whole item, the value's own span. */
    public record Item(String column, int start, int end, int valueStart, int valueEnd, boolean isNull) {
        String value(String sql) {
            return sql.substring(valueStart, valueEnd);
        }
    }

    private final List<RestoreScope.Name> tables = new ArrayList<>(1);
    private final List<String> operatorSchemas = new ArrayList<>(0);
    private final List<Integer> withoutOnly = new ArrayList<>(0);
    private final List<Item> assigned = new ArrayList<>(0);
    private final List<Item> compared = new ArrayList<>(0);
    private int listStart = -1;
    private int listEnd = -1;
    private int valuesStart = -1;
    private int valuesEnd = -1;
    private int overridingAt = -1;
    private boolean wholeRow;

    private RenderedStatement(String sql) {
        super(sql);
    }

    /** The statement if it is one of the forms above; null otherwise. */
    public static Recognised recognise(String code) {
        RenderedStatement r = new RenderedStatement(code);
        try {
            r.next();
            Kind k = r.statement();
            if (!r.isPunct(";")) {
                return null;
            }
            r.next();
            if (r.type != T.END) {
                return null;
            }
            Parts parts = k == Kind.INSERT || k == Kind.UPDATE || k == Kind.DELETE ? new Parts(List.copyOf(r.assigned), r.listStart, r.listEnd,
                    r.valuesStart, r.valuesEnd, r.overridingAt, List.copyOf(r.compared), r.wholeRow) : null;
            return new Recognised(k, List.copyOf(r.tables), List.copyOf(r.operatorSchemas), List.copyOf(r.withoutOnly), parts);
        } catch (NotRecognised e) {
            return null;
        }
    }

    private Kind statement() throws NotRecognised {
        if (isWord("INSERT")) {
            next();
            word("INTO");
            tables.add(name());
            if (isWord("DEFAULT")) {
                next();
                word("VALUES");
                return Kind.INSERT;
            }
            punct("(");
            listStart = tokenStart;
            List<String> columns = new ArrayList<>();
            List<int[]> columnSpans = new ArrayList<>();
            do {
                int start = tokenStart;
                columns.add(identifier());
                columnSpans.add(new int[] {start, lastEnd});
            } while (comma());
            listEnd = tokenStart;
            punct(")");
            overridingAt = lastEnd;
            if (isWord("OVERRIDING")) {
                next();
                word("SYSTEM");
                word("VALUE");
                overridingAt = -1;
            }
            word("VALUES");
            punct("(");
            valuesStart = tokenStart;
            int i = 0;
            do {
                int start = tokenStart;
                boolean isNull = value();
                if (i < columns.size()) {
                    assigned.add(new Item(columns.get(i), columnSpans.get(i)[0], columnSpans.get(i)[1], start, lastEnd, isNull));
                }
                i++;
            } while (comma());
            valuesEnd = tokenStart;
            punct(")");
            if (i != columns.size()) {
                assigned.clear(); // the server refuses it anyway; nothing to repair
            }
            return Kind.INSERT;
        }
        if (isWord("UPDATE")) {
            next();
            tables.add(onlyName());
            word("SET");
            listStart = tokenStart;
            do {
                int start = tokenStart;
                String column = identifier();
                punct("=");
                int valueStart = tokenStart;
                boolean isNull = value();
                assigned.add(new Item(column, start, lastEnd, valueStart, lastEnd, isNull));
            } while (comma());
            listEnd = lastEnd;
            word("WHERE");
            condition();
            return Kind.UPDATE;
        }
        if (isWord("DELETE")) {
            next();
            word("FROM");
            tables.add(onlyName());
            word("WHERE");
            condition();
            return Kind.DELETE;
        }
        if (isWord("TRUNCATE")) {
            next();
            if (isWord("TABLE")) {
                next();
            }
            do {
                if (isWord("ONLY")) {
                    next();
                }
                tables.add(name());
            } while (comma());
            if (isWord("RESTART") || isWord("CONTINUE")) {
                next();
                word("IDENTITY");
            }
            if (isWord("CASCADE") || isWord("RESTRICT")) {
                next();
            }
            return Kind.TRUNCATE;
        }
        if (isWord("SELECT")) {
            next();
            qualifiedFunction("SETVAL");
            punct("(");
            if (type == T.WORD) {
                qualifiedFunction("TO_REGCLASS");
                punct("(");
                string();
                punct(")");
            } else {
                string();
            }
            punct(",");
            number();
            punct(",");
            if (!isWord("TRUE") && !isWord("FALSE")) {
                throw new NotRecognised();
            }
            next();
            punct(")");
            return Kind.SETVAL;
        }
        throw new NotRecognised();
    }

    private void condition() throws NotRecognised {
        if (isWord("CTID")) {
            wholeRow = true;
            next();
            operator();
            punct("(");
            word("SELECT");
            word("CTID");
            word("FROM");
            tables.add(onlyName());
            // no WHERE: a FULL identity row with no column a decoder sends, any one of the identical rows
            if (isWord("WHERE")) {
                next();
                comparisons();
            }
            word("LIMIT");
            if (type != T.NUMBER || !text.equals("1")) {
                throw new NotRecognised();
            }
            next();
            punct(")");
            return;
        }
        comparisons();
    }

    private void comparisons() throws NotRecognised {
        do {
            if (isWord("PG_CATALOG") && followedByDot()) {
                // pg_catalog.format('%s', c) op v: the column's text output (its type's output function, no cast)
                next();
                punct(".");
                word("FORMAT");
                punct("(");
                if (type != T.STRING || !sql.startsWith("'%s'", tokenStart) || pos != tokenStart + 4) {
                    throw new NotRecognised();
                }
                next();
                punct(",");
                identifier();
                punct(")");
                operator();
                value();
                if (isWord("COLLATE")) {
                    // byte by byte: pg_catalog."C" and nothing else
                    next();
                    word("PG_CATALOG");
                    punct(".");
                    if (type != T.QIDENT || !text.equals("C")) {
                        throw new NotRecognised();
                    }
                    next();
                }
                continue;
            }
            String column = identifier();
            if (isWord("IS")) {
                next();
                word("NULL");
                continue;
            }
            boolean asText = false;
            if (isPunct("::")) {
                next();
                if (isWord("PG_CATALOG")) {
                    next();
                    punct(".");
                }
                word("TEXT");
                asText = true;
            }
            int opStart = tokenStart;
            operator();
            int valueStart = tokenStart;
            boolean isNull = value();
            if (!asText) {
                compared.add(new Item(column, opStart, lastEnd, valueStart, lastEnd, isNull));
            }
        } while (and());
    }

    /** {@code =} or {@code OPERATOR(schema.op)}. */
    private void operator() throws NotRecognised {
        if (isPunct("=")) {
            next();
            return;
        }
        word("OPERATOR");
        punct("(");
        String schema;
        if (type == T.QIDENT) {
            schema = text;
        } else if (type == T.WORD) {
            schema = raw.toLowerCase(Locale.ROOT);
        } else {
            throw new NotRecognised();
        }
        next();
        punct(".");
        if (type != T.PUNCT || !isOperatorName(text)) {
            throw new NotRecognised();
        }
        next();
        punct(")");
        if (!schema.equals("pg_catalog") && !operatorSchemas.contains(schema)) {
            operatorSchemas.add(schema);
        }
    }

    /** A value; true when it is NULL. */
    private boolean value() throws NotRecognised {
        switch (type) {
            case STRING, NUMBER -> next();
            case WORD -> {
                if (!text.equals("NULL") && !text.equals("TRUE") && !text.equals("FALSE")) {
                    throw new NotRecognised();
                }
                boolean isNull = text.equals("NULL");
                next();
                return isNull;
            }
            case PUNCT -> {
                if (!text.equals("-")) {
                    throw new NotRecognised();
                }
                next();
                number();
            }
            default -> throw new NotRecognised();
        }
        return false;
    }

    private void number() throws NotRecognised {
        if (isPunct("-")) {
            next();
        }
        if (type != T.NUMBER) {
            throw new NotRecognised();
        }
        next();
    }

    private void string() throws NotRecognised {
        if (type != T.STRING) {
            throw new NotRecognised();
        }
        next();
    }

    private void qualifiedFunction(String name) throws NotRecognised {
        if (isWord("PG_CATALOG")) {
            next();
            punct(".");
        }
        word(name);
    }

    /** A table: {@code "s"."t"}, or unquoted as decoder_raw writes it. */
    /** {@code [ONLY] name}: where no ONLY is written, the name's start is noted. */
    private RestoreScope.Name onlyName() throws NotRecognised {
        if (isWord("ONLY")) {
            next();
        } else {
            withoutOnly.add(tokenStart);
        }
        return name();
    }

    private RestoreScope.Name name() throws NotRecognised {
        String first = identifier();
        if (isPunct(".")) {
            next();
            return new RestoreScope.Name(first, identifier());
        }
        return new RestoreScope.Name("public", first);
    }

    private static boolean isOperatorName(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if ("~!@#^&|`?+-*/%<>=".indexOf(s.charAt(i)) < 0) {
                return false;
            }
        }
        return true;
    }

}
