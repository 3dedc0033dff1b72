package io.pgscribe.sql;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A list setting as the server splits it ({@code SplitIdentifierString}): names separated by
 * commas, white space around them ignored, unquoted names folded to lower case, double-quoted
 * names kept as written with {@code ""} for a quote. {@code search_path} and
 * {@code output_plugin_libraries} are read this way.
 */
public final class IdentifierList {

    private IdentifierList() {
    }

    /** The names, or empty when the text is not a list the server would accept. */
    public static Optional<List<String>> parse(String text) {
        List<String> out = new ArrayList<>();
        int i = 0;
        int n = text.length();
        i = skipSpace(text, i);
        if (i >= n) {
            return Optional.of(out);
        }
        while (true) {
            StringBuilder name = new StringBuilder();
            if (text.charAt(i) == '"') {
                i++;
                boolean closed = false;
                while (i < n) {
                    char ch = text.charAt(i++);
                    if (ch == '"') {
                        if (i < n && text.charAt(i) == '"') {
                            name.append('"');
                            i++;
                        } else {
                            closed = true;
                            break;
                        }
                    } else {
                        name.append(ch);
                    }
                }
                if (!closed || name.isEmpty()) {
                    return Optional.empty();
                }
            } else {
                int start = i;
                while (i < n && text.charAt(i) != ',' && !isSpace(text.charAt(i))) {
                    i++;
                }
                if (i == start) {
                    return Optional.empty();
                }
                name.append(text.substring(start, i).toLowerCase(Locale.ROOT));
            }
            out.add(name.toString());
            i = skipSpace(text, i);
            if (i >= n) {
                return Optional.of(out);
            }
            if (text.charAt(i) != ',') {
                return Optional.empty();
            }
            i = skipSpace(text, i + 1);
            if (i >= n) {
                return Optional.empty(); // a trailing comma
            }
        }
    }

    /** Each name double-quoted, comma-separated: the list form SET accepts, whatever the names hold. */
    public static String quoted(List<String> names) {
        StringBuilder sb = new StringBuilder();
        for (String name : names) {
            if (!sb.isEmpty()) {
                sb.append(", ");
            }
            SqlText.appendIdentifier(sb, name);
        }
        return sb.toString();
    }

    private static int skipSpace(String s, int i) {
        while (i < s.length() && isSpace(s.charAt(i))) {
            i++;
        }
        return i;
    }

    // scanner_isspace: the white space of the server's list splitting
    private static boolean isSpace(char ch) {
        return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f' || ch == '\u000b';
    }
}
