package io.pgscribe.restore;

import io.pgscribe.PgscribeException;
import io.pgscribe.ExitCode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The settings the restore's own session runs under, and puts back after anything of a
 * role's ran ({@link RoleSandbox}): that SQL may SET any setting for the rest of the
 * transaction (a DateStyle that reads dates otherwise, standard_conforming_strings off that
 * reads the next literal otherwise, a search_path with its own operators first).
 * {@code RESET ALL} and then these, every time.
 *
 * <ul>
 *   <li>{@code search_path = pg_catalog, pg_temp}: pgscribe's statements and the rows it
 *       applies name everything with its schema; nothing resolves anywhere else.</li>
 *   <li>{@code row_security = off}: a row policy that would hide or refuse a row is an
 *       error, never a row silently missing (a table whose owner is subject to its own
 *       policies, FORCE ROW LEVEL SECURITY, stops the restore, as in PostgreSQL's own
 *       logical replication).</li>
 *   <li>the settings a segment opens with (the text of its values depends on them), and
 *       session_replication_role = replica.</li>
 * </ul>
 */
final class SessionPins {

    /** The settings a segment may open with, as SegmentFormat writes them. */
    static final Set<String> SEGMENT_SETTINGS = Set.of("client_encoding", "standard_conforming_strings", "datestyle",
            "timezone", "intervalstyle", "extra_float_digits", "bytea_output", "lc_monetary", "check_function_bodies",
            "session_replication_role", "search_path");

    private static final Pattern SET = Pattern.compile("(?i)SET ([a-z_]+) = ('(?:[^']|'')*'|[A-Za-z0-9_.,\\- ]+);");

    private final Map<String, String> settings = new LinkedHashMap<>();

    SessionPins() {
        settings.put("search_path", "pg_catalog, pg_temp");
        settings.put("row_security", "off");
        settings.put("synchronous_commit", "off");
        settings.put("session_replication_role", "replica");
        settings.put("standard_conforming_strings", "on");
        settings.put("check_function_bodies", "false");
    }

    /**
     * A statement from the top of a segment: one of the settings a segment opens with, to a
     * plain value; anything else is not what pgscribe writes there. Returns the statement to
     * run now (null for client_encoding: the JDBC session stays UTF8, the segment was decoded
     * with its own encoding already).
     */
    String segmentSetting(String code, String segment) {
        Matcher m = SET.matcher(code.strip());
        if (!m.matches() || !SEGMENT_SETTINGS.contains(m.group(1).toLowerCase(java.util.Locale.ROOT))) {
            throw new PgscribeException("segment " + segment + " opens with a statement pgscribe does not write there: "
                    + io.pgscribe.sql.SqlText.commentText(code.strip()),
                    "The file matches its checksum, so it was written like this: restore to a point before it, or "
                            + "check where the backup set came from.", ExitCode.DAMAGED, null);
        }
        String name = m.group(1).toLowerCase(java.util.Locale.ROOT);
        if (name.equals("client_encoding")) {
            return null;
        }
        if (name.equals("search_path")) {
            return null; // pgscribe's own path stays
        }
        settings.put(name, m.group(2));
        return "SET " + name + " = " + m.group(2);
    }

    /** The settings the text output of values depends on, as the segment set them. */
    static final Set<String> OUTPUT_SETTINGS = Set.of("datestyle", "timezone", "intervalstyle", "extra_float_digits",
            "bytea_output", "lc_monetary");

    /**
     * The segment's output settings again, each as {@code SET ...;\n}: before a statement that
     * compares a value's text, since a role's code that ran earlier in the transaction (an ENABLE
     * ALWAYS trigger) may have changed them. Settings any role may set.
     */
    String outputSql() {
        StringBuilder sb = new StringBuilder();
        settings.forEach((k, v) -> {
            if (OUTPUT_SETTINGS.contains(k)) {
                sb.append("SET ").append(k).append(" = ").append(v).append(";\n");
            }
        });
        return sb.toString();
    }

    /** RESET ALL and every pinned setting, as one statement string. */
    String sql() {
        StringBuilder sb = new StringBuilder("RESET ALL");
        settings.forEach((k, v) -> sb.append("; SET ").append(k).append(" = ").append(v));
        return sb.toString();
    }
}
