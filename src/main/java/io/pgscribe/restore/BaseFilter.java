package io.pgscribe.restore;

import io.pgscribe.restore.RestoreScope.Name;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Keeps of a plain pg_dump only what a subset restore needs: the chosen tables with their
 * data, defaults, constraints, indexes, triggers, sequences, comments and privileges, and
 * every object that is not a relation (schemas, types, functions, extensions) they may
 * depend on. Relations outside the scope, views, materialized views and large objects are
 * left out; a foreign key stays only if both its tables do.
 *
 * <p>Works on pg_dump's table-of-contents comments ({@code -- Name: x; Type: y; Schema: s})
 * and on the names in the statements, which the base writes fully quoted.
 */
final class BaseFilter {

    static final Pattern HEADER = Pattern.compile("^-- (?:Data for )?Name: (.*); Type: (.*); Schema: (.*); Owner: .*$");
    private static final Pattern OWNED_BY = Pattern.compile("^ALTER SEQUENCE (.+) OWNED BY (.+);$");
    private static final Set<String> DROP_IN_SUBSET = Set.of("VIEW", "MATERIALIZED VIEW", "MATERIALIZED VIEW DATA",
            "FOREIGN TABLE", "BLOB", "BLOB DATA", "LARGE OBJECT", "BLOBS", "SUBSCRIPTION");

    private final RestoreScope scope;
    private final Set<Name> tables = new HashSet<>();
    private final Map<Name, Name> sequenceOwner = new HashMap<>();
    private final Set<Name> keptSequences = new HashSet<>();
    private final Set<Name> sequences = new HashSet<>();
    private int kept;
    private int left;

    BaseFilter(RestoreScope scope) {
        this.scope = scope;
    }

    /** Writes the filtered dump; returns "kept N of M base entries". */
    String filter(java.util.function.Supplier<java.io.InputStream> base, Path out) {
        collect(base);
        try (BufferedReader in = reader(base.get());
             BufferedWriter w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
            StringBuilder entry = new StringBuilder();
            String type = null;
            String schema = null;
            String tag = null;
            boolean inCopy = false;
            boolean streaming = false; // TABLE DATA is decided by its header and streamed
            String line;
            String pendingSeparator = null;
            // pg_dump's headers and COPY lines count only between statements: inside a literal
            // (a view's text, a function body) the same line is data a role wrote
            io.pgscribe.sql.SqlLexer lexer = new io.pgscribe.sql.SqlLexer();
            while ((line = in.readLine()) != null) {
                if (inCopy) {
                    if (streaming) {
                        w.write(line);
                        w.write('\n');
                    } else if (type != null && !"TABLE DATA".equals(type)) {
                        entry.append(line).append('\n');
                    }
                    if (line.equals("\\.")) {
                        inCopy = false;
                    }
                    continue;
                }
                boolean between = !lexer.hasCode() && !lexer.isInsideLiteralOrComment();
                feed(lexer, line);
                Matcher h = between ? HEADER.matcher(line) : null;
                if (h != null && h.matches()) {
                    if (type != null && !"TABLE DATA".equals(type)) {
                        decide(type, schema, tag, entry, w);
                    }
                    entry.setLength(0);
                    type = h.group(2);
                    schema = h.group(3);
                    tag = h.group(1);
                    streaming = "TABLE DATA".equals(type);
                    boolean keep = streaming && scope.includes(schema, tag);
                    if (streaming) {
                        count(keep);
                        streaming = keep;
                    }
                    String head = (pendingSeparator == null ? "" : pendingSeparator + "\n") + line + "\n";
                    pendingSeparator = null;
                    if (streaming) {
                        w.write(head);
                    } else if (!"TABLE DATA".equals(type)) {
                        entry.append(head);
                    }
                    continue;
                }
                if (pendingSeparator != null) {
                    emitLine(type, streaming, entry, w, pendingSeparator);
                    pendingSeparator = null;
                }
                if (between && line.equals("--")) {
                    pendingSeparator = line; // may open the next entry's header
                    continue;
                }
                if (between && line.startsWith("COPY ") && line.endsWith(" FROM stdin;")) {
                    inCopy = true;
                }
                emitLine(type, streaming, entry, w, line);
            }
            if (pendingSeparator != null) {
                emitLine(type, streaming, entry, w, pendingSeparator);
            }
            if (type != null && !"TABLE DATA".equals(type)) {
                decide(type, schema, tag, entry, w);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot filter the base: " + e.getMessage(), e);
        }
        return "kept " + kept + " of " + (kept + left) + " base entries";
    }

    private void emitLine(String type, boolean streaming, StringBuilder entry, BufferedWriter w, String line)
            throws IOException {
        if (type == null || streaming) {
            w.write(line); // the preamble, or rows of a kept table
            w.write('\n');
        } else if (!"TABLE DATA".equals(type)) {
            entry.append(line).append('\n');
        }
    }

    private void decide(String type, String schema, String tag, StringBuilder entry, BufferedWriter w) throws IOException {
        boolean keep = keep(type, schema, tag, entry.toString());
        count(keep);
        if (keep) {
            w.append(entry);
        } else {
            // session settings between entries still apply to what follows: whole statements only,
            // never a line of a literal that looks like one
            try (io.pgscribe.sql.SqlScanner sc = io.pgscribe.sql.SqlScanner.of(entry.toString())) {
                io.pgscribe.sql.SqlScanner.Statement st;
                while ((st = sc.next()) != null) {
                    String code = st.hasCode() ? st.code() : "";
                    if ((code.startsWith("SET ") || code.startsWith("SELECT pg_catalog.set_config(")) && code.indexOf('\n') < 0) {
                        w.write(code);
                        w.write('\n');
                    }
                }
            }
        }
    }

    /** One line of SQL (not COPY data) into the lexer; a statement's end starts the next. */
    static void feed(io.pgscribe.sql.SqlLexer lexer, String line) {
        for (int i = 0; i < line.length(); i++) {
            if (lexer.feed(line.charAt(i))) {
                lexer.reset();
            }
        }
        if (lexer.feed('\n')) {
            lexer.reset();
        }
    }

    private void count(boolean keep) {
        if (keep) {
            kept++;
        } else {
            left++;
        }
    }

    private boolean keep(String type, String schema, String tag, String sql) {
        if (DROP_IN_SUBSET.contains(type)) {
            return false;
        }
        switch (type) {
            case "TABLE":
                return scope.includes(schema, tag);
            case "SEQUENCE": {
                // an identity column's sequence is declared on its table
                for (Name n : RestoreScope.quotedQualifiedNames(sql)) {
                    if (tables.contains(n)) {
                        return keepSequence(new Name(schema, tag), scope.includes(n.schema(), n.name()));
                    }
                }
                Name owner = sequenceOwner.get(new Name(schema, tag));
                return keepSequence(new Name(schema, tag), owner == null || scope.includes(owner.schema(), owner.name()));
            }
            case "SEQUENCE SET":
            case "SEQUENCE OWNED BY":
                return keptSequences.contains(new Name(schema, tag)) && relationsKept(sql);
            default:
                // anything bound to relations stays only if every table it names stays
                return relationsKept(sql);
        }
    }

    private boolean keepSequence(Name sequence, boolean keep) {
        if (keep) {
            keptSequences.add(sequence);
        }
        return keep;
    }

    private boolean relationsKept(String sql) {
        for (Name n : RestoreScope.quotedQualifiedNames(sql)) {
            if (tables.contains(n) && !scope.includes(n.schema(), n.name())) {
                return false;
            }
            // e.g. the GRANT on a sequence left out with its table
            if (sequences.contains(n) && !keptSequences.contains(n)) {
                return false;
            }
        }
        return true;
    }

    /** The tables of a plain dump. */
    static Set<Name> tablesOf(java.util.function.Supplier<java.io.InputStream> base) {
        BaseFilter f = new BaseFilter(RestoreScope.ALL);
        f.collect(base);
        return Set.copyOf(f.tables);
    }

    /** First pass: the dump's tables, and which table owns each sequence. */
    private void collect(java.util.function.Supplier<java.io.InputStream> base) {
        try (BufferedReader in = reader(base.get())) {
            String line;
            boolean inCopy = false;
            io.pgscribe.sql.SqlLexer lexer = new io.pgscribe.sql.SqlLexer();
            while ((line = in.readLine()) != null) {
                if (inCopy) {
                    inCopy = !line.equals("\\.");
                    continue;
                }
                boolean between = !lexer.hasCode() && !lexer.isInsideLiteralOrComment();
                feed(lexer, line);
                if (!between) {
                    continue;
                }
                if (line.startsWith("COPY ") && line.endsWith(" FROM stdin;")) {
                    inCopy = true;
                    continue;
                }
                Matcher h = HEADER.matcher(line);
                if (h.matches() && h.group(2).equals("SEQUENCE")) {
                    sequences.add(new Name(h.group(3), h.group(1)));
                }
                if (h.matches() && h.group(2).equals("TABLE")) {
                    tables.add(new Name(h.group(3), h.group(1)));
                    continue;
                }
                Matcher o = OWNED_BY.matcher(line);
                if (o.matches()) {
                    List<Name> seq = RestoreScope.quotedQualifiedNames(o.group(1));
                    List<Name> owner = RestoreScope.quotedQualifiedNames(o.group(2));
                    if (!seq.isEmpty() && !owner.isEmpty()) {
                        sequenceOwner.put(seq.get(0), owner.get(0));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the base: " + e.getMessage(), e);
        }
    }

    /** The script, read as UTF-8 (malformed input is an error, never silently replaced). */
    private static BufferedReader reader(java.io.InputStream in) {
        return new BufferedReader(new java.io.InputStreamReader(in, StandardCharsets.UTF_8.newDecoder()), 1 << 16);
    }
}
